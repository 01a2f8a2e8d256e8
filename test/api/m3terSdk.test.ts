import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { DEMO_ITEMS } from '../../demo/seed';
import { invoiceExternalId } from '../../domain/externalId';
import { apiClient } from '../support/api';
import { ensurePythonTools } from '../support/python';
import { useFileWorld } from '../support/fileWorld';

const run = promisify(execFile);
const NS = '7770001_SB1';
const { h, api, keyPair } = useFileWorld();
let python: string;

beforeAll(async () => {
  python = ensurePythonTools();
  await h.emulator.admin.createAccount({ accountId: NS });
  await h.emulator.admin.registerCertificate({ accountId: NS, certificateId: 'sdk-cert', clientId: 'sdk-client', certificatePem: keyPair.certificatePem });
  for (const item of DEMO_ITEMS) await h.emulator.admin.addItem({ accountId: NS, ...item });
  await h.emulator.admin.addCustomField({ accountId: NS, scriptId: 'custcol_m3ter_external_line_item' });
}, 300_000);

describe("m3ter's official Python SDK", () => {
  it('sets up an integration, pages, updates with versions, approves a bill — and the bill reaches NetSuite', async () => {
    const client = await apiClient(h, api);
    const billId = crypto.randomUUID();
    const { stdout } = await run(python, [path.join(__dirname, '..', 'python', 'm3ter_sdk_flow.py')], {
      env: {
        ...process.env,
        M3TER_BASE_URL: api.url,
        M3TER_ORG_ID: client.orgId,
        M3TER_API_KEY: client.apiKey,
        M3TER_API_SECRET: client.apiSecret,
        EMULATOR_URL: h.emulator.url,
        NETSUITE_ACCOUNT: NS,
        PRIVATE_KEY_FILE: keyPair.privateKeyPath,
        CERTIFICATE_ID: 'sdk-cert',
        CLIENT_ID: 'sdk-client',
        BILL_ID: billId,
      },
      timeout: 120_000,
    });
    const result = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { configId: string; billId: string; configPages: number; configsSeen: number; staleVersionRefused: boolean; invalidConfigMessage: string };
    expect(result.staleVersionRefused).toBe(true);
    expect(result.invalidConfigMessage).toContain('accountFilter');
    expect(result.configsSeen).toBe(4);
    expect(result.configPages).toBe(2);

    // Its spare configs have no credential: their syncs wait for one (WAITING), this one sends.
    await h.settleBill(billId, result.configId);
    const invoice = (await h.emulator.admin.listInvoices(NS)).find((i) => i.externalId === invoiceExternalId(result.configId, billId));
    expect(invoice?.total).toBe(550.25);
    expect(invoice?.item.items.map((l) => [l.description, l.item.id])).toEqual([
      ['Platform', '10'],
      ['API calls', '30'],
    ]);
    expect(invoice?.dueDate).toBe('2026-11-30');
  });
});
