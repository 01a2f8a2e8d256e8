import { decodeProtectedHeader } from 'jose';
import type { GeneratedKeyPair } from '../../demo/keyPair';
import {
  ACCOUNT,
  CLIENT_ID,
  type Harness,
  HOST_FORM,
  makeKeys,
  requestToken,
  signAssertion,
  startHarness,
  tokenForm,
} from './support';

jest.setTimeout(30000);

let harness: Harness;
let rsa: GeneratedKeyPair & { cleanup(): Promise<void> };
let stranger: GeneratedKeyPair & { cleanup(): Promise<void> };

beforeAll(async () => {
  [harness, rsa, stranger] = await Promise.all([startHarness(), makeKeys('rsa4096'), makeKeys('ec256')]);
  await harness.emulator.admin.registerCertificate({
    accountId: ACCOUNT,
    certificateId: 'cert-rsa-1',
    clientId: CLIENT_ID,
    certificatePem: rsa.certificatePem,
  });
});

afterAll(async () => {
  await harness.close();
  await rsa.cleanup();
  await stranger.cleanup();
});

async function refusal(assertion: Parameters<typeof signAssertion>[2]) {
  const response = await requestToken(harness.emulator, tokenForm(await signAssertion(harness.clock, harness.emulator, assertion)));
  return { status: response.status, body: (await response.json()) as { error: string; error_description?: string } };
}

describe('token endpoint', () => {
  it('issues a bearer token for a valid ES256 assertion', async () => {
    const assertion = await signAssertion(harness.clock, harness.emulator, { privateKeyPem: harness.keys.privateKeyPem });
    const response = await requestToken(harness.emulator, tokenForm(assertion));
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({ access_token: expect.any(String), expires_in: 3600, token_type: 'Bearer' });
    expect((body.access_token as string).length).toBeGreaterThan(20);
    expect((await harness.emulator.admin.getStats(ACCOUNT)).tokensIssued).toBeGreaterThanOrEqual(1);
  });

  it('issues a token for a PS256 assertion signed with the guide’s rsa:4096 key', async () => {
    const assertion = await signAssertion(harness.clock, harness.emulator, { privateKeyPem: rsa.privateKeyPem, alg: 'PS256', kid: 'cert-rsa-1' });
    expect(decodeProtectedHeader(assertion)).toMatchObject({ alg: 'PS256', typ: 'JWT', kid: 'cert-rsa-1' });
    const response = await requestToken(harness.emulator, tokenForm(assertion));
    expect(response.status).toBe(200);
  });

  it('accepts the account id in either form in the URL', async () => {
    const assertion = await signAssertion(harness.clock, harness.emulator, { privateKeyPem: harness.keys.privateKeyPem });
    const response = await requestToken(harness.emulator, tokenForm(assertion), ACCOUNT);
    expect(response.status).toBe(200);
  });

  it('refuses RS256 as UnsupportedAlgo', async () => {
    const result = await refusal({ privateKeyPem: rsa.privateKeyPem, alg: 'RS256', kid: 'cert-rsa-1' });
    expect(result.status).toBe(400);
    expect(result.body.error).toBe('invalid_grant');
    expect(result.body.error_description).toMatch(/^UnsupportedAlgo: /);
  });

  it('refuses a missing kid as MissingKeyId', async () => {
    const result = await refusal({ privateKeyPem: harness.keys.privateKeyPem, kid: null });
    expect(result).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(result.body.error_description).toMatch(/^MissingKeyId: /);
  });

  it('refuses an unregistered kid as MissingKey', async () => {
    const result = await refusal({ privateKeyPem: harness.keys.privateKeyPem, kid: 'cert-nobody' });
    expect(result).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(result.body.error_description).toMatch(/^MissingKey: /);
  });

  it('refuses a signature made with another key as InvalidSignature', async () => {
    const result = await refusal({ privateKeyPem: stranger.privateKeyPem });
    expect(result).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(result.body.error_description).toMatch(/^InvalidSignature: /);
  });

  it('refuses an algorithm that does not fit the certificate key as InvalidSignature', async () => {
    const result = await refusal({ privateKeyPem: rsa.privateKeyPem, alg: 'PS256', kid: 'cert-ec-1' });
    expect(result.status).toBe(401);
    expect(result.body.error_description).toMatch(/^InvalidSignature: /);
  });

  it('refuses a wrong iss as InvalidIssuer', async () => {
    const result = await refusal({ privateKeyPem: harness.keys.privateKeyPem, iss: 'someone-else' });
    expect(result).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(result.body.error_description).toMatch(/^InvalidIssuer: /);
  });

  it.each([
    ['production host', `https://${HOST_FORM}.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token`],
    ['underscore account form', () => `${harness.emulator.url}/${ACCOUNT}/services/rest/auth/oauth2/v1/token`],
  ])('refuses an aud that is not the exact token URL (%s)', async (_label, aud) => {
    const result = await refusal({ privateKeyPem: harness.keys.privateKeyPem, aud: typeof aud === 'function' ? aud() : aud });
    expect(result).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(result.body.error_description).toMatch(/^InvalidAudience: /);
  });

  it.each([
    ['comma-separated string', 'restlets, rest_webservices', 200],
    ['JSON array', ['rest_webservices'], 200],
    ['string without rest_webservices', 'restlets,suite_analytics', 400],
    ['array without rest_webservices', ['restlets'], 400],
    ['space-separated string', 'restlets rest_webservices', 400],
    ['unknown value', ['rest_webservices', 'everything'], 400],
  ])('checks scope given as a %s', async (_label, scope, status) => {
    const assertion = await signAssertion(harness.clock, harness.emulator, { privateKeyPem: harness.keys.privateKeyPem, scope });
    const response = await requestToken(harness.emulator, tokenForm(assertion));
    expect(response.status).toBe(status);
    if (status === 400) {
      const body = (await response.json()) as { error: string; error_description: string };
      expect(body.error).toBe('invalid_grant');
      expect(body.error_description).toMatch(/^ScopeMismatched: /);
    }
  });

  it('refuses exp more than 60 minutes after iat as TokenValidityTooBroad', async () => {
    const iat = harness.clock.seconds;
    const result = await refusal({ privateKeyPem: harness.keys.privateKeyPem, iat, exp: iat + 3601 });
    expect(result).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(result.body.error_description).toMatch(/^TokenValidityTooBroad: /);
  });

  it('refuses an expired assertion as TokenExpired, judged by the injected clock', async () => {
    const assertion = await signAssertion(harness.clock, harness.emulator, { privateKeyPem: harness.keys.privateKeyPem });
    harness.clock.advance(3601);
    try {
      const response = await requestToken(harness.emulator, tokenForm(assertion));
      const body = (await response.json()) as { error: string; error_description: string };
      expect(response.status).toBe(400);
      expect(body.error).toBe('invalid_grant');
      expect(body.error_description).toMatch(/^TokenExpired: /);
    } finally {
      harness.clock.advance(-3601);
    }
  });

  it('refuses a header typ other than JWT', async () => {
    const result = await refusal({ privateKeyPem: harness.keys.privateKeyPem, typ: 'at+jwt' });
    expect(result.status).toBe(400);
    expect(result.body.error).toBe('invalid_request');
  });

  it('answers unsupported_grant_type and invalid_request for bad forms', async () => {
    const assertion = await signAssertion(harness.clock, harness.emulator, { privateKeyPem: harness.keys.privateKeyPem });
    const wrongGrant = await requestToken(harness.emulator, { ...tokenForm(assertion), grant_type: 'password' });
    expect(wrongGrant.status).toBe(400);
    expect(((await wrongGrant.json()) as { error: string }).error).toBe('unsupported_grant_type');

    const missing = await requestToken(harness.emulator, { grant_type: 'client_credentials' });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: string }).error).toBe('invalid_request');

    const notAJwt = await requestToken(harness.emulator, tokenForm('not-a-jwt'));
    expect(notAJwt.status).toBe(400);
    expect(((await notAJwt.json()) as { error: string }).error).toBe('invalid_request');
  });

  it('answers 404 with a NetSuite-style body for an unknown account', async () => {
    const assertion = await signAssertion(harness.clock, harness.emulator, { privateKeyPem: harness.keys.privateKeyPem });
    const response = await requestToken(harness.emulator, tokenForm(assertion), '7654321-sb2');
    expect(response.status).toBe(404);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 404, 'o:errorDetails': [expect.objectContaining({ 'o:errorCode': expect.any(String) })] });
  });

  it('binds tokens to the account that issued them', async () => {
    const other = '7654321';
    await harness.emulator.admin.createAccount({ accountId: other });
    await harness.emulator.admin.registerCertificate({
      accountId: other,
      certificateId: 'cert-ec-1',
      clientId: CLIENT_ID,
      certificatePem: harness.keys.certificatePem,
    });
    const token = await harness.token();
    const response = await fetch(`${harness.emulator.url}/${other}/services/rest/record/v1/invoice/1001`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="7654321", error="invalid_token"');
  });
});
