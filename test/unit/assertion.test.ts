import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeProtectedHeader, importX509, jwtVerify } from 'jose';
import { generateKeyPair, type GeneratedKeyPair } from '../../demo/keyPair';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import { signClientAssertion } from '../../netsuite/assertion';
import { NetSuiteClient } from '../../netsuite/client';
import { NetSuiteAuthError } from '../../netsuite/errors';
import { inspectPrivateKey, InvalidPrivateKeyError } from '../../netsuite/privateKey';

const ACCOUNT = '1234567_SB1';
let dir: string;
let emulator: RunningEmulator;
let rsa: GeneratedKeyPair;
let ec: GeneratedKeyPair;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assertion-'));
  [rsa, ec] = await Promise.all([generateKeyPair({ dir: path.join(dir, 'rsa') }), generateKeyPair({ dir: path.join(dir, 'ec'), kind: 'ec256' })]);
  emulator = await startEmulator();
  await emulator.admin.createAccount({ accountId: ACCOUNT });
  await emulator.admin.registerCertificate({ accountId: ACCOUNT, certificateId: 'cert-rsa', clientId: 'client-1', certificatePem: rsa.certificatePem });
  await emulator.admin.registerCertificate({ accountId: ACCOUNT, certificateId: 'cert-ec', clientId: 'client-1', certificatePem: ec.certificatePem });
});

afterAll(async () => {
  await emulator?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe.each([
  ['RSA 4096 (the guide’s openssl command)', () => rsa, 'cert-rsa', 'PS256'],
  ['EC P-256', () => ec, 'cert-ec', 'ES256'],
])('the client assertion signed with %s', (_name, keys, certificateId, alg) => {
  const client = () => new NetSuiteClient({ urlTemplate: `${emulator.url}/{account}` });

  it('verifies independently with jose against the certificate, with the claims NetSuite checks', async () => {
    const tokenUrl = client().urls.token(ACCOUNT);
    const now = new Date();
    const jwt = await signClientAssertion({ privateKeyPem: keys().privateKeyPem, certificateId, clientId: 'client-1', tokenUrl, now });
    expect(decodeProtectedHeader(jwt)).toEqual({ alg, typ: 'JWT', kid: certificateId });
    const { payload } = await jwtVerify(jwt, await importX509(keys().certificatePem, alg), { issuer: 'client-1', audience: tokenUrl, currentDate: now });
    expect(payload.scope).toEqual(['rest_webservices']);
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(3600);
    expect(payload.jti).toEqual(expect.any(String));
  });

  it('is accepted by the emulated token endpoint, which answers with an access token', async () => {
    const c = client();
    const jwt = await signClientAssertion({ privateKeyPem: keys().privateKeyPem, certificateId, clientId: 'client-1', tokenUrl: c.urls.token(ACCOUNT), now: new Date() });
    const token = await c.requestToken('1234567-sb1', jwt);
    expect(token.value).toEqual(expect.any(String));
    expect(token.expiresAt).toBeGreaterThan(Date.now() + 3_000_000);
  });
});

describe('a refused assertion', () => {
  it("is reported with NetSuite's error and the audit-trail reason", async () => {
    const c = new NetSuiteClient({ urlTemplate: `${emulator.url}/{account}` });
    const jwt = await signClientAssertion({ privateKeyPem: ec.privateKeyPem, certificateId: 'cert-ec', clientId: 'wrong-client', tokenUrl: c.urls.token(ACCOUNT), now: new Date() });
    const error = await c.requestToken(ACCOUNT, jwt).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetSuiteAuthError);
    expect((error as NetSuiteAuthError).message).toMatch(/invalid_client.*InvalidIssuer/);
    expect((error as NetSuiteAuthError).message).toContain('Login Audit Trail');
  });
});

describe('private keys', () => {
  it('RSA shorter than 3072 bits is refused, naming the field and the fix', () => {
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => inspectPrivateKey(pem)).toThrow(InvalidPrivateKeyError);
    expect(() => inspectPrivateKey(pem)).toThrow(/^privateKey: This RSA key has 2048 bits, too short for NetSuite.*Choose m3ter-key\.pem, the private key made by `openssl req -x509 -newkey rsa:4096 -sha256 -keyout m3ter-key\.pem -out m3ter-cert\.pem/);
  });

  it('an EC key on an unsupported curve is refused', () => {
    const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    expect(() => inspectPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString())).toThrow(/P-256, P-384 or P-521/);
  });

  it('text that is not a key is refused', () => {
    expect(() => inspectPrivateKey('hello')).toThrow(/not a PEM private key/);
  });

  it('a fingerprint identifies the key without revealing it', () => {
    const info = inspectPrivateKey(ec.privateKeyPem);
    expect(info).toMatchObject({ keyType: 'EC-prime256v1', algorithm: 'ES256', fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(ec.privateKeyPem).not.toContain(info.fingerprint);
  });
});
