import path from 'node:path';
import { Command } from 'commander';
import { generateKeyPair } from '../../demo/keyPair';
import { addAdminCommands } from '../../emulator/cli';
import { runCli } from '../support/cli';
import { useFileWorld } from '../support/fileWorld';

/**
 * The README's path from `npm start` to a CONNECTED integration and a first invoice, with its own
 * commands only: the emulator's (certificate from m3ter-cert.pem, item, column field, customer), then
 * the CLI's (organization, credential, config, account, check, the example bill, approval). A config
 * with an item name is warned about and its check names what NetSuite lacks before any bill fails.
 */
const { h } = useFileWorld();
const NS = '1234567_SB1';
const EXAMPLE_BILL = path.join(__dirname, '..', '..', 'examples', 'bill.json');

/** `npx m3ter-netsuite-emulator <args>` against the harness's emulator: what it printed, parsed. */
async function emulator(args: string[]): Promise<any> {
  let out = '';
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  try {
    const program = new Command('m3ter-netsuite-emulator').exitOverride();
    addAdminCommands(program, { NETSUITE_EMULATOR_URL: h.emulator.url });
    await program.parseAsync(['node', 'emulator', ...args]);
  } finally {
    write.mockRestore();
  }
  return JSON.parse(out);
}

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ json: any; exitCode: number }> {
  const { out, exitCode } = await runCli(h, args, { NETSUITE_URL_TEMPLATE: h.urlTemplate, ...env });
  return { json: JSON.parse(out), exitCode };
}

describe("the README's first hour", () => {
  it('goes from nothing to a connected integration and an invoice in NetSuite, checked with NetSuite on the way', async () => {
    const keys = await generateKeyPair({ dir: path.join(h.tmpDir, 'newcomer'), kind: 'ec256' });
    expect(path.basename(keys.certificatePath)).toBe('m3ter-cert.pem');
    expect((await emulator(['account', 'create', NS])).netsuiteUrlTemplate).toBe(`${h.emulator.url}/{account}`);
    const m2m = await emulator(['certificate', 'add', '--account', NS, '--certificate-file', keys.certificatePath]);
    expect(m2m.clientId).toMatch(/^[0-9a-f]{64}$/);
    await expect(emulator(['certificate', 'add', '--account', NS, '--certificate-file', keys.privateKeyPath])).rejects.toThrow(/holds a private key; upload the certificate \(m3ter-cert\.pem\)/);
    await emulator(['item', 'add', '--account', NS, '--id', '10', '--name', 'Other']);

    const org = (await cli(['org', 'create', '--name', 'Acme Billing'])).json;
    const env = { M3TER_ORG_ID: org.orgId };
    const credential = (await cli(['credential', 'create', '--account-id', NS, '--certificate-id', m2m.certificateId, '--client-id', m2m.clientId, '--private-key-file', keys.privateKeyPath], env)).json;

    // The guide's hint taken literally: the item's name. Warned about at once, and the check says why it would fail.
    const byName = (await cli(['config', 'create', '--name', 'By name', '--credential', credential.id, '--config-data', '{"netsuiteDefaultItemId":"Other"}'], env)).json;
    expect(byName.warnings).toEqual([expect.stringMatching(/^netsuiteDefaultItemId: "Other" is not a NetSuite internal id/)]);
    const config = (await cli(['config', 'create', '--name', 'Bills to NetSuite', '--credential', credential.id, '--config-data', '{"netsuiteDefaultItemId":"10","onlySendBillOnApproval":true}'], env)).json;
    expect(config.integrationCredentialsId).toBe(credential.id);

    const acme = (await cli(['account', 'create', '--code', 'ACME', '--name', 'Acme Corp', '--email', 'billing@acme.example'], env)).json;
    expect((await cli(['account', 'list'], env)).json).toEqual([expect.objectContaining({ id: acme.id, code: 'ACME', name: 'Acme Corp' })]);

    const before = await cli(['config', 'check', '--config', config.id, '--account', 'ACME'], env);
    expect(before.exitCode).toBe(1);
    expect(before.json.connection.ok).toBe(true);
    expect(before.json.problems).toEqual([expect.stringMatching(/^custcol_m3ter_external_line_item: NetSuite has no transaction column field/), expect.stringMatching(/^Account ACME: NetSuite has no customer with External ID/)]);

    await emulator(['field', 'add', '--account', NS]);
    await emulator(['customer', 'add', '--account', NS, '--name', 'Acme Corp', '--external-id', acme.id]);
    const after = await cli(['config', 'check', '--config', config.id, '--account', 'ACME'], env);
    expect([after.exitCode, after.json.ok, after.json.problems]).toEqual([0, true, []]);

    const bill = (await cli(['bill', 'put', '--file', EXAMPLE_BILL], env)).json;
    expect(bill).toMatchObject({ status: 'PENDING', billTotal: '593.5' });
    expect((await cli(['bill', 'approve', bill.id], env)).json.approved).toEqual([bill.id]);
    await h.settleBill(bill.id);
    const runs = (await cli(['runs', 'list', '--config', config.id], env)).json;
    expect(runs.map((r: { status: string }) => r.status)).toContain('COMPLETE');
    const [invoice] = await emulator(['invoices', '--account', NS]);
    expect(invoice).toMatchObject({ customer: 'Acme Corp', tranDate: '2026-10-28', total: 593.5 });
    expect(invoice.lines.map((l: { item: string }) => l.item)).toEqual(['Other', 'Other', 'Other']);
  });
});
