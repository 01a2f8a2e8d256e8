import { z } from 'zod';
import { ApiError } from './errors';

/** m3ter's list envelope: `{ data, nextToken }`; the client re-sends the query plus nextToken. */
export const listEnvelope = <T extends z.ZodTypeAny>(item: T) => z.object({ data: z.array(item), nextToken: z.string().optional() });

export const pageQuery = (max = 200) => ({
  pageSize: z.coerce.number().int().min(1).max(max).default(max === 100 ? 100 : 200).optional(),
  nextToken: z.string().max(200).optional(),
});

/** Offsets travel opaque, so a client can't depend on their form. */
export function decodeNextToken(token: string | undefined): number {
  if (!token) return 0;
  const offset = Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!Number.isInteger(offset) || offset < 0) throw new ApiError(400, 'nextToken: not a token this API issued; send the nextToken of the previous page unchanged');
  return offset;
}

/** Fetch one more than the page so we know whether a next page exists. */
export function page<T>(rows: T[], offset: number, pageSize: number): { data: T[]; nextToken?: string } {
  const data = rows.slice(0, pageSize);
  return rows.length > pageSize ? { data, nextToken: Buffer.from(String(offset + pageSize)).toString('base64url') } : { data };
}

/** Comma-joined array query parameters (`ids=a,b`), as m3ter's SDKs send them. */
export const commaList = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean))
  .optional();

/**
 * Keyset page tokens: the token names the last entity of the page (by kind, e.g. `run`), so entities
 * added while a client pages through neither repeat nor go missing.
 */
export function encodeKeysetToken(kind: string, lastId: string): string {
  return Buffer.from(`${kind}:${lastId}`).toString('base64url');
}

export function decodeKeysetToken(kind: string, token: string | undefined): string | undefined {
  if (!token) return undefined;
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const id = text.startsWith(`${kind}:`) ? text.slice(kind.length + 1) : '';
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new ApiError(400, 'nextToken: not a token this API issued; send the nextToken of the previous page unchanged');
  return id;
}
