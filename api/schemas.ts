import { z } from 'zod';

/** Path parameters of every organization route. */
export const orgParams = z.object({ orgId: z.string().uuid() });
export const orgIdParams = z.object({ orgId: z.string().uuid(), id: z.string().uuid() });

export const messageSchema = z.object({ message: z.string() });

/** The error answers every route may give, for the OpenAPI document. */
export const errorResponses = { 400: messageSchema, 401: messageSchema, 404: messageSchema, 409: messageSchema, 413: messageSchema, 429: messageSchema };

/** m3ter's common response fields. */
export const commonFields = {
  id: z.string(),
  version: z.number().int(),
  dtCreated: z.string().optional(),
  dtLastModified: z.string().optional(),
  createdBy: z.string().nullish(),
  lastModifiedBy: z.string().nullish(),
};

export function iso(date: Date | null | undefined): string | undefined {
  return date ? date.toISOString() : undefined;
}

/** Query booleans as m3ter's SDKs send them (`true`/`false`, in any case). */
export const queryBoolean = z
  .union([z.boolean(), z.enum(['true', 'false', 'TRUE', 'FALSE', 'True', 'False'])])
  .transform((v) => (typeof v === 'boolean' ? v : v.toLowerCase() === 'true'))
  .optional();
