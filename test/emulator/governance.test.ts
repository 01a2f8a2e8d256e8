import { ACCOUNT, type Harness, errorDetail, invoiceBody, requestToken, signAssertion, startHarness, tokenForm } from './support';

jest.setTimeout(30000);

let harness: Harness;
let token: string;

const CONCURRENCY_BODY = {
  type: 'https://www.rfc-editor.org/rfc/rfc6585.html#section-4',
  title: 'Bad Request',
  status: 429,
  'o:errorCode': 'USER_ERROR',
  'o:errorDetails': [{ detail: 'Concurrent request limit exceeded. Request blocked.', 'o:errorCode': 'CONCURRENCY_LIMIT_EXCEEDED' }],
};

beforeAll(async () => {
  harness = await startHarness({ seed: 7 });
});

beforeEach(async () => {
  const { admin } = harness.emulator;
  await admin.clearFaults(ACCOUNT);
  await admin.setFaultRates(ACCOUNT, {});
  await admin.updateSettings(ACCOUNT, { latencyMs: 0, concurrencyLimit: 5, revokeTokensEveryN: null });
  token = await harness.token();
});

afterAll(() => harness.close());

const put = (externalId: string, bearer = token) => harness.api('PUT', `invoice/eid:${externalId}`, invoiceBody(), bearer);
const invoicesWith = async (externalId: string) =>
  (await harness.emulator.admin.listInvoices(ACCOUNT)).filter((invoice) => invoice.externalId === externalId);

describe('concurrency governance', () => {
  it('refuses requests beyond the account limit with the exact 429 body and records the peak', async () => {
    const { admin } = harness.emulator;
    await admin.setLatency('1234567-sb1', 250);
    await admin.resetPeak(ACCOUNT);

    const responses = await Promise.all(Array.from({ length: 8 }, (_, index) => put(`bill-concurrent-${index}`)));
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([204, 204, 204, 204, 204, 429, 429, 429]);
    const refused = responses.find((response) => response.status === 429)!;
    expect(refused.headers.get('retry-after')).toBeNull();
    expect(await refused.json()).toEqual(CONCURRENCY_BODY);

    const stats = await admin.getStats(ACCOUNT);
    expect(stats.peakConcurrency).toBe(5);
    expect(stats.inFlight).toBe(0);
    expect(stats.rejectedByConcurrency).toBeGreaterThanOrEqual(3);
  });

  it('honours a per-account limit set through the admin API', async () => {
    const { admin } = harness.emulator;
    await admin.setConcurrencyLimit(ACCOUNT, 2);
    await admin.setLatency(ACCOUNT, 200);
    await admin.resetPeak(ACCOUNT);
    const responses = await Promise.all(Array.from({ length: 4 }, (_, index) => harness.api('GET', `invoice/${index}`, undefined, token)));
    expect(responses.filter((response) => response.status === 429)).toHaveLength(2);
    expect((await admin.getStats(ACCOUNT)).peakConcurrency).toBe(2);
  });
});

describe('scripted faults', () => {
  it('lostAnswer performs the write but the client only sees a broken connection', async () => {
    await harness.emulator.admin.scriptFaults(ACCOUNT, ['lostAnswer']);
    await expect(put('bill-lost')).rejects.toThrow();
    expect(await invoicesWith('bill-lost')).toEqual([expect.objectContaining({ writes: 1 })]);

    // The idempotent retry lands on the same invoice.
    expect((await put('bill-lost')).status).toBe(204);
    expect(await invoicesWith('bill-lost')).toEqual([expect.objectContaining({ writes: 2 })]);
  });

  it('drop closes the connection before anything is written', async () => {
    await harness.emulator.admin.scriptFaults(ACCOUNT, [{ kind: 'drop' }]);
    await expect(put('bill-dropped')).rejects.toThrow();
    expect(await invoicesWith('bill-dropped')).toEqual([]);
    expect((await harness.emulator.admin.getStats(ACCOUNT)).faultsInjected.drop).toBeGreaterThanOrEqual(1);
  });

  it('error500 and error429 answer without writing', async () => {
    await harness.emulator.admin.scriptFaults(ACCOUNT, ['error500', 'error429']);
    const first = await put('bill-faulty');
    expect(first.status).toBe(500);
    expect((await errorDetail(first))['o:errorCode']).toBe('UNEXPECTED_ERROR');
    const second = await put('bill-faulty');
    expect(second.status).toBe(429);
    expect(await second.json()).toEqual(CONCURRENCY_BODY);
    expect(await invoicesWith('bill-faulty')).toEqual([]);
    expect((await put('bill-faulty')).status).toBe(204);
  });

  it('revokeTokens invalidates every issued token of the account', async () => {
    await harness.emulator.admin.scriptFaults(ACCOUNT, ['revokeTokens']);
    const revoked = await put('bill-revoked');
    expect(revoked.status).toBe(401);
    expect(revoked.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect((await put('bill-revoked')).status).toBe(401);
    expect((await put('bill-revoked', await harness.token())).status).toBe(204);
  });

  it('faults can target the token endpoint or a single record operation', async () => {
    const { admin } = harness.emulator;
    await admin.scriptFaults(ACCOUNT, [{ kind: 'error500', target: 'token' }, { kind: 'drop', operation: 'upsert' }]);

    expect((await harness.api('GET', 'invoice/1', undefined, token)).status).toBe(404);
    const assertion = await signAssertion(harness.clock, harness.emulator, { privateKeyPem: harness.keys.privateKeyPem });
    expect((await requestToken(harness.emulator, tokenForm(assertion))).status).toBe(500);
    await expect(put('bill-targeted')).rejects.toThrow();
    expect(await admin.listFaults(ACCOUNT)).toEqual([]);
  });

  it('latency:<ms> delays one request', async () => {
    await harness.emulator.admin.scriptFaults(ACCOUNT, ['latency:300']);
    const started = Date.now();
    expect((await put('bill-slow')).status).toBe(204);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('rejects unknown fault kinds', async () => {
    await expect(harness.emulator.admin.scriptFaults(ACCOUNT, ['explode' as never])).rejects.toThrow(/unknown fault kind/);
  });
});

describe('rate-based faults and periodic revocation', () => {
  it('replays the same fault sequence for the same seed', async () => {
    const { admin } = harness.emulator;
    const run = async () => {
      await admin.setFaultRates(ACCOUNT, { error500Rate: 0.3, error429Rate: 0.2, seed: 42 });
      const statuses: number[] = [];
      for (let index = 0; index < 30; index += 1) statuses.push((await harness.api('GET', 'invoice/1', undefined, token)).status);
      return statuses;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(first).toContain(500);
    expect(first).toContain(429);
    expect(first).toContain(404);
  });

  it('revokes all tokens every N record requests', async () => {
    await harness.emulator.admin.setRevokeTokensEveryN(ACCOUNT, 3);
    const threeWith = async (bearer: string) => {
      const statuses: number[] = [];
      for (let index = 0; index < 3; index += 1) statuses.push((await harness.api('GET', 'invoice/1', undefined, bearer)).status);
      return statuses;
    };
    expect(await threeWith(token)).toEqual([404, 404, 401]);
    expect(await threeWith(await harness.token())).toEqual([404, 404, 401]);
    expect((await harness.emulator.admin.getStats(ACCOUNT)).faultsInjected.revokeTokensEveryN).toBe(2);
  });
});
