/**
 * Custom search attributes the service sets on every bill-sync workflow, so users can find the runs
 * of one bill, account or config in the Temporal UI (e.g. `BillId = "..."`).
 */
export const SEARCH_ATTRIBUTES = {
  OrganizationId: 'Keyword',
  ConfigId: 'Keyword',
  BillId: 'Keyword',
  AccountId: 'Keyword',
} as const;
