import { z } from 'zod';
import { lineItemTypeSchema } from './lineItemType';

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

export const pricingBandSchema = z.object({
  pricingBandId: z.string().optional(),
  bandQuantity: decimal.optional(),
  bandUnits: decimal.optional(),
  bandSubtotal: decimal,
  convertedBandSubtotal: decimal.optional(),
  unitPrice: decimal.optional(),
  fixedPrice: decimal.optional(),
  lowerLimit: decimal.optional(),
});

/** A bill line item with m3ter's field names; the required ones are those m3ter always sends. */
export const lineItemSchema = z.object({
  id: z.string().uuid('must be a UUID (or leave it out and one is assigned)').optional(),
  lineItemType: lineItemTypeSchema,
  description: z.string(),
  quantity: decimal,
  units: decimal.optional(),
  unit: z.string().optional(),
  subtotal: decimal,
  averageUnitPrice: decimal.optional(),
  currency: z.string().optional(),
  conversionRate: decimal.optional(),
  convertedSubtotal: decimal.optional(),
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
  sequenceNumber: z.number().int().optional(),
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

/** What the billing engine upstream sends to create or recalculate a bill. */
export const billInputSchema = z.object({
  id: z.string().uuid().optional(),
  accountId: z.string().min(1),
  billDate: isoDate,
  dueDate: isoDate.optional(),
  startDate: isoDate.optional(),
  endDate: isoDate.optional(),
  billingFrequency: z.enum(BILLING_FREQUENCIES).optional(),
  billTotal: decimal.optional(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD'),
  externalInvoiceDate: isoDate.optional(),
  externalInvoiceReference: z.string().optional(),
  sequentialInvoiceNumber: z.string().optional(),
  purchaseOrderNumber: z.string().optional(),
  timezone: z.string().optional(),
  lineItems: z.array(lineItemSchema).max(10_000),
});
export type BillInput = z.input<typeof billInputSchema>;
export type ParsedBillInput = z.infer<typeof billInputSchema>;
