import crypto from 'node:crypto';
import { apiClient } from '../support/api';
import { useFileWorld } from '../support/fileWorld';

const { h, api, keyPair } = useFileWorld();

const NETSUITE_ACCOUNT = '7654321_SB1';
const CERTIFICATE_ID = 'cert-registered';
const CLIENT_ID = 'client-registered';

beforeAll(async () => {
  await h.emulator.admin.createAccount({ accountId: NETSUITE_ACCOUNT });
  await h.emulator.admin.registerCertificate({ accountId: NETSUITE_ACCOUNT, certificateId: CERTIFICATE_ID, clientId: CLIENT_ID, certificatePem: keyPair.certificatePem });
});

const AUTH = '/organizations/{orgId}/integrationauth/Netsuite/netsuiteauth';
const base64 = (text: string) => Buffer.from(text).toString('base64');

/** The guide's body: the key as the base64 of the PEM file. */
function body(overrides: Record<string, unknown> = {}) {
  return { type: 'NETSUITE_AUTH', accountId: NETSUITE_ACCOUNT, certificateId: CERTIFICATE_ID, clientId: CLIENT_ID, privateKey: base64(keyPair.privateKeyPem), ...overrides };
}

/** No answer may carry the key in any form. */
function expectNoKey(text: string) {
  expect(text).not.toContain('PRIVATE KEY');
  expect(text).not.toContain(base64(keyPair.privateKeyPem).slice(0, 40));
  const keyBody = keyPair.privateKeyPem.split('\n')[1]!;
  expect(text).not.toContain(keyBody);
}

const FIELDS = ['accountId', 'certificateId', 'clientId', 'concurrencyLimit', 'dtCreated', 'id', 'keyFingerprint', 'keyType', 'name', 'version'];

describe('NetSuite credentials', () => {
  it('saves the guide body, answers everything but the key, lists and reads it back', async () => {
    const client = await apiClient(h, api);
    const created = await client.call('POST', AUTH, body({ name: 'sandbox', accountId: '7654321-sb1' }));
    expect(created.status).toBe(200);
    expectNoKey(created.text);
    expect(Object.keys(created.body).sort()).toEqual(FIELDS);
    expect(created.body).toEqual({
      id: expect.any(String),
      name: 'sandbox',
      accountId: NETSUITE_ACCOUNT,
      certificateId: CERTIFICATE_ID,
      clientId: CLIENT_ID,
      keyFingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
      keyType: 'EC-prime256v1',
      concurrencyLimit: 5,
      version: 1,
      dtCreated: expect.any(String),
    });

    // The raw PEM text is accepted too.
    const pem = await client.call('POST', AUTH, body({ privateKey: keyPair.privateKeyPem }));
    expect(pem.status).toBe(200);
    expectNoKey(pem.text);
    expect(pem.body.keyFingerprint).toBe(created.body.keyFingerprint);

    const list = await client.call('GET', AUTH);
    expect(list.status).toBe(200);
    expectNoKey(list.text);
    expect(list.body.data.map((c: { id: string }) => c.id)).toEqual([created.body.id, pem.body.id]);
    const paged = await client.call('GET', `${AUTH}?pageSize=1`);
    expect(paged.body.data).toHaveLength(1);
    expect(paged.body.nextToken).toEqual(expect.any(String));
    expect((await client.call('GET', `${AUTH}?pageSize=1&nextToken=${paged.body.nextToken}`)).body).toEqual({ data: [expect.objectContaining({ id: pem.body.id })] });

    const one = await client.call('GET', `${AUTH}/${created.body.id}`);
    expect(one.body).toEqual(created.body);
    expectNoKey(one.text);

    // Not editable once created.
    expect((await client.call('PUT', `${AUTH}/${created.body.id}`, body())).status).toBe(404);
    for (const line of api.logLines) expect(line).not.toContain('PRIVATE KEY');
  });

  it('refuses an RSA 2048 key naming privateKey, and stores nothing', async () => {
    const client = await apiClient(h, api);
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const response = await client.call('POST', AUTH, body({ privateKey: base64(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()) }));
    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(/^privateKey: This RSA key has 2048 bits, too short for NetSuite/);
    expectNoKey(response.text);
    expect((await client.call('GET', AUTH)).body).toEqual({ data: [] });
  });

  it('refuses what is not a key, a certificate in its place, a malformed account id and missing fields', async () => {
    const client = await apiClient(h, api);
    const garbage = await client.call('POST', AUTH, body({ privateKey: 'not base64 at all!' }));
    expect(garbage.status).toBe(400);
    expect(garbage.body.message).toMatch(/^privateKey: This is neither PEM text nor the base64 of a PEM file \(base64 -i m3ter-key.pem\)/);
    const notPem = await client.call('POST', AUTH, body({ privateKey: base64('hello world') }));
    expect(notPem.status).toBe(400);
    expect(notPem.body.message).toMatch(/^privateKey: This decodes from base64, but not to a PEM file/);
    const certificate = await client.call('POST', AUTH, body({ privateKey: base64(keyPair.certificatePem) }));
    expect(certificate.status).toBe(400);
    // In the guide's file names, starting with a sentence; base64 is no business of a console user.
    expect(certificate.body.message).toMatch(/^privateKey: This file is the certificate \(m3ter-cert\.pem, the half you upload to NetSuite\), not the private key\. Choose m3ter-key\.pem/);
    expect(certificate.body.message).not.toMatch(/private\.pem|public\.pem|base64/);
    const account = await client.call('POST', AUTH, body({ accountId: '1234 567' }));
    expect(account.status).toBe(400);
    expect(account.body.message).toMatch(/^accountId "1234 567" is not a NetSuite account id/);
    const missing = await client.call('POST', AUTH, { type: 'NETSUITE_AUTH', accountId: NETSUITE_ACCOUNT, certificateId: CERTIFICATE_ID });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toContain('clientId: clientId is required');
    expect(missing.body.message).toContain('privateKey: privateKey is required');
    const wrongType = await client.call('POST', AUTH, body({ type: 'OAUTH' }));
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.message).toContain('type');
    expect((await client.call('GET', AUTH)).body).toEqual({ data: [] });
  });

  it('with verify=true fetches a token from NetSuite before saving', async () => {
    const client = await apiClient(h, api);
    const before = (await h.emulator.admin.getStats(NETSUITE_ACCOUNT)).requests.token;
    const verified = await client.call('POST', `${AUTH}?verify=true`, body());
    expect(verified.status).toBe(200);
    expectNoKey(verified.text);
    expect((await h.emulator.admin.getStats(NETSUITE_ACCOUNT)).requests.token).toBe(before + 1);
    expect((await client.call('GET', AUTH)).body.data).toEqual([verified.body]);
  });

  it("with verify=true refuses with NetSuite's reason and stores nothing", async () => {
    const client = await apiClient(h, api);
    const wrongClient = await client.call('POST', `${AUTH}?verify=true`, body({ clientId: 'someone-else' }));
    expect(wrongClient.status).toBe(400);
    expect(wrongClient.body.message).toContain('NetSuite refused the credential (401 invalid_client: InvalidIssuer');
    const unregistered = await client.call('POST', `${AUTH}?verify=true`, body({ certificateId: 'never-uploaded' }));
    expect(unregistered.status).toBe(400);
    expect(unregistered.body.message).toContain('MissingKey');
    expectNoKey(unregistered.text);
    expect((await client.call('GET', AUTH)).body).toEqual({ data: [] });

    // Without verify the same credential is stored: the check is only on request.
    expect((await client.call('POST', AUTH, body({ certificateId: 'never-uploaded' }))).status).toBe(200);
  });

  it("verifies a stored credential with NetSuite, and answers NetSuite's reason once NetSuite no longer accepts it", async () => {
    const client = await apiClient(h, api);
    const certificateId = `cert-${crypto.randomUUID()}`;
    await h.emulator.admin.registerCertificate({ accountId: NETSUITE_ACCOUNT, certificateId, clientId: CLIENT_ID, certificatePem: keyPair.certificatePem });
    const credential = (await client.call('POST', AUTH, body({ certificateId }))).body;
    const before = (await h.emulator.admin.getStats(NETSUITE_ACCOUNT)).requests.token;
    const verified = await client.call('POST', `${AUTH}/${credential.id}/verify`);
    expect(verified.status).toBe(200);
    expect(verified.body).toEqual({ verified: true, message: `NetSuite issued an access token for account ${NETSUITE_ACCOUNT} with this credential` });
    expect((await h.emulator.admin.getStats(NETSUITE_ACCOUNT)).requests.token).toBe(before + 1);

    await h.emulator.admin.removeCertificate(NETSUITE_ACCOUNT, certificateId);
    const refused = await client.call('POST', `${AUTH}/${credential.id}/verify`);
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain('NetSuite refused the credential');
    expectNoKey(refused.text);
    expect((await client.call('GET', `${AUTH}/${credential.id}`)).body).toEqual(credential);
    expect((await client.call('POST', `${AUTH}/${crypto.randomUUID()}/verify`)).status).toBe(404);
  });

  it('refuses to delete a credential a config uses, and deletes it once disconnected', async () => {
    const client = await apiClient(h, api);
    const credential = (await client.call('POST', AUTH, body())).body;
    const config = (
      await client.call('POST', '/organizations/{orgId}/integrationconfigs', { destination: 'Netsuite', entityType: 'Bill', name: 'ns', configData: { netsuiteDefaultItemId: '1' }, integrationCredentialsId: credential.id })
    ).body;
    const inUse = await client.call('DELETE', `${AUTH}/${credential.id}`);
    expect(inUse.status).toBe(409);
    expect(inUse.body.message).toContain(config.id);

    const disconnected = await client.call('PUT', `/organizations/{orgId}/integrationconfigs/${config.id}`, { destination: 'Netsuite', entityType: 'Bill', name: 'ns', configData: { netsuiteDefaultItemId: '1' }, integrationCredentialsId: null, version: 1 });
    expect(disconnected.body.authorized).toBe(false);
    const deleted = await client.call('DELETE', `${AUTH}/${credential.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual(credential);
    expectNoKey(deleted.text);
    expect((await client.call('GET', `${AUTH}/${credential.id}`)).status).toBe(404);
    expect((await client.call('DELETE', `${AUTH}/${credential.id}`)).status).toBe(404);
  });

  it("answers 404 for another organization's credential", async () => {
    const a = await apiClient(h, api);
    const b = await apiClient(h, api);
    const credential = (await b.call('POST', AUTH, body())).body;
    expect((await a.call('GET', `${AUTH}/${credential.id}`)).status).toBe(404);
    expect((await a.call('DELETE', `${AUTH}/${credential.id}`)).status).toBe(404);
    expect((await a.call('POST', `${AUTH}/${credential.id}/verify`)).status).toBe(404);
    expect((await a.call('GET', AUTH)).body).toEqual({ data: [] });
    expect((await b.call('GET', `${AUTH}/${credential.id}`)).status).toBe(200);
  });
});
