import type { AccessToken, NetSuiteClient } from './client';
import { withoutCallLimits } from './callLimits';

export interface CredentialSecret {
  id: string;
  version: number;
  accountId: string;
  certificateId: string;
  clientId: string;
  /** Decrypts the private key on demand, so it is held in memory only while signing. */
  privateKeyPem: () => string;
}

/**
 * Access tokens per credential, kept in this worker's memory only (never in workflow history or the
 * database), reused until shortly before they expire, and dropped when NetSuite answers 401.
 * Concurrent callers share one token request.
 */
export class TokenProvider {
  private readonly cache = new Map<string, AccessToken>();
  private readonly inFlight = new Map<string, Promise<AccessToken>>();

  constructor(
    private readonly client: NetSuiteClient,
    private readonly options: {
      now?: () => number;
      refreshMarginMs?: number;
      /** Told of every token NetSuite issues, before it is used: the credential has proved itself (db/credentials markTokenObtained). */
      onTokenObtained?: (credential: CredentialSecret) => Promise<void>;
    } = {},
  ) {}

  async get(credential: CredentialSecret): Promise<string> {
    const key = cacheKey(credential);
    const now = (this.options.now ?? Date.now)();
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt - (this.options.refreshMarginMs ?? 120_000) > now) return cached.value;
    let pending = this.inFlight.get(key);
    if (!pending) {
      // Shared by every caller waiting on this credential: not bound by the limits of whichever started it.
      pending = withoutCallLimits(() => this.fetch(credential, now)).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return (await pending).value;
  }

  invalidate(credential: Pick<CredentialSecret, 'id' | 'version'>, token?: string): void {
    const key = cacheKey(credential);
    if (!token || this.cache.get(key)?.value === token) this.cache.delete(key);
  }

  private async fetch(credential: CredentialSecret, now: number): Promise<AccessToken> {
    const { accountId, certificateId, clientId } = credential;
    const token = await this.client.requestTokenWithKey({ accountId, certificateId, clientId, privateKeyPem: credential.privateKeyPem() }, new Date(now));
    await this.options.onTokenObtained?.(credential);
    this.cache.set(cacheKey(credential), token);
    return token;
  }
}

function cacheKey(credential: Pick<CredentialSecret, 'id' | 'version'>): string {
  return `${credential.id}@${credential.version}`;
}
