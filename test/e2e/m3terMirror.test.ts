import type { ActivityDeps } from '../../activities';
import { makeMirrorPass } from '../../activities/mirrorPass';
import { createLogger } from '../../config/logger';
import { createOrganization } from '../../db/organizations';
import { createAccount } from '../../db/accounts';
import { approveBills, saveBill } from '../../db/bills';
import { createConfig } from '../../db/configs';
import { createMapping } from '../../db/mappings';
import { startM3terSide, type M3terSide } from '../../demo/m3terSide';
import { sampleBill } from '../../demo/sampleBills';
import { seedCustomer, seedIntegration } from '../../demo/seed';
import { sweepStranded } from '../../handoff/sweep';
import { m3terMirrorWorkflowId } from '../../temporal/contract';
import { apiClient, type ApiClient } from '../support/api';
import { createTestDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { path, startFaultProxy, type FaultProxy } from '../support/faultProxy';
import { useFileWorld } from '../support/fileWorld';

/**
 * The service beside an m3ter organization: a second instance of the service plays m3ter (its API is
 * the m3ter-compatible one m3ter's SDKs drive), behind a proxy that injects what m3ter does on a bad
 * day. Whatever the mirror learns reaches NetSuite as a local change would — once.
 */
const { h, api, keyPair, stopBeforeClosing } = useFileWorld();
const quiet = createLogger({ level: 'silent' });
let m3ter: M3terSide;
let proxy: FaultProxy;
let n = 0;

beforeAll(async () => {
  // Its per-client limit raised: the 2,000-bill pass would otherwise spend minutes honouring its 429s
  // (which the fault test covers on purpose).
  m3ter = await startM3terSide({ databaseUrl: await createTestDatabase(), logger: quiet, rateLimitPerMinute: 100_000 });
  proxy = await startFaultProxy(m3ter.url);
  stopBeforeClosing(async () => {
    await proxy.close();
    await m3ter.close();
  });
});

/** An m3ter organization with one customer, and a local organization whose integration sends approved bills to its own NetSuite account. */
async function world(options: { intervalSeconds?: number; pageSize?: number; connect?: boolean } = {}) {
  const netsuiteAccountId = String(7_300_000 + ++n);
  const remote = await createOrganization(m3ter.db, `m3ter org ${n}`);
  const local = await apiClient(h, api);
  const seeded = await seedIntegration({ db: h.db, cipher: h.cipher, emulator: h.emulator.admin, keyPair, netsuiteAccountId, orgId: local.orgId, certificateId: `mirror-cert-${n}`, configData: { onlySendBillOnApproval: true } });
  // The customer lives in m3ter; NetSuite knows it by the m3ter account id, as with m3ter's own integration.
  const { account } = await seedCustomer({ db: m3ter.db, emulator: h.emulator.admin, orgId: remote.orgId, netsuiteAccountId, account: { code: `ACME-${n}` } });
  const source = {
    m3terOrgId: remote.orgId,
    baseUrl: proxy.url,
    apiKey: remote.apiKey,
    apiSecret: remote.apiSecret,
    intervalSeconds: options.intervalSeconds ?? 3600,
    windowDays: 3650,
    pageSize: options.pageSize ?? 100,
  };
  if (options.connect !== false) expect((await local.call('PUT', '/organizations/{orgId}/m3tersource', source)).status).toBe(200);
  return { remote, local, seeded, account, source, netsuiteAccountId };
}

async function passesCompleted(local: ApiClient): Promise<number> {
  return (await local.call('GET', '/organizations/{orgId}/m3tersource')).body.passesCompleted as number;
}

/** Waits for the next pass to complete after whatever is in flight now, nudging it by the webhook. */
async function nextPass(local: ApiClient): Promise<number> {
  const before = await passesCompleted(local);
  await local.call('POST', '/organizations/{orgId}/m3tersource/nudge');
  return eventually(() => passesCompleted(local), (p) => p >= before + 1, 'a mirror pass', 60_000);
}

/** m3ter's listing of an organization's bills (window wide open, no line items), each passed through `edit`. */
async function m3terListing(orgId: string, edit: (bill: Record<string, unknown>) => Record<string, unknown>) {
  const rows = await m3ter.db.selectFrom('bill').selectAll().where('organizationId', '=', orgId).orderBy('dtCreated').execute();
  const data = rows.map((b) =>
    edit({
      id: b.id,
      version: b.version,
      dtLastModified: b.dtLastModified.toISOString(),
      accountId: b.accountId,
      billDate: b.billDate,
      billTotal: Number(b.billTotal),
      currency: b.currency,
      status: b.status,
      locked: b.locked,
      approvedBy: b.approvedBy ?? undefined,
      lastCalculatedDate: b.lastCalculatedDate?.toISOString(),
    }),
  );
  return { data };
}

async function invoices(netsuiteAccountId: string) {
  return h.emulator.admin.listInvoices(netsuiteAccountId);
}

describe('connecting a source', () => {
  it('refuses bad input naming the field, stores nothing, and never shows or logs the secret', async () => {
    const { local, source } = await world({ connect: false });
    const missing = await local.call('PUT', '/organizations/{orgId}/m3tersource', { ...source, apiSecret: '' });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toMatch(/apiSecret/);
    const elsewhere = await local.call('PUT', '/organizations/{orgId}/m3tersource', { ...source, baseUrl: 'http://169.254.169.254/latest' });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.message).toMatch(/baseUrl: .* is not an m3ter API this service may call/);
    const badLink = await local.call('PUT', '/organizations/{orgId}/m3tersource', { ...source, integrationConfigLinks: { [crypto.randomUUID()]: crypto.randomUUID() } });
    expect(badLink.status).toBe(400);
    expect(badLink.body.message).toMatch(/integrationConfigLinks/);
    expect((await local.call('GET', '/organizations/{orgId}/m3tersource')).status).toBe(404);

    const connected = await local.call('PUT', '/organizations/{orgId}/m3tersource', source);
    expect(connected.status).toBe(200);
    expect(connected.text).not.toContain(source.apiSecret);
    const shown = await local.call('GET', '/organizations/{orgId}/m3tersource');
    expect(shown.body).toMatchObject({ m3terOrgId: source.m3terOrgId, apiKey: source.apiKey, baseUrl: proxy.url });
    expect(shown.text).not.toContain(source.apiSecret);
    expect((await local.call('POST', '/organizations/{orgId}/m3tersource/test')).body.message).toMatch(/can list accounts, external mappings and bills/);
    await nextPass(local);

    const stored = await h.db.selectFrom('m3terSource').select('apiSecretEncrypted').where('organizationId', '=', local.orgId).executeTakeFirstOrThrow();
    expect(stored.apiSecretEncrypted).not.toContain(source.apiSecret);
    for (const line of [...h.logLines, ...api.logLines]) expect(line).not.toContain(source.apiSecret);
    const history = await h.temporal.workflow.getHandle(m3terMirrorWorkflowId(connected.body.id)).fetchHistory();
    expect(JSON.stringify(history)).not.toContain(source.apiSecret);
  });

  it('stops passing once the operator no longer allows its base URL, though it was allowed when connected', async () => {
    const { local } = await world();
    await eventually(() => passesCompleted(local), (p) => p >= 1, 'the first pass');
    const source = await h.db.selectFrom('m3terSource').select('id').where('organizationId', '=', local.orgId).executeTakeFirstOrThrow();
    // The pass as a worker whose M3TER_ALLOWED_BASE_URLS was narrowed to m3ter's production API runs it.
    const narrowed = { db: h.db, cipher: h.cipher, logger: quiet, now: () => new Date(), m3terAllowedBaseUrls: ['https://api.m3ter.com'] } as unknown as ActivityDeps;
    const seenBefore = proxy.requests.length;
    const result = await makeMirrorPass(narrowed)({ organizationId: local.orgId, sourceId: source.id });
    expect(result).toMatchObject({ kind: 'refused', reason: 'BaseUrlNotAllowedError' });
    expect(proxy.requests.length).toBe(seenBefore); // not a single call
    expect((await local.call('GET', '/organizations/{orgId}/m3tersource')).body.lastError).toMatch(/is not an m3ter API this service may call/);
  });

  it("answers a wrong secret with m3ter's refusal and what to do, and keeps the mirror waiting, not failing", async () => {
    const { local, source } = await world({ connect: false });
    expect((await local.call('PUT', '/organizations/{orgId}/m3tersource', { ...source, apiSecret: 'not-the-secret' })).status).toBe(200);
    const test = await local.call('POST', '/organizations/{orgId}/m3tersource/test');
    expect(test.status).toBe(400);
    expect(test.body.message).toMatch(/refused the service user's API key and secret .*connect the source again/);
    const shown = await eventually(() => local.call('GET', '/organizations/{orgId}/m3tersource'), (r) => /refused the service user/.test(r.body.lastError ?? ''), 'the refusal recorded on the source');
    expect(shown.body.passesCompleted).toBe(0);
    // Reconnecting with the right secret starts a pass at once.
    expect((await local.call('PUT', '/organizations/{orgId}/m3tersource', source)).status).toBe(200);
    await eventually(() => passesCompleted(local), (p) => p >= 1, 'a pass after reconnecting');
    expect((await local.call('GET', '/organizations/{orgId}/m3tersource')).body.lastError).toBeNull();
  });
});

describe("m3ter's webhook", () => {
  it('makes a pass happen now, a forged flood costs one pass per 10 s and a nudge too soon is deferred, never dropped: the payload is never trusted', async () => {
    const { local, remote, account } = await world();
    await eventually(() => passesCompleted(local), (p) => p >= 1, 'the first pass');
    const bill = await saveBill(m3ter.db, remote.orgId, sampleBill(account.id));
    const hook = (orgId: string, body: unknown) => fetch(`${api.url}/webhooks/m3ter/${orgId}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    // Whatever the payload claims (another bill, another org, a deletion), it only asks for a pass.
    const forged = { eventName: 'billing.bill.deleted', entityId: crypto.randomUUID(), organizationId: crypto.randomUUID() };
    const answers = await Promise.all(Array.from({ length: 20 }, () => hook(local.orgId, forged)));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(202));
    expect((await hook(crypto.randomUUID(), forged)).status).toBe(202); // no organization: answered alike
    expect((await hook('not-an-org', forged)).status).toBe(400);
    await eventually(() => local.call('GET', `/organizations/{orgId}/bills/${bill.id}`), (r) => r.status === 200, 'the bill mirrored by the nudged pass');

    // m3ter changes a bill again within seconds: the notifications for it are deferred, not dropped,
    // and the flood that comes with them still makes at most one pass per 10 s.
    const later = await saveBill(m3ter.db, remote.orgId, sampleBill(account.id, { month: '2026-11' }));
    await Promise.all(Array.from({ length: 5 }, () => hook(local.orgId, forged)));
    await eventually(() => local.call('GET', `/organizations/{orgId}/bills/${later.id}`), (r) => r.status === 200, 'the second bill mirrored by a webhook nudge (the interval is an hour)');
    const nudges = await h.db.selectFrom('outbox').select('dtAvailable').where('organizationId', '=', local.orgId).where('origin', '=', 'm3ter-webhook').orderBy('id').execute();
    // 25 calls: a pass at once, then at most one per 10 s (a deferred hand-off is due 10 s after the one before).
    expect(nudges.length).toBeGreaterThanOrEqual(1);
    expect(nudges.length).toBeLessThanOrEqual(3);
    for (let i = 1; i < nudges.length; i++) expect(nudges[i]!.dtAvailable.getTime() - nudges[i - 1]!.dtAvailable.getTime()).toBeGreaterThanOrEqual(9_900);
  });
});

describe('mirroring', () => {
  it('sends a bill approved in m3ter within one interval, and a recalculation updates the same invoice', async () => {
    const { local, remote, account, netsuiteAccountId } = await world({ intervalSeconds: 2 });
    const bill = await saveBill(m3ter.db, remote.orgId, sampleBill(account.id));
    await eventually(() => local.call('GET', `/organizations/{orgId}/bills/${bill.id}`), (r) => r.status === 200, 'the bill mirrored');
    expect(await invoices(netsuiteAccountId)).toHaveLength(0); // PENDING: the integration waits for approval

    await approveBills(m3ter.db, remote.orgId, [bill.id], 'finance@m3ter');
    const approvedAt = await passesCompleted(local);
    const [invoice] = await eventually(() => invoices(netsuiteAccountId), (list) => list.length === 1, 'the invoice in NetSuite');
    // No nudge: the next pass (or the one in flight, if it listed the bill after the approval) brought it.
    expect(await passesCompleted(local)).toBeLessThanOrEqual(approvedAt + 2);
    expect(invoice!.total).toBe(593.5);

    // m3ter recalculates (the bill goes back to PENDING there) and finance approves again.
    await saveBill(m3ter.db, remote.orgId, { ...sampleBill(account.id, { usageUnits: 2_000_000 }), id: bill.id });
    await approveBills(m3ter.db, remote.orgId, [bill.id], 'finance@m3ter');
    const [updated] = await eventually(() => invoices(netsuiteAccountId), (list) => list.length === 1 && list[0]!.total !== 593.5, 'the invoice updated');
    expect(updated!.id).toBe(invoice!.id);
    // The invoice changes in NetSuite a moment before the run that changed it is recorded COMPLETE.
    const complete = async () => (await local.call('GET', `/organizations/{orgId}/integrationruns/Bill/${bill.id}`)).body.data.filter((r: { status: string }) => r.status === 'COMPLETE');
    await eventually(complete, (runs) => runs.length === 2, 'two COMPLETE runs, one per approved version');
    // Each m3ter change entered the outbox once, however many passes saw it.
    const handoffs = await h.db.selectFrom('outbox').select(['payload']).where('billId', '=', bill.id).execute();
    expect(handoffs.map((r) => (r.payload as { trigger: string }).trigger).sort()).toEqual(['approved', 'approved', 'calculated', 'calculated']);
  });

  it('refuses local changes to what m3ter owns, and hands them over on disconnect', async () => {
    const { local, remote, account, seeded } = await world();
    const bill = await saveBill(m3ter.db, remote.orgId, sampleBill(account.id));
    await nextPass(local);
    const mirrored = await local.call('GET', `/organizations/{orgId}/bills/${bill.id}`);
    expect(mirrored.status).toBe(200);

    const attempts = [
      await local.call('PUT', `/organizations/{orgId}/bills/${bill.id}`, { ...sampleBill(account.id), id: undefined }),
      await local.call('POST', '/organizations/{orgId}/bills/approve', { billIds: [bill.id] }),
      await local.call('PUT', `/organizations/{orgId}/bills/${bill.id}/status`, { status: 'APPROVED' }),
      await local.call('DELETE', `/organizations/{orgId}/bills/${bill.id}`),
      await local.call('PUT', `/organizations/{orgId}/accounts/${account.id}`, { code: 'X', name: 'X', emailAddress: 'x@x.example', version: 1 }),
      await local.call('DELETE', `/organizations/{orgId}/accounts/${account.id}`),
    ];
    for (const attempt of attempts) {
      expect(attempt.status).toBe(409);
      expect(attempt.body.message).toMatch(/mirrored from m3ter, which owns it: make the change in m3ter/);
    }
    expect((await local.call('GET', `/organizations/{orgId}/bills/${bill.id}`)).body).toEqual(mirrored.body);
    // A local write that checked ownership just before the mirror committed is refused under the row's
    // lock all the same; and the mirror never writes over a local bill that took an id first.
    await expect(saveBill(h.db, local.orgId, { ...sampleBill(account.id), id: bill.id })).rejects.toThrow(/mirrored from m3ter, which owns it/);
    const localOnly = await saveBill(h.db, local.orgId, sampleBill(account.id));
    await expect(saveBill(h.db, local.orgId, { ...sampleBill(account.id), id: localOnly.id }, { source: crypto.randomUUID() })).rejects.toThrow(/a local bill has this id/);
    // What stays local stays editable.
    const config = await local.call('GET', `/organizations/{orgId}/integrationconfigs/${seeded.configId}`);
    expect((await local.call('PUT', `/organizations/{orgId}/integrationconfigs/${seeded.configId}`, { ...config.body, name: 'Renamed' })).status).toBe(200);

    expect((await local.call('DELETE', '/organizations/{orgId}/m3tersource')).status).toBe(200);
    expect((await local.call('POST', '/organizations/{orgId}/bills/approve', { billIds: [bill.id] })).status).toBe(200);
  });

  it('mirrors external mappings only when unlinked or linked to an integration it names', async () => {
    const { local, remote, account, seeded, source } = await world({ connect: false });
    // Two NetSuite integrations in m3ter: one this service stands in for, one it does not.
    const m3terIntegration = (await createConfig(m3ter.db, remote.orgId, { name: 'NetSuite (replaced by this service)', configData: { netsuiteDefaultItemId: '10' } })).id;
    const other = (await createConfig(m3ter.db, remote.orgId, { name: 'NetSuite (another)', configData: { netsuiteDefaultItemId: '10' } })).id;
    const mapping = async (integrationConfigId?: string, externalId = '42') =>
      (await createMapping(m3ter.db, remote.orgId, { externalSystem: 'NetSuite', externalTable: 'Customer', externalId, m3terEntity: 'Account', m3terId: account.id, integrationConfigId })).id;
    const unlinked = await mapping();
    const linked = await mapping(m3terIntegration, '43');
    const elsewhere = await mapping(other, '44');
    expect((await local.call('PUT', '/organizations/{orgId}/m3tersource', { ...source, integrationConfigLinks: { [m3terIntegration]: seeded.configId } })).status).toBe(200);
    await eventually(() => passesCompleted(local), (p) => p >= 1, 'the first pass');

    const rows = await h.db.selectFrom('externalMapping').select(['id', 'integrationConfigId']).where('organizationId', '=', local.orgId).execute();
    expect(new Map(rows.map((r) => [r.id, r.integrationConfigId]))).toEqual(new Map([[unlinked, null], [linked, seeded.configId]]));
    const shown = await local.call('GET', '/organizations/{orgId}/m3tersource');
    expect(shown.body.lastPass.mappings.skipped).toBe(1);
    expect(shown.body.lastPass.conflicts).toEqual([expect.stringContaining(`external mapping ${elsewhere}: linked to m3ter integration ${other}`)]);
    expect((await local.call('DELETE', `/organizations/{orgId}/externalmappings/${unlinked}`)).status).toBe(409);
  });

  it('is started again by the sweep when its mirror was lost (terminated by hand)', async () => {
    const { local } = await world();
    await eventually(() => passesCompleted(local), (p) => p >= 1, 'the first pass');
    const source = await h.db.selectFrom('m3terSource').select(['id']).where('organizationId', '=', local.orgId).executeTakeFirstOrThrow();
    await h.temporal.workflow.getHandle(m3terMirrorWorkflowId(source.id)).terminate('lost, as a test');
    const sweep = { graceMs: 120_000, staleRunMs: 30 * 60_000, lookbackDays: 30, limit: 1_000 };
    expect((await sweepStranded(h.db, sweep)).filter((r) => r.kind === 'sourceNudge')).toHaveLength(0); // not silent long enough yet
    // Three intervals (of an hour) later, nothing has been heard of it.
    const silent = new Date(Date.now() - 3 * 3_600_000 - 60_000);
    await h.db.updateTable('m3terSource').set({ dtLastPassEnded: silent }).where('id', '=', source.id).execute();
    await h.db.updateTable('outbox').set({ dtCreated: silent }).where('sourceId', '=', source.id).execute();
    const nudged = (await sweepStranded(h.db, sweep)).filter((r) => r.kind === 'sourceNudge');
    expect(nudged).toHaveLength(1);
    await eventually(() => passesCompleted(local), (p) => p >= 2, 'a pass of the restarted mirror');
    expect((await h.temporal.workflow.getHandle(m3terMirrorWorkflowId(source.id)).describe()).status.name).toBe('RUNNING');
  });

  it("takes no id another organization holds here: a source naming one is a noted conflict, the other tenant's rows untouched", async () => {
    const { local, remote, account } = await world({ connect: false });
    // Another tenant of this service already has a bill and an account under ids "m3ter" will claim.
    const victim = await apiClient(h, api);
    const victimAccount = await createAccount(h.db, victim.orgId, { code: 'VICTIM', name: 'Victim', emailAddress: 'v@victim.example' });
    const victimBill = await saveBill(h.db, victim.orgId, sampleBill(victimAccount.id));
    await m3ter.db.insertInto('account').values({ id: victimAccount.id, organizationId: remote.orgId, code: 'CLAIM', name: 'Claim', emailAddress: 'c@claim.example', customFields: '{}' }).execute();
    await saveBill(m3ter.db, remote.orgId, { ...sampleBill(account.id), id: victimBill.id });
    expect((await local.call('PUT', '/organizations/{orgId}/m3tersource', { m3terOrgId: remote.orgId, baseUrl: proxy.url, apiKey: remote.apiKey, apiSecret: remote.apiSecret, windowDays: 3650, intervalSeconds: 3600 })).status).toBe(200);
    await eventually(() => passesCompleted(local), (p) => p >= 1, 'the first pass');

    const { lastPass } = (await local.call('GET', '/organizations/{orgId}/m3tersource')).body;
    expect(lastPass.conflicts).toEqual(
      expect.arrayContaining([`account ${victimAccount.id}: the id is taken in this service by another organization`, `bill ${victimBill.id}: the id is taken in this service by another organization`]),
    );
    const untouched = await h.db.selectFrom('bill').select(['organizationId', 'version', 'sourceId']).where('id', '=', victimBill.id).executeTakeFirstOrThrow();
    expect(untouched).toEqual({ organizationId: victim.orgId, version: 1, sourceId: null });
    expect((await victim.call('GET', `/organizations/{orgId}/accounts/${victimAccount.id}`)).body.code).toBe('VICTIM');
    expect((await local.call('GET', `/organizations/{orgId}/bills/${victimBill.id}`)).status).toBe(404);
  });

  it('refuses an answer far larger than any page, reading no more than 32 MB of it, and says so on the source', async () => {
    const { local, remote } = await world({ connect: false });
    proxy.inject({ kind: 'status', status: 200, body: { data: [], padding: 'x'.repeat(40 * 1024 * 1024) } }, (r) => r.url.startsWith(`/organizations/${remote.orgId}/accounts?`), 1);
    expect((await local.call('PUT', '/organizations/{orgId}/m3tersource', { m3terOrgId: remote.orgId, baseUrl: proxy.url, apiKey: remote.apiKey, apiSecret: remote.apiSecret })).status).toBe(200);
    const shown = await eventually(() => local.call('GET', '/organizations/{orgId}/m3tersource'), (r) => Boolean(r.body.lastError), 'the refusal recorded');
    expect(shown.body.lastError).toMatch(/larger than 32 MB/);
    expect(shown.body.passesCompleted).toBe(0);
  });

  it('takes a row it cannot store as a noted conflict and mirrors the rest: a deleted linked config, a locked PENDING bill, a NUL character', async () => {
    const { local, remote, account, seeded, source } = await world({ connect: false });
    const m3terIntegration = (await createConfig(m3ter.db, remote.orgId, { name: 'NetSuite', configData: { netsuiteDefaultItemId: '10' } })).id;
    const linkedMapping = (await createMapping(m3ter.db, remote.orgId, { externalSystem: 'NetSuite', externalTable: 'Customer', externalId: '77', m3terEntity: 'Account', m3terId: account.id, integrationConfigId: m3terIntegration })).id;
    const spare = await createConfig(h.db, local.orgId, { name: 'Linked, then deleted', configData: { netsuiteDefaultItemId: '10' } });
    expect((await local.call('PUT', '/organizations/{orgId}/m3tersource', { ...source, integrationConfigLinks: { [m3terIntegration]: spare.id } })).status).toBe(200);
    await eventually(() => passesCompleted(local), (p) => p >= 1, 'the first pass');
    // The operator deletes the local config the link names; m3ter changes the mapping.
    await h.db.deleteFrom('integrationConfig').where('id', '=', spare.id).execute();
    await m3ter.db.updateTable('externalMapping').set({ externalId: '78', version: 2 }).where('id', '=', linkedMapping).execute();
    // A bill m3ter says is locked though PENDING, and one whose approver's name PostgreSQL can't store.
    const odd = await saveBill(m3ter.db, remote.orgId, sampleBill(account.id));
    await m3ter.db.updateTable('bill').set({ locked: true }).where('id', '=', odd.id).execute();
    const nul = await saveBill(m3ter.db, remote.orgId, sampleBill(account.id, { month: '2026-09' }));
    const good = await saveBill(m3ter.db, remote.orgId, sampleBill(account.id, { month: '2026-08' }));
    await approveBills(m3ter.db, remote.orgId, [nul.id, good.id], 'finance@m3ter');
    // As m3ter would send it, in the listing and in the bill read again after its line items.
    const withNul = (bill: Record<string, unknown>) => (bill.id === nul.id ? { ...bill, approvedBy: 'fin\u0000ance' } : bill);
    const listing = await m3terListing(remote.orgId, withNul);
    proxy.inject({ kind: 'status', status: 200, body: listing }, (r) => r.url.startsWith(`/organizations/${remote.orgId}/bills?`) && r.url.includes('billDateStart'), 1);
    proxy.inject({ kind: 'status', status: 200, body: listing.data.find((b) => b.id === nul.id) }, (r) => r.url === `/organizations/${remote.orgId}/bills/${nul.id}`, 1);
    await nextPass(local);

    const { lastPass } = (await local.call('GET', '/organizations/{orgId}/m3tersource')).body;
    expect(lastPass.conflicts).toEqual(expect.arrayContaining([expect.stringContaining(`external mapping ${linkedMapping}: it refers to a row that does not exist here`), expect.stringContaining(`bill ${nul.id}: a value PostgreSQL cannot store`)]));
    const bills = await h.db.selectFrom('bill').select(['id', 'status', 'locked']).where('organizationId', '=', local.orgId).execute();
    expect(new Map(bills.map((b) => [b.id, [b.status, b.locked]]))).toEqual(new Map([[odd.id, ['PENDING', false]], [good.id, ['APPROVED', false]]]));
    void seeded;
  });

  it('keeps a bill missing from one listing when the 404 for it is not m3ter\'s own (a proxy, a missing permission)', async () => {
    const { local, remote, account } = await world();
    const bill = await saveBill(m3ter.db, remote.orgId, sampleBill(account.id));
    await nextPass(local);
    // One listing without the bill, then a gateway's HTML 404 for it, then m3ter-shaped 404 that its listing by id contradicts.
    proxy.inject({ kind: 'status', status: 200, body: { data: [] } }, (r) => r.url.startsWith(`/organizations/${remote.orgId}/bills?`) && r.url.includes('billDateStart'), 2);
    proxy.inject({ kind: 'status', status: 404, body: '<html>Not Found</html>' }, (r) => r.url === `/organizations/${remote.orgId}/bills/${bill.id}`, 1);
    await nextPass(local);
    proxy.inject({ kind: 'status', status: 404, body: { message: 'Not found' } }, (r) => r.url === `/organizations/${remote.orgId}/bills/${bill.id}`, 1);
    await nextPass(local);
    expect((await local.call('GET', `/organizations/{orgId}/bills/${bill.id}`)).status).toBe(200);
    expect((await local.call('GET', '/organizations/{orgId}/m3tersource')).body.lastPass.bills.deleted).toBe(0);
    const handoffs = await h.db.selectFrom('outbox').select('id').where('billId', '=', bill.id).execute();
    expect(handoffs).toHaveLength(1); // its calculation, once
  });

  it('never pairs a listed bill with the line items of a recalculation that landed while they were read', async () => {
    const { local, remote, account } = await world();
    await eventually(() => passesCompleted(local), (p) => p >= 1, 'the first pass');
    const bill = await saveBill(m3ter.db, remote.orgId, sampleBill(account.id));
    await approveBills(m3ter.db, remote.orgId, [bill.id], 'finance@m3ter');
    const reading = proxy.hold((r) => r.url.startsWith(`/organizations/${remote.orgId}/bills/${bill.id}/lineitems`));
    await local.call('POST', '/organizations/{orgId}/m3tersource/nudge');
    await reading.reached;
    // m3ter recalculates now: the bill is PENDING again there, with other lines.
    await saveBill(m3ter.db, remote.orgId, { ...sampleBill(account.id, { usageUnits: 3_000_000 }), id: bill.id });
    reading.release();
    await eventually(() => passesCompleted(local), (p) => p >= 2, 'the pass');
    const copy = await local.call('GET', `/organizations/{orgId}/bills/${bill.id}`);
    expect(copy.body.status).toBe('PENDING');
    const lines = copy.body.lineItems as { lineItemType: string; subtotal: number }[];
    expect(copy.body.billTotal).toBeCloseTo(lines.reduce((sum, l) => sum + (l.lineItemType === 'USAGE_CREDIT' ? -l.subtotal : l.subtotal), 0), 2);
    const handoffs = await h.db.selectFrom('outbox').select('payload').where('billId', '=', bill.id).execute();
    expect(handoffs.map((r) => (r.payload as { trigger: string }).trigger)).toEqual(['calculated']); // never approved with lines nobody approved
  });

  it('takes back its earlier copies when reconnected after a disconnect, without handing them over again', async () => {
    const { local, remote, account, source } = await world();
    const bill = await saveBill(m3ter.db, remote.orgId, sampleBill(account.id));
    await approveBills(m3ter.db, remote.orgId, [bill.id], 'finance@m3ter');
    await nextPass(local);
    expect((await local.call('DELETE', '/organizations/{orgId}/m3tersource')).status).toBe(200);
    expect((await local.call('PUT', '/organizations/{orgId}/m3tersource', source)).status).toBe(200);
    await eventually(() => local.call('GET', '/organizations/{orgId}/m3tersource'), (r) => r.body.passesCompleted >= 1, 'the first pass of the new source');
    expect((await local.call('GET', '/organizations/{orgId}/m3tersource')).body.lastPass.conflicts).toEqual([]);
    expect((await local.call('DELETE', `/organizations/{orgId}/bills/${bill.id}`)).status).toBe(409); // m3ter's again
    // Unchanged in m3ter: nothing handed over again. Changed: handed over as usual.
    expect(await h.db.selectFrom('outbox').select('id').where('billId', '=', bill.id).execute()).toHaveLength(2);
    await saveBill(m3ter.db, remote.orgId, { ...sampleBill(account.id, { usageUnits: 2_000_000 }), id: bill.id });
    await nextPass(local);
    expect(await h.db.selectFrom('outbox').select('id').where('billId', '=', bill.id).execute()).toHaveLength(3);
  });

  it('deletes the copy of a bill m3ter deleted, once m3ter confirms it is gone', async () => {
    const { local, remote, account } = await world();
    const bill = await saveBill(m3ter.db, remote.orgId, sampleBill(account.id));
    await nextPass(local);
    expect((await local.call('GET', `/organizations/{orgId}/bills/${bill.id}`)).status).toBe(200);
    await m3ter.db.deleteFrom('bill').where('id', '=', bill.id).execute();
    await nextPass(local);
    expect((await local.call('GET', `/organizations/{orgId}/bills/${bill.id}`)).status).toBe(404);
    expect(proxy.requests.some((r) => r.url.endsWith(`/bills/${bill.id}`) && r.outcome === 404)).toBe(true);
    expect((await local.call('GET', '/organizations/{orgId}/m3tersource')).body.lastPass.bills.deleted).toBe(1);
  });

  it("rides out m3ter's 429 with Retry-After, a 503, a dropped connection and a token expiring mid-pass, sending each bill once", async () => {
    const { local, remote, account, netsuiteAccountId } = await world({ pageSize: 2 });
    const bills = [];
    for (let i = 0; i < 5; i++) bills.push(await saveBill(m3ter.db, remote.orgId, { ...sampleBill(account.id), billDate: `2026-0${i + 1}-28` }));
    await approveBills(m3ter.db, remote.orgId, bills.map((b) => b.id), 'finance@m3ter');
    const org = `/organizations/${remote.orgId}/bills`;
    proxy.inject({ kind: 'status', status: 429, headers: { 'retry-after': '1' }, body: { message: 'Too many requests' } }, (r) => r.url.startsWith(`${org}?`), 1);
    proxy.inject({ kind: 'status', status: 503 }, (r) => r.url.startsWith(`${org}?`) && r.url.includes('nextToken'), 1);
    proxy.inject({ kind: 'drop' }, path('/lineitems'), 1);
    proxy.inject({ kind: 'expireToken' }, (r) => r.url.startsWith(`${org}?`) && r.url.includes('nextToken'), 1);
    const seenBefore = proxy.requests.length;
    await nextPass(local);

    const seen = proxy.requests.slice(seenBefore);
    expect(seen.map((r) => r.outcome)).toEqual(expect.arrayContaining([429, 503, 'dropped', 401]));
    expect(seen.filter((r) => r.url === '/oauth/token').length).toBeGreaterThanOrEqual(2); // a new token after the 401
    const sent = await eventually(() => invoices(netsuiteAccountId), (list) => list.length === 5, 'five invoices');
    expect(new Set(sent.map((i) => i.externalId)).size).toBe(5);
    await nextPass(local);
    expect(await invoices(netsuiteAccountId)).toHaveLength(5);
    const handoffs = await h.db.selectFrom('outbox').select(['billId']).where('organizationId', '=', local.orgId).where('kind', '=', 'billEvent').execute();
    expect(handoffs).toHaveLength(10); // one calculation and one approval per bill, though two passes saw them
  });

  it('mirrors 2,000 bills over 40 pages holding one page at a time', async () => {
    const { local, remote, account, source } = await world({ connect: false, pageSize: 50 });
    // No integration here: the bills only have to arrive.
    await h.db.deleteFrom('integrationConfig').where('organizationId', '=', local.orgId).execute();
    const line = [{ lineItemType: 'STANDING_CHARGE' as const, description: 'Platform', quantity: 1, subtotal: 10 }];
    for (let i = 0; i < 2_000; i++) await saveBill(m3ter.db, remote.orgId, { accountId: account.id, billDate: '2026-10-28', currency: 'USD', lineItems: line });
    const listed = (r: { url: string }) => r.url.startsWith(`/organizations/${remote.orgId}/bills?`);
    const seenBefore = proxy.requests.length;
    expect((await local.call('PUT', '/organizations/{orgId}/m3tersource', source)).status).toBe(200);
    await eventually(() => passesCompleted(local), (p) => p >= 1, 'the first pass', 300_000);

    const created = (await h.db.selectFrom('bill').select('dtCreated').where('organizationId', '=', local.orgId).execute()).map((b) => b.dtCreated.getTime());
    expect(created).toHaveLength(2_000);
    const pages = proxy.requests.slice(seenBefore).filter(listed);
    expect(pages).toHaveLength(40);
    // Page k is asked for only once the k-1 before it are stored: nothing is read ahead and held.
    pages.forEach((page, k) => expect(created.filter((t) => t <= page.at).length).toBeGreaterThanOrEqual(k * 50));
    const summary = (await local.call('GET', '/organizations/{orgId}/m3tersource')).body.lastPass;
    expect(summary.bills).toMatchObject({ created: 2_000, skipped: 0 });
  }, 600_000);
});
