import { createLogger } from '../../config/logger';
import { approveBills, saveBill } from '../../db/bills';
import { createOrganization } from '../../db/organizations';
import { generateKeyPair } from '../../demo/keyPair';
import { startM3terSide, type M3terSide } from '../../demo/m3terSide';
import { sampleBill } from '../../demo/sampleBills';
import { seedCustomer, seedIntegration } from '../../demo/seed';
import { invoiceExternalId } from '../../domain/externalId';
import { connectSource } from '../../usecases/sources';
import { startChaosStack, type ChaosStack } from '../support/chaosStack';
import { createTestDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { startFaultProxy, type FaultProxy } from '../support/faultProxy';

/**
 * The m3ter mirror hurt where it holds work: the service process SIGKILLed while a page of bills is
 * on its way (listed, not yet stored), and again while the line items of a listed page are being
 * read — between m3ter's answer and the page's commit. After each restart the pass resumes from its
 * last committed page; at the end every bill approved in m3ter has exactly one invoice and entered
 * the outbox exactly once per change.
 */
let s: ChaosStack;
let m3ter: M3terSide;
let proxy: FaultProxy;

beforeAll(async () => {
  s = await startChaosStack();
  m3ter = await startM3terSide({ databaseUrl: await createTestDatabase(s.databaseUrl), logger: createLogger({ level: 'silent' }) });
  proxy = await startFaultProxy(m3ter.url);
}, 300_000);

afterAll(async () => {
  await proxy?.close();
  await m3ter?.close();
  await s?.stop();
});

describe('the m3ter mirror, hurt', () => {
  it('the process killed mid-page and mid-line-items, twice, then restarted: 200 bills approved in m3ter, one invoice each, each change handed over once', async () => {
    const netsuiteAccountId = '8100001';
    const keyPair = await generateKeyPair({ dir: `${s.tmpDir}/mirror`, kind: 'ec256' });
    const seeded = await seedIntegration({ db: s.db, cipher: s.cipher, emulator: s.emulator.admin, keyPair, netsuiteAccountId, configData: { onlySendBillOnApproval: true } });
    const remote = await createOrganization(m3ter.db, 'm3ter');
    const { account } = await seedCustomer({ db: m3ter.db, emulator: s.emulator.admin, orgId: remote.orgId, netsuiteAccountId, account: { code: 'ACME' } });
    const billIds: string[] = [];
    for (let i = 0; i < 200; i++) billIds.push((await saveBill(m3ter.db, remote.orgId, sampleBill(account.id, { usageUnits: 1_000 + i }))).id);
    await approveBills(m3ter.db, remote.orgId, billIds, 'finance@m3ter');

    const listing = (r: { url: string }) => r.url.startsWith(`/organizations/${remote.orgId}/bills?`);
    const billPages = () => proxy.requests.filter(listing).length;
    // The 5th page of bills asked for: pages 1–4 are stored, the 5th is on its way when the process dies.
    const midPage = proxy.hold((r) => listing(r) && billPages() === 5);
    let worker = await s.startWorker({ M3TER_ALLOWED_BASE_URLS: 'http://127.0.0.1:*' });
    await connectSource(s.db, s.cipher, seeded.orgId, { m3terOrgId: remote.orgId, baseUrl: proxy.url, apiKey: remote.apiKey, apiSecret: remote.apiSecret, pageSize: 10, windowDays: 3650, intervalSeconds: 3600 }, { actor: 'chaos', allowedBaseUrls: [proxy.url] });
    await midPage.reached;
    await s.killWorker(worker);
    midPage.release();
    const storedAtFirstKill = await mirroredBills(seeded.orgId);
    expect(storedAtFirstKill).toBe(40);

    // Next: the line items of a bill on page 11 (the 12th listing asked for, page 5 having been asked
    // twice) are being read when the process dies, so that page was listed and never committed.
    const lineItemsOfPage11 = proxy.hold((r) => r.url.includes('/lineitems') && billPages() === 12);
    worker = await s.startWorker({ M3TER_ALLOWED_BASE_URLS: 'http://127.0.0.1:*' });
    await lineItemsOfPage11.reached;
    await s.killWorker(worker);
    lineItemsOfPage11.release();
    expect(await mirroredBills(seeded.orgId)).toBe(100);

    await s.startWorker({ M3TER_ALLOWED_BASE_URLS: 'http://127.0.0.1:*' });
    await eventually(() => s.db.selectFrom('m3terSource').select('passesCompleted').where('organizationId', '=', seeded.orgId).executeTakeFirstOrThrow(), (r) => r.passesCompleted >= 1, 'the pass completed', 300_000);
    await eventually(
      async () => (await s.db.selectFrom('integrationRun').select('entityId').distinct().where('configId', '=', seeded.configId).where('status', '=', 'COMPLETE').execute()).length,
      (complete) => complete === 200,
      'every bill synced',
      600_000,
    );

    // The pass resumed where it stopped: page 5 was listed twice (the kill), pages 1–4 only once.
    const pageRequests = proxy.requests.filter(listing).map((r) => new URL(r.url, 'http://x').searchParams.get('nextToken') ?? 'first');
    expect(pageRequests.filter((t) => t === 'first')).toHaveLength(1);
    const invoices = await s.emulator.admin.listInvoices(netsuiteAccountId);
    const byExternalId = new Map<string, number>();
    for (const invoice of invoices) byExternalId.set(invoice.externalId ?? '', (byExternalId.get(invoice.externalId ?? '') ?? 0) + 1);
    for (const billId of billIds) expect([billId, byExternalId.get(invoiceExternalId(seeded.configId, billId))]).toEqual([billId, 1]);
    expect(invoices).toHaveLength(200);
    const handoffs = await s.db.selectFrom('outbox').select(['billId', 'payload']).where('organizationId', '=', seeded.orgId).where('kind', '=', 'billEvent').execute();
    expect(handoffs).toHaveLength(400); // one calculation and one approval per bill
    const versions = await s.db.selectFrom('bill').select('version').where('organizationId', '=', seeded.orgId).execute();
    expect(versions.every((b) => b.version === 1)).toBe(true);
  });
});

async function mirroredBills(organizationId: string): Promise<number> {
  const { count } = await s.db.selectFrom('bill').select((eb) => eb.fn.countAll<string>().as('count')).where('organizationId', '=', organizationId).executeTakeFirstOrThrow();
  return Number(count);
}
