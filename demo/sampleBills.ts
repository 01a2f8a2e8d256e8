import type { BillInput } from '../domain/bill';

/** A month of a typical usage-based customer: a subscription, tiered usage, a credit. */
export function sampleBill(accountId: string, options: { month?: string; usageUnits?: number } = {}): BillInput {
  const month = options.month ?? '2026-10';
  const units = options.usageUnits ?? 1_250_000;
  const band1 = Math.min(units, 1_000_000);
  const band2 = Math.max(0, units - 1_000_000);
  const usageSubtotal = round(band1 * 0.0001 + band2 * 0.00008);
  return {
    accountId,
    billDate: `${month}-28`,
    dueDate: `${nextMonth(month)}-28`,
    startDate: `${month}-01`,
    endDate: `${nextMonth(month)}-01`,
    billingFrequency: 'MONTHLY',
    currency: 'USD',
    purchaseOrderNumber: 'PO-2026-117',
    lineItems: [
      { lineItemType: 'STANDING_CHARGE', description: 'Platform subscription', quantity: 1, subtotal: 499, productId: 'prod-platform', servicePeriodStartDate: `${month}-01`, servicePeriodEndDate: `${nextMonth(month)}-01` },
      {
        lineItemType: 'USAGE',
        description: 'API calls',
        quantity: units,
        subtotal: usageSubtotal,
        productId: 'prod-api',
        aggregationId: 'agg-api-calls',
        usagePerPricingBand: [
          { lowerLimit: 0, bandUnits: band1, unitPrice: 0.0001, bandSubtotal: round(band1 * 0.0001) },
          { lowerLimit: 1_000_000, bandUnits: band2, unitPrice: 0.00008, bandSubtotal: round(band2 * 0.00008) },
        ],
      },
      { lineItemType: 'USAGE_CREDIT', description: 'Service credit', quantity: 1, subtotal: 25.5 },
    ],
  };
}

function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
