import { z } from 'zod';
import { storedInteger } from './storedInteger';

export const addressSchema = z
  .object({
    addressLine1: z.string().optional(),
    addressLine2: z.string().optional(),
    addressLine3: z.string().optional(),
    addressLine4: z.string().optional(),
    locality: z.string().optional(),
    region: z.string().optional(),
    postCode: z.string().optional(),
    country: z.string().optional(),
  })
  .strict();

/** An m3ter account as our API and CLI accept it (m3ter's field names). */
export const accountInputSchema = z.object({
  code: z.string().min(1).max(200),
  name: z.string().min(1).max(200),
  emailAddress: z.string().email(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD').optional(),
  customFields: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
  address: addressSchema.optional(),
  parentAccountId: z.string().uuid().optional(),
  purchaseOrderNumber: z.string().optional(),
  daysBeforeBillDue: storedInteger().min(0).optional(),
});
export type AccountInput = z.input<typeof accountInputSchema>;

/** The fields of an account that filters and the invoice builder look at. */
export interface AccountView {
  id: string;
  code: string;
  name: string;
  emailAddress: string;
  currency: string | null;
  parentAccountId: string | null;
  customFields: Record<string, string | number>;
  address: z.infer<typeof addressSchema> | null;
}
