import type { ReferenceTarget } from './state';

/** A NetSuite record reference in a request body: `{ "id": "5" }` or `{ "externalId": "acme" }`. */
export function resolveReference(value: unknown, targets: Map<string, ReferenceTarget>): ReferenceTarget | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { id, externalId } = value as { id?: unknown; externalId?: unknown };
  if (id !== undefined) {
    if (typeof id !== 'string' && typeof id !== 'number') return undefined;
    const byId = targets.get(String(id));
    // When both are sent they must agree, otherwise the client is confused about which record it means.
    if (byId === undefined || externalId === undefined) return byId;
    return typeof externalId === 'string' && sameExternalId(byId.externalId, externalId) ? byId : undefined;
  }
  if (typeof externalId !== 'string') return undefined;
  for (const target of targets.values()) {
    if (sameExternalId(target.externalId, externalId)) return target;
  }
  return undefined;
}

export function sameExternalId(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}

/** Letters, digits, `_` and `-`: a `|` or a space breaks NetSuite's eid: parsing. */
export const EXTERNAL_ID_PATTERN = /^[A-Za-z0-9_-]+$/;

export function isValidExternalId(value: unknown): value is string {
  return typeof value === 'string' && EXTERNAL_ID_PATTERN.test(value);
}

export function toReference(target: ReferenceTarget): { id: string; refName: string } {
  return { id: target.id, refName: target.name };
}
