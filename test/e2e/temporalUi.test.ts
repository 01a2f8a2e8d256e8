import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { chromium, type Browser } from 'playwright-core';
import { approveAndHandOff, saveAndHandOff } from '../../usecases/bills';
import { createAccount } from '../../db/accounts';
import { approveBills } from '../../db/bills';
import { listRuns } from '../../db/runs';
import { generateKeyPair } from '../../demo/keyPair';
import { sampleBill } from '../../demo/sampleBills';
import { seedCustomer, seedIntegration, type SeededIntegration } from '../../demo/seed';
import { resolveChromium } from '../../stack/chromium';
import { eventually } from '../support/eventually';
import { billSyncWorkflowId, type BillSyncInput, SEARCH_KEYS, billSyncStatusQuery } from '../../temporal/contract';
import { useFileWorld } from '../support/fileWorld';

/**
 * What an operator does in the Temporal UI: find a bill's syncs by its search attributes, read what
 * the last run did, start a sync from the "Start Workflow" form and nudge a waiting one with `rerun`.
 */
const NS = '5550700';
const SCREENSHOTS = path.join(__dirname, '..', '..', 'test-output', 'temporal-ui');
const { h } = useFileWorld();
let seeded: SeededIntegration;

beforeAll(async () => {
  const keyPair = await generateKeyPair({ dir: h.tmpDir, kind: 'ec256' });
  seeded = await seedIntegration({ db: h.db, cipher: h.cipher, emulator: h.emulator.admin, keyPair, netsuiteAccountId: NS, configData: { onlySendBillOnApproval: true } });
});

async function customerBill(code: string) {
  const { account } = await seedCustomer({ db: h.db, emulator: h.emulator.admin, orgId: seeded.orgId, netsuiteAccountId: NS, account: { code } });
  const saved = await saveAndHandOff(h.db, seeded.orgId, sampleBill(account.id), 'test');
  await eventually(() => listRuns(h.db, seeded.orgId, { billId: saved.bill.id }), (runs) => runs[0]?.status === 'WAITING', `${code}'s bill waiting for approval`);
  return { account, bill: saved.bill };
}

/** Visibility is eventually consistent: the list catches up with the workflow shortly after. */
async function findByQuery(query: string, accept: (found: WorkflowExecutionInfo[]) => boolean): Promise<WorkflowExecutionInfo[]> {
  return eventually(
    async () => {
      const found: WorkflowExecutionInfo[] = [];
      for await (const info of h.temporal.workflow.list({ query: `TaskQueue = "${h.taskQueue}" AND ${query}` })) found.push(info);
      return found;
    },
    accept,
    `workflows matching ${query}`,
  );
}

async function currentDetails(workflowId: string): Promise<string> {
  const metadata = await h.temporal.workflow.getHandle(workflowId).query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  return metadata.currentDetails ?? '';
}

describe('bill syncs in the Temporal UI', () => {
  it('are tagged with their organization, integration, bill, account and the status of their latest run', async () => {
    const { account, bill } = await customerBill('TAGGED');
    const stranger = await createAccount(h.db, seeded.orgId, { code: 'NOT-IN-NETSUITE', name: 'Stranger', emailAddress: 's@example.com' });
    const refused = (await saveAndHandOff(h.db, seeded.orgId, sampleBill(stranger.id), 'test')).bill;
    const { handoffs } = await approveAndHandOff(h.db, seeded.orgId, [bill.id, refused.id], 'test');
    await h.settle(handoffs);

    const [sync] = await findByQuery(`BillId = "${bill.id}" AND SyncStatus = "COMPLETE"`, (found) => found.length === 1);
    expect(sync!.workflowId).toBe(billSyncWorkflowId(seeded.configId, bill.id));
    expect(sync!.typedSearchAttributes.get(SEARCH_KEYS.organizationId)).toBe(seeded.orgId);
    expect(sync!.typedSearchAttributes.get(SEARCH_KEYS.integrationConfigId)).toBe(seeded.configId);
    expect(sync!.typedSearchAttributes.get(SEARCH_KEYS.accountId)).toBe(account.id);

    const invoice = (await listRuns(h.db, seeded.orgId, { billId: bill.id })).find((r) => r.status === 'COMPLETE')!;
    expect(await currentDetails(sync!.workflowId)).toBe(`Run ${invoice.id}: COMPLETE, NetSuite record ${invoice.externalId}`);

    // The refused bill is found among the failures of this integration, with the kind of failure; its
    // reason (which can hold a tenant's text, such as the account code) stays in the run, out of the UI.
    const failures = await findByQuery(`IntegrationConfigId = "${seeded.configId}" AND SyncStatus = "ERROR"`, (found) => found.length === 1);
    expect(failures[0]!.typedSearchAttributes.get(SEARCH_KEYS.billId)).toBe(refused.id);
    const [refusedRun] = await listRuns(h.db, seeded.orgId, { billId: refused.id });
    expect(refusedRun?.error).toMatch(/has no customer with External ID/);
    expect(await currentDetails(failures[0]!.workflowId)).toBe(`Run ${refusedRun!.id}: ERROR (missingAccountMapping)`);
  });

  it('start from the "Start Workflow" form with the JSON input the README documents, and tag themselves', async () => {
    const { bill } = await customerBill('FROM-THE-UI');
    const workflowId = billSyncWorkflowId(seeded.configId, bill.id);
    await h.temporal.workflow.getHandle(workflowId).terminate('made way for a manual run from the UI');
    await approveBills(h.db, seeded.orgId, [bill.id], 'ops@example.com');

    // What the form sends: no search attributes, only the workflow type, id, task queue and this input.
    const input: BillSyncInput = JSON.parse(`{"organizationId":"${seeded.orgId}","configId":"${seeded.configId}","billId":"${bill.id}","trigger":"manual"}`);
    const handle = await h.temporal.workflow.start('billSync', { taskQueue: h.taskQueue, workflowId, args: [input] });
    await handle.result();

    const [sync] = await findByQuery(`BillId = "${bill.id}" AND SyncStatus = "COMPLETE"`, (found) => found.length === 1);
    expect(sync!.runId).toBe(handle.firstExecutionRunId);
    expect(sync!.typedSearchAttributes.get(SEARCH_KEYS.integrationConfigId)).toBe(seeded.configId);
    const runs = await listRuns(h.db, seeded.orgId, { billId: bill.id });
    expect(runs.find((r) => r.trigger === 'manual')).toMatchObject({ status: 'COMPLETE' });
  });

  it('waiting for an approval that arrived without a bill event, send the bill on a `rerun` signal', async () => {
    const { bill } = await customerBill('NUDGED');
    // Approved behind the service's back: nothing signals the sync, which keeps waiting.
    await approveBills(h.db, seeded.orgId, [bill.id], 'ops@example.com');
    const handle = h.temporal.workflow.getHandle(billSyncWorkflowId(seeded.configId, bill.id));
    expect((await handle.query(billSyncStatusQuery)).phase).toBe('waitingForApproval');

    // What "Send Signal" in the UI does with the name `rerun` and an empty input.
    await handle.signal('rerun');
    await handle.result();
    const runs = await listRuns(h.db, seeded.orgId, { billId: bill.id });
    expect(runs.map((r) => r.status)).toEqual(['COMPLETE']);
    expect(runs[0]!.trigger).toBe('rerun');
    const invoices = (await h.emulator.admin.listInvoices(NS)).filter((i) => i.externalId?.endsWith(bill.id.replace(/-/g, '')));
    expect(invoices).toHaveLength(1);
  });

  describe('in a real browser', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await chromium.launch({ executablePath: resolveChromium({ explicitPath: process.env.CHROMIUM_PATH }), args: ['--no-sandbox'] });
      fs.mkdirSync(SCREENSHOTS, { recursive: true });
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('finds a bill\'s sync by BillId, and its page shows the attributes and the last run', async () => {
      const uiUrl = process.env.TEST_TEMPORAL_UI_URL ?? process.env.TEMPORAL_UI_URL;
      if (!uiUrl) throw new Error('the Temporal UI test needs the UI: run it on the embedded dev server, or set TEMPORAL_UI_URL');
      const { bill } = await customerBill('IN-THE-BROWSER');
      await h.settle((await approveAndHandOff(h.db, seeded.orgId, [bill.id], 'test')).handoffs);
      await findByQuery(`BillId = "${bill.id}" AND SyncStatus = "COMPLETE"`, (found) => found.length === 1);
      const workflowId = billSyncWorkflowId(seeded.configId, bill.id);

      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      // The UI keeps its filter in the query string: this is the page a user lands on after typing it.
      await page.goto(`${uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(`BillId = "${bill.id}"`)}`);
      const row = page.getByRole('link', { name: workflowId });
      await row.waitFor();
      // The status count ("1 Completed"), not the row: its checkbox is labelled with the workflow id, so a
      // bill id ending in 1 put "…1 COMPLETED" in the row's text too (one run in sixteen failed).
      await page.getByTestId('workflow-status-Completed').filter({ hasText: /^\s*1 Completed\s*$/i }).waitFor();
      await page.screenshot({ path: path.join(SCREENSHOTS, '1-search-by-bill-id.png') });

      await row.click();
      await page.getByText('Workflow Type').waitFor();
      await page.getByRole('tab', { name: 'Search Attributes' }).click();
      await page.getByText(seeded.configId).first().waitFor();
      await page.getByText('SyncStatus').first().waitFor();
      await page.screenshot({ path: path.join(SCREENSHOTS, '2-search-attributes.png'), fullPage: true });

      // The readable summary the service set at start, and the last run's outcome as current details.
      await page.getByRole('tab', { name: 'User Metadata' }).click();
      // The UI renders both as markdown in sandboxed iframes.
      const framesText = () => Promise.all(page.frames().map((frame) => frame.locator('body').innerText().catch(() => '')));
      await eventually(framesText, (texts) => texts.some((t) => t.includes(`Bill ${bill.id} → NetSuite`)), 'the summary in the UI');
      await eventually(framesText, (texts) => texts.some((t) => /COMPLETE, NetSuite record \d+/.test(t)), 'the last run in the UI');
      await page.screenshot({ path: path.join(SCREENSHOTS, '3-summary-and-last-run.png'), fullPage: true });
      await page.close();
    });
  });
});
