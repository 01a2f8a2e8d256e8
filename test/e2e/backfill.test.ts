import { backfill, planBackfill, type BackfillProgress, type BackfillSummary } from '../../usecases/backfill';
import { approveAndHandOff } from '../../usecases/bills';
import { createAccount } from '../../db/accounts';
import { approveBills, saveBill } from '../../db/bills';
import { disableConfig, enableConfig } from '../../db/configs';
import { listRuns } from '../../db/runs';
import { invoiceExternalId } from '../../domain/externalId';
import { generateKeyPair } from '../../demo/keyPair';
import { sampleBill } from '../../demo/sampleBills';
import { seedCustomer, seedIntegration, type SeededIntegration } from '../../demo/seed';
import { runCli } from '../support/cli';
import { useFileWorld } from '../support/fileWorld';

/**
 * A backfill re-syncs a month of bills for one integration: every bill dated in the period, and no
 * other; a failure or a bill waiting for approval is reported, not waited on; running it again
 * updates the same invoices.
 */
const NS = '5550800';
const OCTOBER = { from: '2026-10-01', to: '2026-10-31' };
const { h } = useFileWorld();
let seeded: SeededIntegration;
const bills: Record<'firstDay' | 'lastDay' | 'failing' | 'pending' | 'september' | 'november', string> = {} as never;

beforeAll(async () => {
  const keyPair = await generateKeyPair({ dir: h.tmpDir, kind: 'ec256' });
  seeded = await seedIntegration({ db: h.db, cipher: h.cipher, emulator: h.emulator.admin, keyPair, netsuiteAccountId: NS, configData: { onlySendBillOnApproval: true } });
  const customer = async (code: string) => (await seedCustomer({ db: h.db, emulator: h.emulator.admin, orgId: seeded.orgId, netsuiteAccountId: NS, account: { code } })).account.id;
  const acme = await customer('ACME');
  const globex = await customer('GLOBEX');
  // NetSuite has no customer for this account: its look-up finds none, and nothing is sent.
  const stranger = (await createAccount(h.db, seeded.orgId, { code: 'NOT-IN-NETSUITE', name: 'Stranger', emailAddress: 's@example.com' })).id;

  // Bills from before the integration existed: stored, never synced.
  const bill = async (accountId: string, billDate: string) => (await saveBill(h.db, seeded.orgId, { ...sampleBill(accountId, { month: billDate.slice(0, 7) }), billDate })).id;
  bills.firstDay = await bill(acme, '2026-10-01');
  bills.lastDay = await bill(globex, '2026-10-31');
  bills.failing = await bill(stranger, '2026-10-15');
  bills.pending = await bill(globex, '2026-10-20');
  bills.september = await bill(acme, '2026-09-30');
  bills.november = await bill(acme, '2026-11-01');
  await approveBills(h.db, seeded.orgId, [bills.firstDay, bills.failing, bills.september, bills.november], 'test');
  // One bill of the period was synced already: the backfill sends it again as an update.
  const { handoffs } = await approveAndHandOff(h.db, seeded.orgId, [bills.lastDay], 'test');
  await h.settle(handoffs);
});

const deps = () => ({ db: h.db, temporal: h.temporal });
const invoices = async () => (await h.emulator.admin.listInvoices(NS)).map((invoice) => invoice.externalId).sort();
const latestRun = async (billId: string) => (await listRuns(h.db, seeded.orgId, { billId, configId: seeded.configId, limit: 1 }))[0];

/** The CLI in this process against the test database and Temporal: its JSON output and exit code. */
async function cli(args: string[]): Promise<{ summary: BackfillSummary; exitCode: number }> {
  const { out, exitCode } = await runCli(h, args);
  return { summary: JSON.parse(out) as BackfillSummary, exitCode };
}

describe('backfill', () => {
  it('a dry run lists the bills of the period and what each sync would do, starting nothing', async () => {
    const invoicesBefore = await invoices();
    const summary = await planBackfill(h.db, { organizationId: seeded.orgId, configId: seeded.configId, period: OCTOBER });
    expect(summary).toMatchObject({ dryRun: true, billsFound: 4, wouldBe: { SEND: 3, WAIT: 1 }, period: { ...OCTOBER, by: 'billDate' } });
    expect(summary.bills?.map((b) => b.billId).sort()).toEqual([bills.firstDay, bills.lastDay, bills.failing, bills.pending].sort());
    expect(summary.waitingForApproval.billIds).toEqual([bills.pending]);
    expect(await latestRun(bills.firstDay)).toBeUndefined();
    expect(await invoices()).toEqual(invoicesBefore);
  });

  it('syncs every bill dated in the period, both ends included, and sums up failures and bills waiting for approval', async () => {
    const seen: BackfillProgress[] = [];
    const summary = await backfill(deps(), { organizationId: seeded.orgId, configId: seeded.configId, period: OCTOBER, concurrency: 2, pollIntervalMs: 50, onProgress: (p) => seen.push({ ...p, byStatus: { ...p.byStatus } }) });

    expect(summary).toMatchObject({ dryRun: false, billsFound: 4, runsByStatus: { COMPLETE: 2, ERROR: 1, WAITING: 1 } });
    expect(summary.failures).toEqual([expect.objectContaining({ billId: bills.failing, status: 'ERROR', reason: expect.stringMatching(/customer|entity/i) })]);
    expect(summary.waitingForApproval).toEqual({ billIds: [bills.pending], note: expect.stringContaining('send each bill when it is approved') });
    expect(seen.at(-1)).toEqual({ done: 4, total: 4, byStatus: { COMPLETE: 2, ERROR: 1, WAITING: 1 } });

    expect(await latestRun(bills.firstDay)).toMatchObject({ status: 'COMPLETE', trigger: 'manual' });
    expect(await latestRun(bills.september)).toBeUndefined();
    expect(await latestRun(bills.november)).toBeUndefined();
    expect(await invoices()).toEqual([invoiceExternalId(seeded.configId, bills.firstDay), invoiceExternalId(seeded.configId, bills.lastDay)].sort());
  });

  it('run again from the CLI, updates the same invoices (no duplicate), re-checks the waiting bill, and exits 1 for the failure', async () => {
    const waitingBefore = await latestRun(bills.pending);
    const { summary, exitCode } = await cli(['backfill', '--org', seeded.orgId, '--config', seeded.configId, '--from', OCTOBER.from, '--to', OCTOBER.to, '--concurrency', '4']);

    expect(summary).toMatchObject({ billsFound: 4, runsByStatus: { COMPLETE: 2, ERROR: 1, WAITING: 1 }, failures: [expect.objectContaining({ billId: bills.failing })] });
    expect(summary.wallTimeSeconds).toBeGreaterThan(0);
    expect(exitCode).toBe(1);
    expect(await invoices()).toEqual([invoiceExternalId(seeded.configId, bills.firstDay), invoiceExternalId(seeded.configId, bills.lastDay)].sort());
    // The waiting sync evaluated the bill again (its run was updated), rather than being reported from its old verdict.
    const waitingAfter = await latestRun(bills.pending);
    expect(waitingAfter).toMatchObject({ id: waitingBefore?.id, status: 'WAITING' });
    expect(waitingAfter!.version).toBeGreaterThan(waitingBefore!.version);
  });

  it('refuses a period that ends before it starts, and a disabled config, saying what to do', async () => {
    await expect(backfill(deps(), { organizationId: seeded.orgId, configId: seeded.configId, period: { from: '2026-10-31', to: '2026-10-01' } })).rejects.toThrow(/must be on or after from/);
    await disableConfig(h.db, seeded.configId, '10 successive errors');
    try {
      await expect(backfill(deps(), { organizationId: seeded.orgId, configId: seeded.configId, period: OCTOBER })).rejects.toThrow(`re-enable it first: npm run -s cli -- config enable --config ${seeded.configId}`);
    } finally {
      await enableConfig(h.db, seeded.orgId, seeded.configId);
    }
  });
});

describe('a backfill NetSuite refuses a bill of', () => {
  it('reports a bill dated in a closed period among its failures and exits 1, as it does an ERROR', async () => {
    const netsuiteAccountId = '5550801';
    const keyPair = await generateKeyPair({ dir: h.tmpDir, kind: 'ec256' });
    const closed = await seedIntegration({ db: h.db, cipher: h.cipher, emulator: h.emulator.admin, keyPair, netsuiteAccountId });
    const { account } = await seedCustomer({ db: h.db, emulator: h.emulator.admin, orgId: closed.orgId, netsuiteAccountId, account: { code: 'CLOSED-OCT' } });
    const billId = (await saveBill(h.db, closed.orgId, { ...sampleBill(account.id, { month: '2026-10' }), billDate: '2026-10-10' })).id;
    await h.emulator.admin.closePeriod(netsuiteAccountId, '2026-10', 'closed');
    const { summary, exitCode } = await cli(['backfill', '--org', closed.orgId, '--config', closed.configId, '--from', OCTOBER.from, '--to', OCTOBER.to]);
    expect(summary).toMatchObject({ billsFound: 1, runsByStatus: { ACCOUNTING_PERIOD_CLOSED: 1 }, failures: [expect.objectContaining({ billId, status: 'ACCOUNTING_PERIOD_CLOSED' })] });
    expect(exitCode).toBe(1);
  });
});
