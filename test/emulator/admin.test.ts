import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { EmulatorAdminError } from '../../emulator/adminClient';
import { parsePort } from '../../emulator/main';
import { type RunningEmulator, startEmulator } from '../../emulator/server';
import { makeKeys } from './support';

jest.setTimeout(30000);

describe('admin API', () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator();
  });

  afterAll(() => emulator.close());

  it('normalises account ids to both forms and treats them as one account', async () => {
    const created = await emulator.admin.createAccount({ accountId: '1234567-sb1', concurrencyLimit: 3, latencyMs: 10 });
    expect(created).toMatchObject({
      accountId: '1234567_SB1',
      hostForm: '1234567-sb1',
      baseUrl: `${emulator.url}/1234567-sb1`,
      tokenUrl: `${emulator.url}/1234567-sb1/services/rest/auth/oauth2/v1/token`,
      concurrencyLimit: 3,
      latencyMs: 10,
    });
    const again = await emulator.admin.createAccount({ accountId: '1234567_SB1' });
    expect(again.concurrencyLimit).toBe(3);
    expect(await emulator.admin.listAccounts()).toHaveLength(1);
    expect(emulator.tokenUrl('1234567_sb1')).toBe(created.tokenUrl);
  });

  it('validates certificates, customers, items and custom fields', async () => {
    const { admin } = emulator;
    await expect(
      admin.registerCertificate({ accountId: '1234567_SB1', certificateId: 'c', clientId: 'x', certificatePem: 'not a pem' }),
    ).rejects.toThrow(EmulatorAdminError);

    const customer = await admin.addCustomer({ accountId: '1234567_SB1', externalId: 'acme', name: 'Acme' });
    expect(customer.id).toMatch(/^\d+$/);
    await expect(admin.addCustomer({ accountId: '1234567_SB1', externalId: 'ACME', name: 'Acme again' })).rejects.toMatchObject({ status: 409 });
    await admin.addItem({ accountId: '1234567_SB1', id: '9', name: 'Fee' });
    await expect(admin.addCustomField({ accountId: '1234567_SB1', scriptId: 'custom_m3ter_line' })).rejects.toMatchObject({ status: 400 });
    await admin.addCustomField({ accountId: '1234567_SB1', scriptId: 'custcol_m3ter_external_line_item' });

    const detail = await admin.getAccount('1234567-SB1');
    expect(detail.customers).toEqual([customer]);
    expect(detail.items).toEqual([{ id: '9', name: 'Fee' }]);
    expect(detail.customFields).toEqual(['custcol_m3ter_external_line_item']);
    expect(await admin.getStats('1234567_SB1')).toMatchObject({ peakConcurrency: 0, inFlight: 0, tokensIssued: 0, pendingFaults: 0 });
  });

  it('answers 404 for unknown accounts and clears everything on reset', async () => {
    await expect(emulator.admin.getStats('999')).rejects.toMatchObject({ status: 404 });
    await emulator.admin.reset();
    expect(await emulator.admin.listAccounts()).toEqual([]);
  });
});

describe('generateKeyPair', () => {
  it('makes the m3ter guide’s rsa:4096 self-signed certificate, valid for 730 days', async () => {
    const keys = await makeKeys('rsa4096');
    try {
      expect(keys.privateKeyPem).toContain('-----BEGIN PRIVATE KEY-----');
      const certificate = new X509Certificate(keys.certificatePem);
      expect(certificate.subject).toBe('CN=m3ter-netsuite-demo');
      expect(certificate.publicKey.asymmetricKeyDetails?.modulusLength).toBe(4096);
      const days = (Date.parse(certificate.validTo) - Date.parse(certificate.validFrom)) / 86_400_000;
      expect(Math.round(days)).toBe(730);
      expect((await stat(keys.privateKeyPath)).mode & 0o777).toBe(0o600);
      expect(path.basename(keys.certificatePath)).toBe('m3ter-cert.pem');
    } finally {
      await keys.cleanup();
    }
  });
});

describe('main', () => {
  it('reads the port from --port, --port=, or EMULATOR_PORT', () => {
    expect(parsePort([], {})).toBe(0);
    expect(parsePort([], { EMULATOR_PORT: '8123' })).toBe(8123);
    expect(parsePort(['--port', '9000'], { EMULATOR_PORT: '8123' })).toBe(9000);
    expect(parsePort(['--port=9001'], {})).toBe(9001);
    expect(() => parsePort(['--port', 'abc'], {})).toThrow(/invalid port/);
  });

  it('prints one JSON line with the URL, serves, and exits cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, ['-r', path.join(__dirname, '..', 'support', 'registerTs.js'), path.join(__dirname, '../../emulator/main.ts')], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
    });
    try {
      const firstLine = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`emulator exited early with ${code}`)));
      });
      const { url } = JSON.parse(firstLine) as { url: string };
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${url}/_admin/accounts`)).status).toBe(200);
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});
