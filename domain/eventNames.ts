/** m3ter's integration event names. */
export const INTEGRATION_EVENT_NAMES = [
  'integration.validation.error',
  'integration.missingaccountmapping.error',
  'integration.authentication.error',
  'integration.perform.error',
  'integration.disabled.error',
] as const;
export type IntegrationEventName = (typeof INTEGRATION_EVENT_NAMES)[number];
