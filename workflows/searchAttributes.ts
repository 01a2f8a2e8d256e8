import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';

/** Typed keys of the attributes in stack/searchAttributes.ts, for the client and the workflow alike. */
export const SEARCH_KEYS = {
  organizationId: defineSearchAttributeKey('OrganizationId', SearchAttributeType.KEYWORD),
  integrationConfigId: defineSearchAttributeKey('IntegrationConfigId', SearchAttributeType.KEYWORD),
  billId: defineSearchAttributeKey('BillId', SearchAttributeType.KEYWORD),
  accountId: defineSearchAttributeKey('AccountId', SearchAttributeType.KEYWORD),
  /** The status of the sync's latest run: STARTED, WAITING, COMPLETE, ERROR, AUTH_FAILED, SKIPPED or DISABLED. */
  syncStatus: defineSearchAttributeKey('SyncStatus', SearchAttributeType.KEYWORD),
};

/** The attributes a bill sync starts with; the workflow sets them itself too, for syncs started from the UI. */
export function billSyncSearchAttributes(ids: { organizationId: string; configId: string; billId: string; accountId?: string }): SearchAttributePair[] {
  const pairs: SearchAttributePair[] = [
    { key: SEARCH_KEYS.organizationId, value: ids.organizationId },
    { key: SEARCH_KEYS.integrationConfigId, value: ids.configId },
    { key: SEARCH_KEYS.billId, value: ids.billId },
  ];
  if (ids.accountId) pairs.push({ key: SEARCH_KEYS.accountId, value: ids.accountId });
  return pairs;
}
