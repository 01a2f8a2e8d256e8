import { Agent, errors, request, RetryAgent, type Dispatcher } from 'undici';
import { z } from 'zod';

/**
 * The few calls of m3ter's public API the mirror makes — a service user's token, then listings page
 * by page — over undici. undici's RetryAgent retries what m3ter's own SDKs retry (429 and 5xx,
 * honouring Retry-After, and dropped connections) with a growing back-off; an expired token is
 * replaced once per request. Every other failure is one of the typed errors below.
 */

export interface M3terSourceCredentials {
  baseUrl: string;
  m3terOrgId: string;
  apiKey: string;
  apiSecret: string;
}

export interface M3terPage<T> {
  data: T[];
  /** Items not in the documented shape, left out of `data`: one bad item must not stop the others. */
  invalid: { index: number; id?: string; issue: string }[];
  nextToken?: string;
}

export interface M3terClientOptions {
  dispatcher?: Dispatcher;
  /** Per request, retries excluded. */
  timeoutMs?: number;
  /** Retries of a 429, a 5xx or a dropped connection before the request fails. */
  maxRetries?: number;
  /** The longest pause between two tries, whatever Retry-After asks. */
  maxRetryDelayMs?: number;
  now?: () => number;
  /** Told of every request sent (retries included), for the pass's request count. */
  onRequest?: () => void;
}

/** m3ter refused the service user's key or secret: nothing will work until they are corrected. */
export class M3terAuthError extends Error {
  constructor(status: number) {
    super(`m3ter refused the service user's API key and secret (HTTP ${status}): check them in m3ter (Settings → Access → Service users) and connect the source again with the right ones`);
    this.name = 'M3terAuthError';
  }
}

/** The token works but this request is refused (403, 404, 400): the service user lacks a permission, or the org id is wrong. */
export class M3terRequestError extends Error {
  /** The answer was m3ter's error shape (JSON with a message), not, say, a proxy's HTML page. */
  readonly inM3terShape: boolean;

  constructor(
    readonly status: number,
    readonly path: string,
    /** m3ter's `message`; undefined when the answer was not in its shape. */
    detail: string | undefined,
  ) {
    super(
      `m3ter answered ${status} to GET ${path}${detail ? `: ${detail}` : ''}; ` +
        (status === 403 || status === 404
          ? 'check the source\'s m3terOrgId and that the service user may read accounts, external mappings and bills'
          : 'this is a request m3ter does not accept; report it with the path above'),
    );
    this.name = 'M3terRequestError';
    this.inM3terShape = detail !== undefined;
  }
}

/** m3ter kept answering 429 or 5xx, or could not be reached, after every retry. The mirror tries again later. */
export class M3terUnavailableError extends Error {
  constructor(detail: string) {
    super(`m3ter could not be reached or kept refusing (${detail}); the mirror resumes from the same page on its next try`);
    this.name = 'M3terUnavailableError';
  }
}

/** A listing read whole (a bill's line items) has more items than this service takes. */
export class TooManyItemsError extends Error {
  constructor(path: string, max: number) {
    super(`${path}: more than ${max.toLocaleString('en-US')} items, more than this service takes for one bill`);
    this.name = 'TooManyItemsError';
  }
}

/** m3ter answered with something that is not the documented shape. */
export class M3terResponseError extends Error {
  constructor(path: string, issue: string) {
    super(`m3ter's answer to GET ${path} is not what its API documents (${issue}); nothing of that page was stored`);
    this.name = 'M3terResponseError';
  }
}

/** The largest answer read from m3ter: a page of 200 line items with every field is well under 1 MB. */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

const tokenSchema = z.object({ access_token: z.string().min(1), expires_in: z.number().positive().optional() });
const pageSchema = z.object({ data: z.array(z.unknown()), nextToken: z.string().nullish() });

export class M3terClient {
  private readonly dispatcher: Dispatcher;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  /** The base URL without a trailing slash, the paths joined to it. */
  private readonly baseUrl: string;
  private token?: { value: string; expiresAt: number };

  constructor(
    private readonly source: M3terSourceCredentials,
    private readonly options: M3terClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.now = options.now ?? Date.now;
    this.baseUrl = source.baseUrl.replace(/\/+$/, '');
    // A page is a few hundred KB; anything past the bound is not m3ter's answer and is cut off, not buffered.
    const agent = options.dispatcher ?? new Agent({ headersTimeout: this.timeoutMs, bodyTimeout: this.timeoutMs, connections: 4, maxResponseSize: MAX_RESPONSE_BYTES });
    this.dispatcher = new RetryAgent(agent, {
      maxRetries: options.maxRetries ?? 5,
      minTimeout: 500,
      maxTimeout: options.maxRetryDelayMs ?? 60_000,
      timeoutFactor: 2,
      // The token request is safe to repeat: it creates nothing.
      methods: ['GET', 'POST'],
      statusCodes: [429, 500, 502, 503, 504],
    });
  }

  /** One page of a listing under `/organizations/{orgId}/`, e.g. `bills` with its query (its `pageSize` is a bound, too). */
  async page<T>(path: string, query: Record<string, string | number | boolean | undefined>, item: z.ZodType<T>): Promise<M3terPage<T>> {
    const body = await this.get(path, query);
    const page = pageSchema.safeParse(body);
    if (!page.success) throw new M3terResponseError(path, 'expected {data: [...], nextToken}');
    if (typeof query.pageSize === 'number' && page.data.data.length > query.pageSize) throw new M3terResponseError(path, `${page.data.data.length} items on a page of ${query.pageSize}`);
    const data: T[] = [];
    const invalid: M3terPage<T>['invalid'] = [];
    for (const [index, raw] of page.data.data.entries()) {
      const parsed = item.safeParse(raw);
      if (parsed.success) {
        data.push(parsed.data);
        continue;
      }
      const issue = parsed.error.issues[0];
      const id = (raw as { id?: unknown } | null)?.id;
      invalid.push({ index, ...(typeof id === 'string' && UUID.test(id) ? { id } : {}), issue: `${issue?.path.join('.') || 'item'}: ${issue?.message ?? 'invalid'}` });
    }
    return { data, invalid, nextToken: page.data.nextToken || undefined };
  }

  /** Every item of a small listing (a bill's line items), refused past `maxItems`. */
  async all<T>(path: string, query: Record<string, string | number | boolean | undefined> & { pageSize: number }, item: z.ZodType<T>, maxItems: number): Promise<T[]> {
    const items: T[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.page(path, { ...query, nextToken }, item);
      if (page.invalid.length > 0) throw new M3terResponseError(path, `data[${page.invalid[0]!.index}].${page.invalid[0]!.issue}`);
      items.push(...page.data);
      if (items.length > maxItems) throw new TooManyItemsError(path, maxItems);
      nextToken = page.nextToken;
    } while (nextToken);
    return items;
  }

  /**
   * Whether m3ter says the entity at `path` does not exist: a 404 in m3ter's own shape (a JSON
   * `{message}`), not a proxy's page or a refusal for want of a permission. Any other refusal is "not
   * known to be gone"; m3ter being away is thrown, for the pass to be retried.
   */
  async isGone(path: string): Promise<boolean> {
    try {
      await this.get(path);
      return false;
    } catch (error) {
      if (error instanceof M3terRequestError) return error.status === 404 && error.inM3terShape;
      throw error;
    }
  }

  /** A GET under the organization's path; an expired or revoked token is replaced once. */
  async get(path: string, query: Record<string, string | number | boolean | undefined> = {}): Promise<unknown> {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) search.set(key, String(value));
    const url = `${this.baseUrl}/organizations/${encodeURIComponent(this.source.m3terOrgId)}/${path}${search.size ? `?${search}` : ''}`;
    for (let attempt = 0; ; attempt++) {
      const token = await this.bearer(attempt > 0);
      const response = await this.send(url, path, { method: 'GET', headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
      if (response.status === 401 && attempt === 0) continue;
      if (response.status === 401) throw new M3terAuthError(401);
      if (response.status >= 400) throw new M3terRequestError(response.status, path, messageOf(response.text));
      try {
        return JSON.parse(response.text) as unknown;
      } catch {
        throw new M3terResponseError(path, 'not JSON');
      }
    }
  }

  private async bearer(renew: boolean): Promise<string> {
    // A minute early: a token must not expire between being chosen and being read.
    if (!renew && this.token && this.token.expiresAt - 60_000 > this.now()) return this.token.value;
    const basic = Buffer.from(`${this.source.apiKey}:${this.source.apiSecret}`).toString('base64');
    const response = await this.send(`${this.baseUrl}/oauth/token`, '/oauth/token', {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials' }),
    });
    const text = response.text;
    if (response.status === 400 || response.status === 401 || response.status === 403) throw new M3terAuthError(response.status);
    if (response.status >= 400) throw new M3terRequestError(response.status, '/oauth/token', messageOf(text));
    let parsed: z.infer<typeof tokenSchema>;
    try {
      parsed = tokenSchema.parse(JSON.parse(text));
    } catch {
      throw new M3terResponseError('/oauth/token', 'expected {access_token, expires_in}');
    }
    this.token = { value: parsed.access_token, expiresAt: this.now() + (parsed.expires_in ?? 300) * 1000 };
    return this.token.value;
  }

  /** One request and its whole answer; a failure that is not m3ter's answer becomes a typed error. */
  private async send(url: string, path: string, options: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string }): Promise<{ status: number; text: string }> {
    this.options.onRequest?.();
    try {
      const response = await request(url, { ...options, dispatcher: this.dispatcher, headersTimeout: this.timeoutMs, bodyTimeout: this.timeoutMs });
      return { status: response.statusCode, text: await response.body.text() };
    } catch (error) {
      if (error instanceof errors.ResponseExceededMaxSizeError) throw new M3terResponseError(path, `an answer larger than ${MAX_RESPONSE_BYTES / 1024 / 1024} MB`);
      if (error instanceof errors.RequestRetryError) throw new M3terUnavailableError(`HTTP ${error.statusCode} after retries`);
      if (error instanceof errors.UndiciError || isNetworkError(error)) throw new M3terUnavailableError((error as Error).message);
      throw error;
    }
  }
}

/** m3ter's error bodies are `{message}`; the message is shown, cut short, never the whole body. Undefined when the body is not that shape. */
function messageOf(text: string): string | undefined {
  try {
    const message = (JSON.parse(text) as { message?: unknown }).message;
    return typeof message === 'string' ? message.slice(0, 300) : undefined;
  } catch {
    return undefined;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isNetworkError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code);
}
