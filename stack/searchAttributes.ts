/**
 * Custom search attributes of every bill-sync workflow, so users find the runs of one bill, account or
 * integration in the Temporal UI (e.g. `BillId = "..."`, `SyncStatus = "ERROR"`). The dev server
 * registers them at start; docker-compose.yml's temporal-setup registers the same list.
 */
export const SEARCH_ATTRIBUTES = {
  OrganizationId: 'Keyword',
  IntegrationConfigId: 'Keyword',
  BillId: 'Keyword',
  AccountId: 'Keyword',
  SyncStatus: 'Keyword',
} as const;
