import { Readable } from 'node:stream';
import { createLogger } from '../../config/logger';
import { createAccount } from '../../db/accounts';
import { saveBill } from '../../db/bills';
import { createOrganization } from '../../db/organizations';
import { startM3terSide, type M3terSide } from '../../demo/m3terSide';
import { sampleBill } from '../../demo/sampleBills';
import { runCli } from '../support/cli';
import { createTestDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { useFileWorld } from '../support/fileWorld';

/**
 * `cli source …`: an operator connects the organization's m3ter organization from a shell — the
 * service user's secret from M3TER_API_SECRET or stdin, never an argument — then shows, tests, nudges
 * and disconnects it. A second instance of the service plays m3ter, as in m3terMirror.test.ts.
 */
const { h, stopBeforeClosing } = useFileWorld();
let m3ter: M3terSide;

beforeAll(async () => {
  m3ter = await startM3terSide({ databaseUrl: await createTestDatabase(), logger: createLogger({ level: 'silent' }) });
  stopBeforeClosing(() => m3ter.close());
});

/** Everything the CLI printed, to look for the secret in. */
const printed: string[] = [];

async function cli(args: string[], env: Record<string, string> = {}) {
  const result = await runCli(h, args, { M3TER_ALLOWED_BASE_URLS: 'http://127.0.0.1:*', ...env });
  printed.push(result.out, result.err);
  return { ...result, json: result.out ? JSON.parse(result.out) : undefined };
}

/** Runs the CLI with `text` as its stdin, as `… | npx m3ter-netsuite …` would. */
async function withStdin<T>(text: string, fn: () => Promise<T>): Promise<T> {
  const descriptor = Object.getOwnPropertyDescriptor(process, 'stdin')!;
  Object.defineProperty(process, 'stdin', { configurable: true, get: () => Readable.from([text]) });
  try {
    return await fn();
  } finally {
    Object.defineProperty(process, 'stdin', descriptor);
  }
}

describe('cli source', () => {
  it("connects, shows, tests, nudges and disconnects a source, never printing the secret; a wrong secret is m3ter's refusal, exit 1", async () => {
    const remote = await createOrganization(m3ter.db, 'm3ter org');
    const local = await createOrganization(h.db, 'local org');
    const account = await createAccount(m3ter.db, remote.orgId, { code: 'CLICO', name: 'CLI Co', emailAddress: 'billing@cli.example' });
    const bill = await saveBill(m3ter.db, remote.orgId, { ...sampleBill(account.id), billDate: new Date().toISOString().slice(0, 10) });
    const org = ['--org', local.orgId];
    const connect = [...org, '--m3ter-org', remote.orgId, '--api-key', remote.apiKey, '--base-url', m3ter.url];
    const passes = async () => (await cli(['source', 'show', ...org])).json.passesCompleted as number;

    const connected = await cli(['source', 'connect', ...connect], { M3TER_API_SECRET: remote.apiSecret });
    expect(connected.exitCode).toBe(0);
    expect(connected.json).toMatchObject({ m3terOrgId: remote.orgId, apiKey: remote.apiKey, baseUrl: m3ter.url, intervalSeconds: 300, windowDays: 90, pageSize: 100, handoffs: { delivered: 1, queued: 0 } });
    const shown = await eventually(() => cli(['source', 'show', ...org]), (r) => r.json.passesCompleted >= 1, 'the first pass');
    expect(shown.json).toMatchObject({ lastError: null, lastPass: { accounts: { created: 1 }, bills: { created: 1 } } });
    expect(await h.db.selectFrom('bill').select('id').where('id', '=', bill.id).executeTakeFirst()).toBeDefined();

    const tested = await cli(['source', 'test', ...org]);
    expect(tested.exitCode).toBe(0);
    expect(tested.json).toEqual({ ok: true, message: expect.stringMatching(/the service user can list accounts, external mappings and bills/) });

    // A wrong secret: connecting stores it (m3ter is not asked), the test says m3ter refused it and exits 1.
    expect((await cli(['source', 'connect', ...connect], { M3TER_API_SECRET: 'not-the-secret' })).exitCode).toBe(0);
    const refused = await cli(['source', 'test', ...org]);
    expect(refused.exitCode).toBe(1);
    expect(refused.json.ok).toBe(false);
    expect(refused.err).toMatch(/^error: m3ter refused the service user's API key and secret .*connect the source again/);
    const failing = await eventually(() => cli(['source', 'show', ...org]), (r) => /refused the service user/.test(r.json.lastError ?? ''), 'the refusal on the source');
    expect(failing.json.lastError).toMatch(/check them in m3ter/);

    // The right secret piped in, then a pass on demand.
    const before = await passes();
    const fixed = await withStdin(`${remote.apiSecret}\n`, () => cli(['source', 'connect', ...connect, '--api-secret-stdin', '--interval', '3600']));
    expect(fixed.json).toMatchObject({ intervalSeconds: 3600, lastError: null });
    await eventually(passes, (p) => p > before, 'a pass after reconnecting');
    // Counted before the nudge: its pass may well be over by the time the nudge command has returned.
    const beforeNudge = await passes();
    const nudged = await cli(['source', 'nudge', ...org]);
    expect(nudged.json).toMatchObject({ handoffs: { delivered: 1, queued: 0 } });
    await eventually(passes, (p) => p > beforeNudge, 'the nudged pass', 60_000);

    const disconnected = await cli(['source', 'disconnect', ...org]);
    expect(disconnected.exitCode).toBe(0);
    expect(disconnected.json).toMatchObject({ m3terOrgId: remote.orgId, handoffs: { delivered: 1, queued: 0 } });
    await expect(cli(['source', 'show', ...org])).rejects.toThrow(`no m3ter source in organization ${local.orgId}`);
    // What the mirror brought stays, as the organization's own.
    expect(await h.db.selectFrom('bill').select('sourceId').where('id', '=', bill.id).executeTakeFirstOrThrow()).toEqual({ sourceId: null });

    for (const text of printed) expect(text).not.toContain(remote.apiSecret);
  });

  it('takes the secret only from M3TER_API_SECRET or stdin, and the base URL only from the allow-list', async () => {
    const local = await createOrganization(h.db, 'another local org');
    const connect = ['source', 'connect', '--org', local.orgId, '--m3ter-org', 'some-org', '--api-key', 'some-key', '--base-url', m3ter.url];
    await expect(cli(connect)).rejects.toThrow(/set M3TER_API_SECRET, or pipe it in with --api-secret-stdin/);
    await expect(cli(connect, { M3TER_API_SECRET: 'x', M3TER_ALLOWED_BASE_URLS: 'https://api.m3ter.com' })).rejects.toThrow(`baseUrl: ${m3ter.url} is not an m3ter API this service may call`);
    await expect(cli(['source', 'nudge', '--org', local.orgId])).rejects.toThrow(/no m3ter source/);
  });
});
