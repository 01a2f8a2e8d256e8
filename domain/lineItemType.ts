import { z } from 'zod';

/** m3ter's bill line item types, as its API spells them. */
export const LINE_ITEM_TYPES = [
  'STANDING_CHARGE',
  'USAGE',
  'COUNTER_RUNNING_TOTAL_CHARGE',
  'COUNTER_ADJUSTMENT_DEBIT',
  'COUNTER_ADJUSTMENT_CREDIT',
  'USAGE_CREDIT',
  'MINIMUM_SPEND',
  'MINIMUM_SPEND_REFUND',
  'CREDIT_DEDUCTION',
  'MANUAL_ADJUSTMENT',
  'CREDIT_MEMO',
  'DEBIT_MEMO',
  'COMMITMENT_CONSUMED',
  'COMMITMENT_FEE',
  'OVERAGE_SURCHARGE',
  'OVERAGE_USAGE',
  'BALANCE_CONSUMED',
  'BALANCE_FEE',
  'AD_HOC',
] as const;

export const lineItemTypeSchema = z.enum(LINE_ITEM_TYPES);
export type LineItemType = z.infer<typeof lineItemTypeSchema>;

/**
 * Types that reduce what the customer owes. m3ter may send their subtotals positive; NetSuite must
 * receive them negative or the invoice total would exceed the bill.
 */
export const CREDIT_LINE_ITEM_TYPES: ReadonlySet<LineItemType> = new Set([
  'USAGE_CREDIT',
  'CREDIT_MEMO',
  'CREDIT_DEDUCTION',
  'COUNTER_ADJUSTMENT_CREDIT',
  'MINIMUM_SPEND_REFUND',
]);

/**
 * The amount as NetSuite must receive it: credits always reduce the invoice, whatever sign m3ter
 * gave them; every other line keeps its own sign (a negative manual adjustment stays negative).
 */
export function signedAmount(lineItemType: LineItemType, amount: number): number {
  return CREDIT_LINE_ITEM_TYPES.has(lineItemType) ? -Math.abs(amount) : amount;
}
