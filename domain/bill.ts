import { z } from 'zod';
import { lineItemTypeSchema, signedAmount } from './lineItemType';
import { isStorableAmount, isStorableQuantity, MAX_AMOUNT, MAX_QUANTITY, MIN_QUANTITY, sumToCents } from './money';
import { storedInteger } from './storedInteger';

/** A real calendar day PostgreSQL can store (the pattern alone would let 2026-13-45 through). */
export function isCalendarDate(text: string): boolean {
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text && date.getUTCFullYear() >= 1;
}

export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written YYYY-MM-DD')
  .refine(isCalendarDate, 'must be a real calendar date (YYYY-MM-DD)');
const decimal = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal number')]).transform(Number);
/** An amount of money NetSuite can hold (domain/money.ts). */
const amount = decimal.refine(isStorableAmount, `must be a finite amount no larger than ${MAX_AMOUNT.toLocaleString('en-US')} either way (NetSuite keeps 15 significant digits)`);
/** A count of units NetSuite can hold, that a rate can be worked out from. */
const quantity = decimal.refine(isStorableQuantity, `must be 0, or between ${MIN_QUANTITY.toFixed(9)} and ${MAX_QUANTITY.toLocaleString('en-US')} either way (NetSuite keeps 15 significant digits)`);

export const pricingBandSchema = z.object({
  pricingBandId: z.string().optional(),
  bandQuantity: quantity.optional(),
  bandUnits: quantity.optional(),
  bandSubtotal: amount,
  convertedBandSubtotal: amount.optional(),
  unitPrice: amount.optional(),
  fixedPrice: amount.optional(),
  lowerLimit: quantity.optional(),
});

/** A bill line item with m3ter's field names; the required ones are those m3ter always sends. */
export const lineItemSchema = z.object({
  id: z.string().uuid('must be a UUID (or leave it out and one is assigned)').optional(),
  lineItemType: lineItemTypeSchema,
  description: z.string(),
  quantity,
  units: quantity.optional(),
  unit: z.string().optional(),
  subtotal: amount,
  averageUnitPrice: amount.optional(),
  currency: z.string().optional(),
  conversionRate: quantity.optional(),
  convertedSubtotal: amount.optional(),
  productId: z.string().optional(),
  productName: z.string().optional(),
  productCode: z.string().optional(),
  accountingProductId: z.string().optional(),
  aggregationId: z.string().optional(),
  compoundAggregationId: z.string().optional(),
  meterId: z.string().optional(),
  planId: z.string().optional(),
  pricingId: z.string().optional(),
  commitmentId: z.string().optional(),
  contractId: z.string().optional(),
  creditTypeId: z.string().optional(),
  referencedBillId: z.string().optional(),
  referencedLineItemId: z.string().optional(),
  sequenceNumber: storedInteger().optional(),
  servicePeriodStartDate: z.string().optional(),
  servicePeriodEndDate: z.string().optional(),
  usagePerPricingBand: z.array(pricingBandSchema).optional(),
});
export type LineItemInput = z.input<typeof lineItemSchema>;

/** A line item as stored and answered: the same fields, amounts already numbers, id and position set. */
export const storedLineItemSchema = lineItemSchema.extend({
  id: z.string(),
  sequenceNumber: z.number().int(),
  quantity: z.number(),
  units: z.number().optional(),
  subtotal: z.number(),
  averageUnitPrice: z.number().optional(),
  conversionRate: z.number().optional(),
  convertedSubtotal: z.number().optional(),
  usagePerPricingBand: z
    .array(
      pricingBandSchema.extend({
        bandQuantity: z.number().optional(),
        bandUnits: z.number().optional(),
        bandSubtotal: z.number(),
        convertedBandSubtotal: z.number().optional(),
        unitPrice: z.number().optional(),
        fixedPrice: z.number().optional(),
        lowerLimit: z.number().optional(),
      }),
    )
    .optional(),
});
/** A stored line item always has an id and a position. */
export type LineItem = z.infer<typeof lineItemSchema> & { id: string; sequenceNumber: number };

export const BILL_STATUSES = ['PENDING', 'APPROVED'] as const;
export const BILLING_FREQUENCIES = ['DAILY', 'WEEKLY', 'MONTHLY', 'ANNUALLY', 'AD_HOC', 'MIXED'] as const;

/** The most line items one bill may have (m3ter's own bills stay far below it). */
export const MAX_LINE_ITEMS = 10_000;

/**
 * How many of `bills` (in order) one page shows with their line items, so a page never holds more
 * lines than one bill may: at least one bill, then as many as fit in MAX_LINE_ITEMS lines. Without
 * this bound 200 bills of 10,000 lines each would be 2 million lines in one answer.
 */
export function billsWithinLineBudget(lineCounts: readonly number[], budget = MAX_LINE_ITEMS): number {
  let lines = 0;
  let fit = 0;
  for (const count of lineCounts) {
    if (fit > 0 && lines + count > budget) break;
    lines += count;
    fit++;
  }
  return fit;
}

/** What the billing engine upstream sends to create or recalculate a bill. */
export const billInputSchema = z.object({
  id: z.string().uuid().optional(),
  accountId: z.string().min(1),
  billDate: isoDate,
  dueDate: isoDate.optional(),
  startDate: isoDate.optional(),
  endDate: isoDate.optional(),
  billingFrequency: z.enum(BILLING_FREQUENCIES).optional(),
  billTotal: amount.optional(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD'),
  externalInvoiceDate: isoDate.optional(),
  externalInvoiceReference: z.string().optional(),
  sequentialInvoiceNumber: z.string().optional(),
  purchaseOrderNumber: z.string().optional(),
  timezone: z.string().optional(),
  lineItems: z
    .array(lineItemSchema)
    .max(MAX_LINE_ITEMS)
    .superRefine((lines, ctx) => {
      // Stored under (bill, version, id): a repeated id would be refused by PostgreSQL naming no field.
      const firstWithId = new Map<string, number>();
      lines.forEach((line, index) => {
        if (line.id === undefined) return;
        const first = firstWithId.get(line.id);
        if (first === undefined) firstWithId.set(line.id, index);
        else ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `repeats the id of line item ${first}; give each line item its own id, or leave it out and one is assigned` });
      });
      // Each line may fit while their sum does not: the invoice total must fit too. (A line that does
      // not fit is reported on its own field.)
      if (!lines.every((l) => isStorableAmount(l.subtotal))) return;
      const cents = sumToCents(lines.map((l) => signedAmount(l.lineItemType, l.subtotal)));
      if (!isStorableAmount(cents / 100)) ctx.addIssue({ code: 'custom', message: `the line items add up to more than ${MAX_AMOUNT.toLocaleString('en-US')} either way, more than NetSuite can hold in one total; split the bill` });
    }),
});
export type BillInput = z.input<typeof billInputSchema>;
export type ParsedBillInput = z.infer<typeof billInputSchema>;
