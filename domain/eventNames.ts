/** m3ter's integration event names. */
export const INTEGRATION_EVENT_NAMES = [
  'integration.validation.error',
  'integration.missingaccountmapping.error',
  'integration.authentication.error',
  'integration.perform.error',
  'integration.disabled.error',
] as const;
export type IntegrationEventName = (typeof INTEGRATION_EVENT_NAMES)[number];

/** Which of m3ter's integration event names a failed run raises. */
export function eventNameForFailure(status: string, failure: string | undefined): IntegrationEventName {
  if (failure === 'MISSING_ACCOUNT_MAPPING') return 'integration.missingaccountmapping.error';
  if (failure === 'NetSuiteValidationError' || failure === 'NO_LINES') return 'integration.validation.error';
  if (status === 'AUTH_FAILED' || failure === 'NetSuiteAuthError' || failure === 'NotConnected' || failure === 'CredentialError') return 'integration.authentication.error';
  return 'integration.perform.error';
}
