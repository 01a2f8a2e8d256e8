import { apiClient } from '../support/api';
import { useFileWorld } from '../support/fileWorld';

/**
 * Before the first bill fails on it: an item name where NetSuite wants an internal id is warned about
 * when the config is saved; "check" asks NetSuite for every item, the column fields and the customers
 * of chosen accounts and names each missing one; a mistyped account-filter field is warned about and
 * the filter can be tried on an account.
 */
const { h, api, keyPair } = useFileWorld();
let client: Awaited<ReturnType<typeof apiClient>>;
let acme: { id: string; code: string };
let orphan: { id: string };
let credentialId: string;

const NS = '5550417_SB1';
const CONFIGS = '/organizations/{orgId}/integrationconfigs';

beforeAll(async () => {
  await h.emulator.admin.createAccount({ accountId: NS });
  await h.emulator.admin.registerCertificate({ accountId: NS, certificateId: 'cert-check', clientId: 'client-check', certificatePem: keyPair.certificatePem });
  await h.emulator.admin.addItem({ accountId: NS, id: '10', name: 'Other' });
  await h.emulator.admin.addItem({ accountId: NS, id: '20', name: 'Platform subscription' });
  client = await apiClient(h, api);
  const account = async (code: string, customFields: Record<string, string>) =>
    (await client.call('POST', '/organizations/{orgId}/accounts', { code, name: `${code} Corp`, emailAddress: `ap@${code.toLowerCase()}.example`, customFields })).body;
  acme = await account('ACME', { country: 'UK' });
  orphan = await account('ORPHAN', { country: 'FR' });
  await h.emulator.admin.addCustomer({ accountId: NS, externalId: acme.id, name: 'Acme Corp' });
  const credential = await client.call('POST', '/organizations/{orgId}/integrationauth/Netsuite/netsuiteauth', {
    accountId: NS,
    certificateId: 'cert-check',
    clientId: 'client-check',
    privateKey: Buffer.from(keyPair.privateKeyPem).toString('base64'),
  });
  expect(credential.status).toBe(200);
  credentialId = credential.body.id;
}, 120_000);

const create = (configData: Record<string, unknown>, integrationCredentialsId: string | null = credentialId) =>
  client.call('POST', CONFIGS, { destination: 'Netsuite', entityType: 'Bill', name: `check ${Math.random()}`, configData, integrationCredentialsId });

describe('item ids', () => {
  it('warns, on save and on every read, about an item name where NetSuite wants an internal id', async () => {
    const created = await create({ netsuiteDefaultItemId: 'Other', netsuiteItemMapping: { USAGE: '20' } });
    expect(created.status).toBe(200);
    expect(created.body.warnings).toEqual([expect.stringMatching(/^netsuiteDefaultItemId: "Other" is not a NetSuite internal id .*"Invalid item reference key"/)]);
    expect((await client.call('GET', `${CONFIGS}/${created.body.id}`)).body.warnings).toEqual(created.body.warnings);
    expect((await create({ netsuiteDefaultItemId: '10' })).body.warnings).toEqual([]);
  });
});

describe('check with NetSuite', () => {
  it('names every missing item, column field and customer, and what it found by NetSuite name', async () => {
    const config = (await create({ netsuiteDefaultItemId: '10', netsuiteItemMapping: { USAGE: '30', STANDING_CHARGE: '20' }, netsuiteItemCustomFieldMapping: { servicePeriodStart: '_service_start' } })).body;
    const check = await client.call('POST', `${CONFIGS}/${config.id}/check`, { accounts: ['ACME', orphan.id, 'NOBODY'] });
    expect(check.status).toBe(200);
    expect(check.body).toMatchObject({ ok: false, netsuiteAccountId: NS, connection: { ok: true } });
    expect(check.body.items).toEqual([
      { setting: 'netsuiteDefaultItemId', itemId: '10', status: 'found', name: 'Other' },
      { setting: 'netsuiteItemMapping.USAGE', itemId: '30', status: 'missing' },
      { setting: 'netsuiteItemMapping.STANDING_CHARGE', itemId: '20', status: 'found', name: 'Platform subscription' },
    ]);
    expect(check.body.customFields.map((f: { scriptId: string; status: string }) => [f.scriptId, f.status])).toEqual([
      ['custcol_m3ter_external_line_item', 'missing'],
      ['custcol_service_start', 'missing'],
    ]);
    expect(check.body.customers.map((c: { account: string; status: string }) => [c.account, c.status])).toEqual([
      ['ACME', 'found'],
      ['ORPHAN', 'missing'],
      ['NOBODY', 'missing'],
    ]);
    const problems: string[] = check.body.problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        'netsuiteItemMapping.USAGE: NetSuite has no item with internal id 30.',
        expect.stringMatching(/^custcol_m3ter_external_line_item: NetSuite has no transaction column field/),
        expect.stringMatching(/^custcol_service_start: NetSuite has no transaction column field/),
        expect.stringMatching(new RegExp(`^Account ORPHAN: NetSuite has no customer with External ID ${orphan.id}`)),
        'Account NOBODY: no such m3ter account in this organization.',
      ]),
    );
    expect(problems).toHaveLength(5);

    // Once NetSuite has them, the same check passes.
    await h.emulator.admin.addItem({ accountId: NS, id: '30', name: 'API usage' });
    await h.emulator.admin.addCustomField({ accountId: NS, scriptId: 'custcol_m3ter_external_line_item' });
    await h.emulator.admin.addCustomField({ accountId: NS, scriptId: 'custcol_service_start' });
    const again = await client.call('POST', `${CONFIGS}/${config.id}/check`, { accounts: ['ACME'] });
    expect(again.body).toMatchObject({ ok: true, problems: [] });
    expect(again.body.customers).toEqual([expect.objectContaining({ account: 'ACME', status: 'found', internalId: expect.any(String), name: 'Acme Corp' })]);
  });

  it('says it is not connected, or that NetSuite refused the credential, instead of checking', async () => {
    const unconnected = (await create({ netsuiteDefaultItemId: '10' }, null)).body;
    const check = await client.call('POST', `${CONFIGS}/${unconnected.id}/check`);
    expect(check.body).toMatchObject({ ok: false, connection: { ok: false }, problems: [expect.stringMatching(/^Not connected: add a NetSuite credential/)] });
    expect(check.body.items[0].status).toBe('unchecked');

    await h.emulator.admin.removeCertificate(NS, 'cert-check');
    try {
      const refused = await client.call('POST', `${CONFIGS}/${(await create({ netsuiteDefaultItemId: '10' })).body.id}/check`, {});
      expect(refused.body.connection).toEqual({ ok: false, message: expect.stringMatching(/^NetSuite refused the credential/) });
    } finally {
      await h.emulator.admin.registerCertificate({ accountId: NS, certificateId: 'cert-check', clientId: 'client-check', certificatePem: keyPair.certificatePem });
    }
  });

  it("answers 404 for another organization's config", async () => {
    const config = (await create({ netsuiteDefaultItemId: '10' })).body;
    const other = await apiClient(h, api);
    expect((await other.call('POST', `${CONFIGS}/${config.id}/check`, {})).status).toBe(404);
  });
});

describe('the account filter', () => {
  it('warns about a field no account has, and tries the filter on an account', async () => {
    const typo = await client.call('POST', `${CONFIGS}/accountfilter/check`, { accountFilter: 'customFields.contry == UK' });
    expect(typo.body).toEqual({ valid: true, warnings: [expect.stringMatching(/^accountFilter: no account has customFields\.contry; check its spelling/)] });
    const good = await client.call('POST', `${CONFIGS}/accountfilter/check`, { accountFilter: 'customFields.country == UK', accountId: 'ACME' });
    expect(good.body).toEqual({ valid: true, warnings: [], verdict: { accountId: acme.id, passes: true, message: expect.stringMatching(/^True for ACME Corp \(ACME\)/) } });
    const skipped = await client.call('POST', `${CONFIGS}/accountfilter/check`, { accountFilter: 'customFields.country == UK', accountId: orphan.id });
    expect(skipped.body.verdict).toEqual({ accountId: orphan.id, passes: false, message: 'False for ORPHAN Corp (ORPHAN): its bills would be SKIPPED by this integration.' });
    expect((await client.call('POST', `${CONFIGS}/accountfilter/check`, { accountFilter: 'code == X', accountId: 'NOBODY' })).status).toBe(404);
    // Saved anyway (it is valid), with the warning.
    const saved = await create({ netsuiteDefaultItemId: '10', accountFilter: 'customFields.contry == UK' });
    expect(saved.body.warnings).toEqual(typo.body.warnings);
  });
});
