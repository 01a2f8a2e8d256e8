import { Agent, request, type Dispatcher } from 'undici';
import type { NetSuiteInvoice } from '../domain/invoiceBuilder';
import {
  isPeriodClosed,
  isRecordChanged,
  NetSuiteAuthError,
  NetSuiteLoginError,
  NetSuiteNotFoundError,
  NetSuitePeriodClosedError,
  NetSuiteThrottledError,
  NetSuiteUnavailableError,
  NetSuiteValidationError,
  parseErrorDetails,
} from './errors';
import { signClientAssertion } from './assertion';
import { currentCallLimits } from './callLimits';
import { ConcurrencySlotTimeoutError, type ConcurrencyGate } from './gate';
import type { NetSuiteObserver, NetSuiteOperation } from './observer';
import { NetSuiteUrls } from './urls';
import { parseAccountId } from '../domain/accountId';
import type { NetSuiteRecordType } from '../domain/externalId';

/** A transaction as NetSuite's REST record service returns it: read defensively, field by field. */
export type NetSuiteRecord = { id: string; [field: string]: unknown };

function operation(verb: 'upsert' | 'get' | 'delete', type: NetSuiteRecordType): NetSuiteOperation {
  return `${verb}${type === 'invoice' ? 'Invoice' : 'CreditMemo'}`;
}

export interface AccessToken {
  value: string;
  expiresAt: number;
}

export interface NetSuiteClientOptions {
  urlTemplate: string;
  /** Where NetSuite's UI pages are (the links runs carry); NetSuite's app host by default. */
  uiUrlTemplate?: string;
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
    this.urls = new NetSuiteUrls(options.urlTemplate, options.uiUrlTemplate);
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.dispatcher = options.dispatcher ?? new Agent({ headersTimeout: this.timeoutMs, bodyTimeout: this.timeoutMs, connections: 64 });
    this.now = options.now ?? Date.now;
  }

  async requestToken(accountId: string, clientAssertion: string): Promise<AccessToken> {
    return this.withSlot(accountId, () => this.tokenRequest(accountId, clientAssertion));
  }

  /** Signs a client assertion with the credential's key for this account's token URL, and asks NetSuite for an access token with it. */
  async requestTokenWithKey(credential: { accountId: string; certificateId: string; clientId: string; privateKeyPem: string }, now = new Date()): Promise<AccessToken> {
    const { accountId, ...key } = credential;
    const assertion = await signClientAssertion({ ...key, tokenUrl: this.urls.token(accountId), now });
    return this.requestToken(accountId, assertion);
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
   * `PUT {type}/eid:<externalId>?replace=item`: creates the record or replaces its content, so a retry
   * after a lost answer, or a recalculated bill, updates the one record instead of adding one.
   */
  async upsertRecord(accountId: string, token: string, type: NetSuiteRecordType, record: NetSuiteInvoice): Promise<{ internalId: string }> {
    const result = await this.withSlot(accountId, () => this.upsert(accountId, token, type, record));
    if (result.internalId) return { internalId: result.internalId };
    const stored = await this.findRecord(accountId, token, type, record.externalId);
    if (!stored) throw new NetSuiteUnavailableError(`the ${type} ${record.externalId} was written but can't be read back`);
    return { internalId: stored.id };
  }

  private async upsert(accountId: string, token: string, type: NetSuiteRecordType, record: NetSuiteInvoice): Promise<{ internalId?: string }> {
    const url = `${this.urls.record(accountId, type, `eid:${record.externalId}`)}?replace=item`;
    const { externalId: _inUrl, ...body } = record;
    const response = await this.send(accountId, operation('upsert', type), url, {
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

  /** The record with this externalId (its body fields: id, status, total, amount remaining; sublists stay links, so a 10,000-line invoice is not downloaded to read them), or undefined when NetSuite has none. */
  async findRecord(accountId: string, token: string, type: NetSuiteRecordType, externalId: string): Promise<NetSuiteRecord | undefined> {
    return this.withSlot(accountId, async () => {
      const url = this.urls.record(accountId, type, `eid:${externalId}`);
      const response = await this.send(accountId, operation('get', type), url, { method: 'GET', headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
      if (response.statusCode === 200) return (await readJson(response)) as NetSuiteRecord;
      if (response.statusCode === 404) {
        await response.body.dump();
        return undefined;
      }
      throw await this.failure(response, url);
    });
  }

  /** Deletes the record; one already gone is fine (a retry after a lost answer). */
  async deleteRecord(accountId: string, token: string, type: NetSuiteRecordType, internalId: string): Promise<void> {
    await this.withSlot(accountId, async () => {
      const url = this.urls.record(accountId, type, internalId);
      const response = await this.send(accountId, operation('delete', type), url, { method: 'DELETE', headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
      if (response.statusCode === 204 || response.statusCode === 200 || response.statusCode === 404) {
        await response.body.dump();
        return;
      }
      throw await this.failure(response, url);
    });
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

  /**
   * A customer by internal id or by external id (`GET customer/eid:{externalId}`, the look-up Oracle
   * documents): its internal id and name, or undefined when NetSuite has none.
   */
  async findCustomer(accountId: string, token: string, ref: { id: string } | { externalId: string }): Promise<{ id: string; name?: string } | undefined> {
    return this.withSlot(accountId, async () => {
      const url = this.urls.record(accountId, 'customer', 'id' in ref ? ref.id : `eid:${ref.externalId}`);
      const response = await this.send(accountId, 'getCustomer', url, { method: 'GET', headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
      if (response.statusCode === 200) {
        const customer = (await readJson(response)) as { id?: unknown; companyName?: unknown; entityId?: unknown } | undefined;
        if (!customer || !(typeof customer.id === 'string' || typeof customer.id === 'number')) throw new NetSuiteUnavailableError(`GET ${new URL(url).pathname} answered without an id`);
        const name = customer.companyName ?? customer.entityId;
        return { id: String(customer.id), ...(typeof name === 'string' ? { name } : {}) };
      }
      if (response.statusCode === 404) {
        await response.body.dump();
        return undefined;
      }
      throw await this.failure(response, url);
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
      const timeoutMs = Math.min(this.timeoutMs, currentCallLimits().requestTimeoutMs ?? Infinity);
      const response = await request(url, { ...options, dispatcher: this.dispatcher, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
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
    if (status >= 500 || status === 408 || isRecordChanged(details)) return new NetSuiteUnavailableError(`${status} ${details.map((d) => `${d.code}: ${d.detail}`).join('; ')}`);
    if (isPeriodClosed(details)) return new NetSuitePeriodClosedError(details);
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
