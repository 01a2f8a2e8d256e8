import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SignJWT, importPKCS8 } from 'jose';
import { type GeneratedKeyPair, type KeyKind, generateKeyPair } from '../../demo/keyPair';
import { type RunningEmulator, startEmulator } from '../../emulator/server';

export const ACCOUNT = '1234567_SB1';
export const HOST_FORM = '1234567-sb1';
export const CLIENT_ID = 'client-0123456789abcdef';
export const CERTIFICATE_ID = 'cert-ec-1';

/** The internal id a write's Location header points at (`…/invoice/1001` → `1001`). */
export const idFrom = (response: Response): string => response.headers.get('location')?.split('/').pop() ?? '';

/** A hand-driven clock so expiry tests need no waiting. */
export class Clock {
  constructor(public ms = Date.UTC(2025, 0, 15, 12, 0, 0)) {}
  readonly now = (): number => this.ms;
  get seconds(): number {
    return Math.floor(this.ms / 1000);
  }
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

export async function makeKeys(kind: KeyKind): Promise<GeneratedKeyPair & { cleanup(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ns-emulator-keys-'));
  const keys = await generateKeyPair({ dir, kind });
  return { ...keys, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface AssertionOptions {
  privateKeyPem: string;
  alg?: string;
  kid?: string | null;
  typ?: string;
  iss?: string;
  aud?: string;
  scope?: unknown;
  iat?: number;
  exp?: number;
}

export async function signAssertion(clock: Clock, emulator: RunningEmulator, options: AssertionOptions): Promise<string> {
  const alg = options.alg ?? 'ES256';
  const key = await importPKCS8(options.privateKeyPem, alg);
  const iat = options.iat ?? clock.seconds;
  const header: Record<string, unknown> = { alg, typ: options.typ ?? 'JWT' };
  if (options.kid !== null) header.kid = options.kid ?? CERTIFICATE_ID;
  return new SignJWT({ scope: options.scope ?? ['restlets', 'rest_webservices'], jti: `jti-${Math.random()}` })
    .setProtectedHeader(header as { alg: string })
    .setIssuer(options.iss ?? CLIENT_ID)
    .setAudience(options.aud ?? emulator.tokenUrl(ACCOUNT))
    .setIssuedAt(iat)
    .setExpirationTime(options.exp ?? iat + 3600)
    .sign(key);
}

export function requestToken(emulator: RunningEmulator, form: Record<string, string>, account = HOST_FORM): Promise<Response> {
  return fetch(`${emulator.url}/${account}/services/rest/auth/oauth2/v1/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
}

export function tokenForm(assertion: string): Record<string, string> {
  return {
    grant_type: 'client_credentials',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion,
  };
}

export interface Harness {
  emulator: RunningEmulator;
  clock: Clock;
  keys: GeneratedKeyPair;
  token(): Promise<string>;
  api(method: string, pathAndQuery: string, body?: unknown, token?: string): Promise<Response>;
  close(): Promise<void>;
}

/** An emulator with one account, an EC certificate, two customers, two items and one custom column field. */
export async function startHarness(options: { keys?: GeneratedKeyPair; seed?: number } = {}): Promise<Harness> {
  const clock = new Clock();
  const emulator = await startEmulator({ now: clock.now, seed: options.seed });
  const owned = options.keys === undefined ? await makeKeys('ec256') : undefined;
  const keys = options.keys ?? owned!;
  await seedAccount(emulator, keys);

  const token = async (): Promise<string> => {
    const response = await requestToken(emulator, tokenForm(await signAssertion(clock, emulator, { privateKeyPem: keys.privateKeyPem })));
    if (response.status !== 200) throw new Error(`token request failed: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { access_token: string }).access_token;
  };
  let cached: string | undefined;
  const api = async (method: string, pathAndQuery: string, body?: unknown, explicit?: string): Promise<Response> => {
    const bearer = explicit ?? (cached ??= await token());
    return fetch(`${emulator.url}/${HOST_FORM}/services/rest/record/v1/${pathAndQuery}`, {
      method,
      headers: {
        authorization: `Bearer ${bearer}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  };
  return {
    emulator,
    clock,
    keys,
    token,
    api,
    close: async () => {
      await emulator.close();
      await (owned as { cleanup?: () => Promise<void> } | undefined)?.cleanup?.();
    },
  };
}

export async function seedAccount(emulator: RunningEmulator, keys: GeneratedKeyPair): Promise<void> {
  const { admin } = emulator;
  await admin.createAccount({ accountId: ACCOUNT });
  await admin.registerCertificate({ accountId: ACCOUNT, certificateId: CERTIFICATE_ID, clientId: CLIENT_ID, certificatePem: keys.certificatePem });
  await admin.addCustomer({ accountId: ACCOUNT, id: '501', externalId: 'm3ter-acme', name: 'Acme Ltd' });
  await admin.addItem({ accountId: ACCOUNT, id: '77', externalId: 'usage-api-calls', name: 'API calls' });
  await admin.addItem({ accountId: ACCOUNT, id: '78', name: 'Platform fee' });
  await admin.addCustomField({ accountId: HOST_FORM, scriptId: 'custcol_m3ter_external_line_item' });
}

export function invoiceBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    entity: { externalId: 'M3TER-ACME' },
    tranDate: '2025-01-31',
    dueDate: '2025-02-28',
    currency: { id: '1' },
    memo: 'January usage',
    item: {
      items: [
        { item: { id: '77' }, quantity: 1000, rate: 0.012, amount: 12, custcol_m3ter_external_line_item: 'line-1' },
        { item: { externalId: 'usage-api-calls' }, quantity: 1, rate: 99.99, description: 'Platform' },
      ],
    },
    ...overrides,
  };
}

export async function errorDetail(response: Response): Promise<{ detail: string; 'o:errorCode': string; 'o:errorPath'?: string }> {
  const body = (await response.json()) as { 'o:errorDetails': Array<{ detail: string; 'o:errorCode': string; 'o:errorPath'?: string }> };
  const first = body['o:errorDetails'][0];
  if (first === undefined) throw new Error('no error detail');
  return first;
}
