import crypto from 'node:crypto';
import { approveAndHandOff, saveAndHandOff } from '../../usecases/bills';
import { createAccount } from '../../db/accounts';
import { generateKeyPair } from '../../demo/keyPair';
import { sampleBill } from '../../demo/sampleBills';
import { seedCustomer, seedIntegration, type SeededIntegration } from '../../demo/seed';
import { spawnWorkerProcess, type WorkerProcess } from '../support/workerProcess';
import { billSyncWorkflowId } from '../../temporal/contract';
import { useFileWorld } from '../support/fileWorld';

/**
 * What an operator's log pipeline and Prometheus see from `npm start`: JSON lines that say which
 * workflow, run, bill and integration they are about, and /metrics with the service's own counters
 * next to Temporal's runtime metrics.
 */
const NS = '5550800';
const { h, stopBeforeClosing } = useFileWorld();
let seeded: SeededIntegration;
let worker: WorkerProcess;
const queue = `observed-${crypto.randomUUID()}`;

beforeAll(async () => {
  // The service process delivers the hand-offs, to its own task queue.
  await h.pauseRelay();
  const keyPair = await generateKeyPair({ dir: h.tmpDir, kind: 'ec256' });
  seeded = await seedIntegration({ db: h.db, cipher: h.cipher, emulator: h.emulator.admin, keyPair, netsuiteAccountId: NS });
  worker = spawnWorkerProcess({
    ...h.serviceEnv(queue),
    NETSUITE_RETRY_BASE_MS: '50',
    NETSUITE_RETRY_MAX_MS: '200',
  });
  await worker.ready;
}, 180_000);

stopBeforeClosing(async () => {
  await worker?.stop();
});

type LogLine = Record<string, unknown> & { msg?: string };

function logLines(): LogLine[] {
  return worker
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

function serviceUrl(): string {
  const ready = logLines().find((line) => line.msg === 'service ready');
  return String(ready?.url);
}

function metricsUrl(): string {
  const ready = logLines().find((line) => line.msg === 'service ready');
  return String(ready?.metricsUrl);
}

/** `name{labels} value` of one sample in Prometheus's text format; undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([^{ ]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => present[k] === v)) return Number(match[3]);
  }
  return undefined;
}

describe('observability of npm start', () => {
  let syncedBill: string;
  let failedBill: string;

  beforeAll(async () => {
    const { account } = await seedCustomer({ db: h.db, emulator: h.emulator.admin, orgId: seeded.orgId, netsuiteAccountId: NS, account: { code: 'WATCHED' } });
    const stranger = await createAccount(h.db, seeded.orgId, { code: 'NOT-IN-NETSUITE', name: 'Stranger', emailAddress: 's@example.com' });
    const synced = await saveAndHandOff(h.db, seeded.orgId, sampleBill(account.id), 'test');
    const failed = await saveAndHandOff(h.db, seeded.orgId, sampleBill(stranger.id), 'test');
    [syncedBill, failedBill] = [synced.bill.id, failed.bill.id];
    await h.settle([...synced.handoffs, ...failed.handoffs]);
    // NetSuite's concurrency limit answered once: retried, not an error.
    await h.emulator.admin.scriptFaults(NS, ['error429']);
    const { handoffs } = await approveAndHandOff(h.db, seeded.orgId, [syncedBill], 'test');
    await h.settle(handoffs);
  });

  it('writes JSON log lines that name the workflow, run, bill and integration of every activity', async () => {
    const activityLines = logLines().filter((line) => line.activity !== undefined);
    expect(activityLines.length).toBeGreaterThan(0);
    for (const line of activityLines) {
      expect(line).toMatchObject({ workflowId: expect.any(String), workflowRunId: expect.any(String), configId: seeded.configId });
    }
    const finished = activityLines.filter((line) => line.msg === 'integration run finished');
    // Both bills' calculation syncs, and the approved bill's sync.
    expect(finished.map((line) => [line.billId, line.status]).sort()).toEqual(
      [
        [syncedBill, 'COMPLETE'],
        [syncedBill, 'COMPLETE'],
        [failedBill, 'ERROR'],
      ].sort(),
    );
    for (const line of finished) {
      expect(line.workflowId).toBe(billSyncWorkflowId(seeded.configId, String(line.billId)));
      expect(line.runId).toEqual(expect.any(String));
      // A bill NetSuite took at once is recorded by the quick send itself.
      expect(['finishRun', 'sendInvoiceNow']).toContain(line.activity);
    }
  });

  it("serves the service's own metrics and Temporal's runtime metrics on /metrics, on its own port", async () => {
    const response = await fetch(metricsUrl());
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();

    expect(sample(text, 'netsuite_sync_runs_finished_total', { status: 'COMPLETE' })).toBe(2);
    expect(sample(text, 'netsuite_sync_runs_finished_total', { status: 'ERROR' })).toBe(1);
    // NetSuite has no customer for the stranger: its bill stopped before anything was sent.
    expect(sample(text, 'netsuite_sync_events_total', { event_name: 'integration.missingaccountmapping.error' })).toBe(1);
    expect(sample(text, 'netsuite_throttled_total', { source: 'netsuite' })).toBe(1);
    // The approval's send first reads the invoice it sent before (is it paid?): the one 429 met that read.
    expect(sample(text, 'netsuite_request_duration_seconds_count', { operation: 'getInvoice', status: '429' })).toBe(1);
    expect(sample(text, 'netsuite_request_duration_seconds_count', { operation: 'getInvoice', status: '200' })).toBe(1);
    expect(sample(text, 'netsuite_request_duration_seconds_count', { operation: 'getCustomer', status: '200' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'netsuite_request_duration_seconds_count', { operation: 'upsertInvoice', status: '204' })).toBeGreaterThanOrEqual(2);
    // No tenant's identifier in a label unless METRICS_TENANT_LABELS=true (test/unit/metrics.test.ts).
    expect(sample(text, 'netsuite_requests_in_flight')).toBe(0);
    expect(text).not.toContain(NS);
    expect(text).not.toContain(seeded.orgId);
    // The service's relay handed over the two calculations and the approval; nothing is owed now.
    expect(sample(text, 'netsuite_sync_handoffs_total', { outcome: 'delivered' })).toBe(3);
    expect(sample(text, 'netsuite_sync_outbox_undelivered')).toBe(0);
    expect(sample(text, 'netsuite_sync_outbox_oldest_age_seconds')).toBe(0);
    // Temporal's own: the worker's task latencies and completions, from the SDK's exporter.
    expect(sample(text, 'temporal_workflow_completed_total', { task_queue: queue })).toBeGreaterThanOrEqual(3);
    expect(text).toMatch(/^temporal_activity_execution_latency_bucket\{/m);
  });

  it('listens on loopback only by default, and keeps /metrics off the API port', async () => {
    const api = new URL(serviceUrl());
    const metrics = new URL(metricsUrl());
    expect([api.hostname, metrics.hostname]).toEqual(['127.0.0.1', '127.0.0.1']);
    expect((await fetch(`${serviceUrl()}/health`)).status).toBe(200);
    expect((await fetch(`${serviceUrl()}/metrics`)).status).toBe(404);
    // Another local address of this machine: a listener on every interface would answer there too.
    for (const port of [api.port, metrics.port]) {
      const elsewhere = await fetch(`http://127.0.0.2:${port}/health`).then(
        (response) => response.status,
        (error: Error & { cause?: { code?: string } }) => error.cause?.code,
      );
      expect({ port, elsewhere }).toEqual({ port, elsewhere: 'ECONNREFUSED' });
    }
  });
});
