/**
 * The NetSuite externalId of the invoice for one (config, bill). Stable for the life of the bill, so
 * every send is `PUT invoice/eid:<this>`: a retry or a recalculation updates the same invoice and can
 * never create a second one. NetSuite allows letters, digits, `_` and `-`; uuids fit.
 */
export function invoiceExternalId(configId: string, billId: string): string {
  return `m3ter-${compact(configId)}-${compact(billId)}`;
}

function compact(id: string): string {
  return id.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
}
