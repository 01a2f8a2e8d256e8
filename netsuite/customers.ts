import type { NetSuiteClient } from './client';
import type { CredentialSecret } from './tokenProvider';

/**
 * NetSuite's internal ids of customers, looked up by their externalId (`GET customer/eid:…`) and kept
 * a short while per credential, so a month-end burst asks once per customer, not once per bill, while
 * a customer created or changed in NetSuite is seen within minutes. A customer NetSuite lacks is not
 * remembered: the user is likely creating it right now, and the re-run that follows must see it.
 */
export class CustomerDirectory {
  private readonly cache = new Map<string, { internalId: string; until: number }>();

  constructor(
    private readonly client: NetSuiteClient,
    private readonly options: { foundTtlMs?: number; maxEntries?: number; now?: () => number } = {},
  ) {}

  /** The customer's internal id, or undefined when NetSuite has no customer with that externalId. */
  async resolve(credential: CredentialSecret, token: string, externalId: string): Promise<string | undefined> {
    const now = (this.options.now ?? Date.now)();
    const key = `${credential.id}:${credential.version}:${externalId.toLowerCase()}`;
    const cached = this.cache.get(key);
    if (cached && cached.until > now) return cached.internalId;
    const internalId = (await this.client.findCustomer(credential.accountId, token, { externalId }))?.id;
    this.cache.delete(key);
    if (!internalId) return undefined;
    this.cache.set(key, { internalId, until: now + (this.options.foundTtlMs ?? 300_000) });
    // Bounded: the oldest entries go first (a Map keeps insertion order).
    for (const oldest of this.cache.keys()) {
      if (this.cache.size <= (this.options.maxEntries ?? 20_000)) break;
      this.cache.delete(oldest);
    }
    return internalId;
  }
}
