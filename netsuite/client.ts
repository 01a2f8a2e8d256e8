import { Agent, request, type Dispatcher } from 'undici';
import type { NetSuiteInvoice } from '../domain/invoiceBuilder';
import {
  NetSuiteAuthError,
  NetSuiteLoginError,
  NetSuiteNotFoundError,
  NetSuiteThrottledError,
  NetSuiteUnavailableError,
  NetSuiteValidationError,
  parseErrorDetails,
} from './errors';
import { ConcurrencySlotTimeoutError, type ConcurrencyGate } from './gate';
import type { NetSuiteObserver, NetSuiteOperation } from './observer';
import { NetSuiteUrls } from './urls';
import { parseAccountId } from '../domain/accountId';

export interface AccessToken {
  value: string;
  expiresAt: number;
}

export interface NetSuiteClientOptions {
  urlTemplate: string;
  /** Per request; NetSuite itself gives up after 15 minutes, we much sooner. */
  timeoutMs?: number;
  dispatcher?: Dispatcher;
  now?: () => number;
  /** Holds one of the account's concurrency slots for the length of each request. */
  gate?: ConcurrencyGate;
  /** Told about every request, for metrics. */
  observer?: NetSuiteObserver;
}

/**
 * The few NetSuite REST calls the service makes, over undici, with every failure turned into one of
 * the typed errors in ./errors. Holds no credentials: tokens are passed in by the caller.
 */
export class NetSuiteClient {
  readonly urls: NetSuiteUrls;
  private readonly dispatcher: Dispatcher;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly gate?: ConcurrencyGate;
  private readonly observer?: NetSuiteObserver;

  constructor(options: NetSuiteClientOptions) {
    this.gate = options.gate;
    this.observer = options.observer;
    this.urls = new NetSuiteUrls(options.urlTemplate);
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.dispatcher = options.dispatcher ?? new Agent({ headersTimeout: this.timeoutMs, bodyTimeout: this.timeoutMs, connections: 64 });
    this.now = options.now ?? Date.now;
  }

  async requestToken(accountId: string, clientAssertion: string): Promise<AccessToken> {
    return this.withSlot(accountId, () => this.tokenRequest(accountId, clientAssertion));
  }

  private async tokenRequest(accountId: string, clientAssertion: string): Promise<AccessToken> {
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: clientAssertion,
    }).toString();
    const response = await this.send(accountId, 'token', this.urls.token(accountId), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body });
    const json = (await readJson(response)) as Record<string, unknown> | undefined;
    if (response.statusCode === 200 && json && typeof json.access_token === 'string') {
      // Oracle documents expires_in both as a number and a string.
      const seconds = Number(json.expires_in ?? 3600);
      return { value: json.access_token, expiresAt: this.now() + (Number.isFinite(seconds) ? seconds : 3600) * 1000 };
    }
    if (response.statusCode === 429) throw new NetSuiteThrottledError(firstDetail(json) ?? 'token endpoint');
    if (response.statusCode >= 500) throw new NetSuiteUnavailableError(`token endpoint answered ${response.statusCode}`);
    throw new NetSuiteAuthError(response.statusCode, String(json?.error ?? 'unknown_error'), json?.error_description ? String(json.error_description) : undefined);
  }

  /**
   * `PUT invoice/eid:<externalId>?replace=item`: creates the invoice or replaces its content, so a
   * retry after a lost answer, or a recalculated bill, updates the one invoice instead of adding one.
   */
  async upsertInvoice(accountId: string, token: string, invoice: NetSuiteInvoice): Promise<{ internalId: string }> {
    const result = await this.withSlot(accountId, () => this.upsert(accountId, token, invoice));
    return result.internalId ? { internalId: result.internalId } : { internalId: (await this.getInvoice(accountId, token, `eid:${invoice.externalId}`)).id };
  }

  private async upsert(accountId: string, token: string, invoice: NetSuiteInvoice): Promise<{ internalId?: string }> {
    const url = `${this.urls.invoiceByExternalId(accountId, invoice.externalId)}?replace=item`;
    const { externalId: _inUrl, ...body } = invoice;
    const response = await this.send(accountId, 'upsertInvoice', url, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.statusCode === 204 || response.statusCode === 200) {
      await response.body.dump();
      const location = headerValue(response.headers.location);
      const internalId = location?.split('/').pop();
      return internalId && /^\d+$/.test(internalId) ? { internalId } : {};
    }
    throw await this.failure(response, url);
  }

  async getInvoice(accountId: string, token: string, id: string): Promise<{ id: string; [field: string]: unknown }> {
    return this.withSlot(accountId, () => this.get(accountId, token, id));
  }

  private async get(accountId: string, token: string, id: string): Promise<{ id: string; [field: string]: unknown }> {
    const url = `${this.urls.invoice(accountId, id)}?expandSubResources=true`;
    const response = await this.send(accountId, 'getInvoice', url, { method: 'GET', headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
    if (response.statusCode === 200) return (await readJson(response)) as { id: string };
    throw await this.failure(response, url);
  }

  // Read-only look-ups for the configuration check (usecases/configCheck.ts): what the invoices will
  // reference, asked before a bill fails on it. Each holds a slot like any request.

  /** Which of these item internal ids exist, with each one's name (`itemid`). */
  async findItems(accountId: string, token: string, ids: readonly string[]): Promise<Map<string, string>> {
    const numeric = ids.filter((id) => /^\d+$/.test(id));
    if (numeric.length === 0) return new Map();
    const rows = await this.suiteql(accountId, token, `SELECT id, itemid FROM item WHERE id IN (${numeric.join(', ')})`);
    return new Map(rows.map((row) => [String(row.id), String(row.itemid ?? '')]));
  }

  /** Which of these transaction column fields (`custcol…` script ids) exist, in lower case. */
  async findColumnFields(accountId: string, token: string, scriptIds: readonly string[]): Promise<Set<string>> {
    const safe = scriptIds.filter((id) => /^custcol\w+$/i.test(id));
    if (safe.length === 0) return new Set();
    // SuiteQL lists script ids upper-cased; comparing upper-cased holds either way.
    const rows = await this.suiteql(accountId, token, `SELECT scriptid FROM customfield WHERE UPPER(scriptid) IN (${safe.map((id) => `'${id.toUpperCase()}'`).join(', ')})`);
    return new Set(rows.map((row) => String(row.scriptid).toLowerCase()));
  }

  /** A customer by internal id or by external id (`GET customer/eid:{id}`): its internal id, or undefined when NetSuite has none. */
  async findCustomer(accountId: string, token: string, ref: { id: string } | { externalId: string }): Promise<{ id: string; name?: string } | undefined> {
    return this.withSlot(accountId, async () => {
      const url = this.urls.customer(accountId, ref);
      const response = await this.send(accountId, 'getCustomer', url, { method: 'GET', headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
      if (response.statusCode === 200) {
        const json = (await readJson(response)) as { id?: unknown; companyName?: unknown; entityId?: unknown } | undefined;
        const name = json?.companyName ?? json?.entityId;
        return { id: String(json?.id ?? ''), ...(typeof name === 'string' ? { name } : {}) };
      }
      const failure = await this.failure(response, url);
      if (failure instanceof NetSuiteNotFoundError) return undefined;
      throw failure;
    });
  }

  private async suiteql(accountId: string, token: string, q: string): Promise<Array<Record<string, unknown>>> {
    return this.withSlot(accountId, async () => {
      const url = this.urls.suiteql(accountId);
      const response = await this.send(accountId, 'suiteql', url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json', prefer: 'transient' },
        body: JSON.stringify({ q }),
      });
      if (response.statusCode === 200) {
        const json = (await readJson(response)) as { items?: unknown } | undefined;
        return Array.isArray(json?.items) ? (json.items as Array<Record<string, unknown>>) : [];
      }
      throw await this.failure(response, url);
    });
  }

  private async withSlot<T>(accountId: string, fn: () => Promise<T>): Promise<T> {
    if (!this.gate) return fn();
    let release: () => Promise<void>;
    try {
      release = await this.gate(parseAccountId(accountId).account);
    } catch (error) {
      if (error instanceof ConcurrencySlotTimeoutError) {
        this.observer?.slotWaitTimedOut(parseAccountId(accountId).account);
        throw new NetSuiteThrottledError(error.message);
      }
      throw error;
    }
    try {
      return await fn();
    } finally {
      await release().catch(() => undefined);
    }
  }

  private async send(accountId: string, operation: NetSuiteOperation, url: string, options: { method: Dispatcher.HttpMethod; headers: Record<string, string>; body?: string }): Promise<Dispatcher.ResponseData> {
    const account = parseAccountId(accountId).account;
    const started = performance.now();
    this.observer?.started(account);
    try {
      const response = await request(url, { ...options, dispatcher: this.dispatcher, headersTimeout: this.timeoutMs, bodyTimeout: this.timeoutMs });
      this.observer?.finished(account, operation, response.statusCode, (performance.now() - started) / 1000);
      return response;
    } catch (error) {
      this.observer?.finished(account, operation, 'error', (performance.now() - started) / 1000);
      const code = (error as { code?: string }).code;
      throw new NetSuiteUnavailableError(`${options.method} ${new URL(url).pathname} failed: ${code ?? (error as Error).message}`);
    }
  }

  private async failure(response: Dispatcher.ResponseData, url: string): Promise<Error> {
    const json = await readJson(response);
    const details = parseErrorDetails(json);
    const status = response.statusCode;
    if (status === 401) return new NetSuiteLoginError(details[0]?.detail ?? 'invalid or expired access token');
    if (status === 429) return new NetSuiteThrottledError(details[0]?.detail ?? 'Concurrent request limit exceeded');
    if (status === 404) return new NetSuiteNotFoundError(url);
    if (status >= 500 || status === 408) return new NetSuiteUnavailableError(`${status} ${details.map((d) => `${d.code}: ${d.detail}`).join('; ')}`);
    return new NetSuiteValidationError(status, details.length > 0 ? details : [{ code: 'UNKNOWN', detail: JSON.stringify(json ?? '').slice(0, 500) }]);
  }
}

async function readJson(response: Dispatcher.ResponseData): Promise<unknown> {
  try {
    const text = await response.body.text();
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

function firstDetail(json: unknown): string | undefined {
  return parseErrorDetails(json)[0]?.detail;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
