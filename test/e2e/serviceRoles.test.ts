import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { loadEnv } from '../../config/env';
import { createLogger } from '../../config/logger';
import { createOrganization } from '../../db/organizations';
import { generateKeyPair } from '../../demo/keyPair';
import { seedIntegration } from '../../demo/seed';
import { invoiceExternalId } from '../../domain/externalId';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import { startService, type RunningService } from '../../worker/service';
import { createTestDatabase } from '../support/database';
import { freePort } from '../support/freePort';
import { waitForDelivery } from '../../handoff/outbox';
import { billSyncWorkflowId } from '../../temporal/contract';

// docker-compose.yml runs SERVICE_ROLE=api once and SERVICE_ROLE=worker scaled out; this is that split
// in one process: two services on one database and task queue, each doing only its half.
const NS = '5550077';
const services: RunningService[] = [];
let emulator: RunningEmulator;
let tmpDir: string;
let baseEnv: Record<string, string>;

beforeAll(async () => {
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'roles-'));
  emulator = await startEmulator();
  baseEnv = {
    DATABASE_URL: await createTestDatabase(),
    TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS ?? '',
    TEMPORAL_NAMESPACE: process.env.TEST_TEMPORAL_NAMESPACE ?? 'default',
    TEMPORAL_TASK_QUEUE: `roles-${crypto.randomUUID()}`,
    CREDENTIALS_ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64'),
    NETSUITE_URL_TEMPLATE: `${emulator.url}/{account}`,
    MAIL_SINK_PORT: String(await freePort()),
    PORT: '0',
    METRICS_PORT: '0',
  };
});

afterAll(async () => {
  for (const service of services.reverse()) await service.stop();
  await emulator?.close();
  fs.rmSync(tmpDir, { recursive: true, force: true });
});

async function start(role: 'api' | 'worker'): Promise<RunningService> {
  const env = loadEnv({ ...baseEnv, SERVICE_ROLE: role, DATA_DIR: path.join(tmpDir, role) });
  const quiet = createLogger({ destination: new Writable({ write: (_chunk, _encoding, done) => done() }) });
  const service = await startService(env, quiet);
  services.push(service);
  return service;
}

describe('SERVICE_ROLE', () => {
  it('an api service starts the sync of an approved bill without running it; a worker service, serving /health only, runs it', async () => {
    const api = await start('api');
    expect((await fetch(`${api.url}/health`)).status).toBe(200);
    const org = await createOrganization(api.db, 'Roles test');
    const tokenResponse = await fetch(`${api.url}/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${org.apiKey}:${org.apiSecret}`).toString('base64')}`, 'content-type': 'application/json' },
      body: '{"grant_type":"client_credentials"}',
    });
    expect(tokenResponse.status).toBe(200);
    const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
    const call = async (method: string, route: string, body?: unknown) => {
      const response = await fetch(`${api.url}/organizations/${org.orgId}${route}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: response.status, body: (await response.json()) as any };
    };

    const keyPair = await generateKeyPair({ dir: tmpDir, kind: 'ec256' });
    const seeded = await seedIntegration({ db: api.db, cipher: api.cipher, emulator: emulator.admin, keyPair, netsuiteAccountId: NS, orgId: org.orgId, configData: { onlySendBillOnApproval: true } });
    const account = await call('POST', '/accounts', { code: 'ROLES', name: 'Roles Customer', emailAddress: 'ap@roles.example' });
    expect(account.status).toBe(200);
    await emulator.admin.addCustomer({ accountId: NS, externalId: account.body.id, name: 'Roles Customer' });
    const billId = crypto.randomUUID();
    const bill = await call('PUT', `/bills/${billId}`, { accountId: account.body.id, billDate: '2026-10-31', dueDate: '2026-11-30', currency: 'USD', lineItems: [{ lineItemType: 'STANDING_CHARGE', description: 'Platform', quantity: 1, subtotal: 400 }] });
    expect(bill.status).toBe(200);
    expect((await call('POST', '/bills/approve', { billIds: [billId] })).status).toBe(200);

    // Handed over by the api service's relay and started, but nobody polls the task queue: the api
    // service runs no worker.
    await waitForDelivery(api.db, await api.db.selectFrom('outbox').select('id').where('billId', '=', billId).execute());
    const handle = api.temporal.workflow.getHandle(billSyncWorkflowId(seeded.configId, billId));
    expect((await handle.describe()).status.name).toBe('RUNNING');
    const queue = await api.temporal.workflowService.describeTaskQueue({ namespace: baseEnv.TEMPORAL_NAMESPACE, taskQueue: { name: baseEnv.TEMPORAL_TASK_QUEUE }, taskQueueType: 1 /* WORKFLOW */ });
    expect(queue.pollers).toEqual([]);
    expect(await emulator.admin.listInvoices(NS)).toEqual([]);

    const worker = await start('worker');
    await handle.result();
    const invoices = await emulator.admin.listInvoices(NS);
    expect(invoices.map((i) => [i.externalId, i.total, i.writes])).toEqual([[invoiceExternalId(seeded.configId, billId), 400, 1]]);

    // The worker's HTTP side is for its orchestrator (Prometheus has a port of its own): no API, no OpenAPI document, no console.
    expect((await fetch(`${worker.url}/health`)).status).toBe(200);
    expect((await fetch(worker.metricsUrl)).status).toBe(200);
    expect((await fetch(`${worker.url}/metrics`)).status).toBe(404);
    expect((await fetch(`${worker.url}/oauth/token`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${worker.url}/organizations/${org.orgId}/bills`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
    expect((await fetch(`${worker.url}/openapi.json`)).status).toBe(404);
    expect((await fetch(`${worker.url}/console/`)).status).toBe(404);
  });
});
