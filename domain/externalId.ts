/**
 * The NetSuite transactions a bill becomes: an invoice, or — when its total is negative, which NetSuite
 * refuses on an invoice — a credit memo.
 */
export type NetSuiteRecordType = 'invoice' | 'creditMemo';

/**
 * The NetSuite externalId of the invoice for one (config, bill). Stable for the life of the bill, so
 * every send is `PUT invoice/eid:<this>`: a retry or a recalculation updates the same invoice and can
 * never create a second one. NetSuite allows letters, digits, `_` and `-`; uuids fit.
 */
export function invoiceExternalId(configId: string, billId: string): string {
  return `m3ter-${compact(configId)}-${compact(billId)}`;
}

/**
 * The externalId of the bill's record of this type. A credit memo has its own (NetSuite's external ids
 * are unique across transactions), as stable as the invoice's, so it is upserted the same way.
 */
export function recordExternalId(recordType: NetSuiteRecordType, configId: string, billId: string): string {
  return recordType === 'invoice' ? invoiceExternalId(configId, billId) : `${invoiceExternalId(configId, billId)}-cm`;
}

function compact(id: string): string {
  return id.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
}
