import { apiClient } from '../support/api';
import { useFileWorld } from '../support/fileWorld';

const { h, api } = useFileWorld();

describe('authentication', () => {
  it('exchanges Basic apiKey:apiSecret for a bearer token, as m3ter does', async () => {
    const client = await apiClient(h, api);
    expect(client.token).toEqual(expect.any(String));
    expect((await client.call('GET', '/organizations/{orgId}/users')).status).toBe(200);
  });

  it('refuses a wrong secret, a missing token and a forged one, saying what to do', async () => {
    const client = await apiClient(h, api);
    const wrong = await fetch(`${api.url}/oauth/token`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${client.apiKey}:nope`).toString('base64')}` } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ message: expect.stringContaining('invalid API key or secret') });
    const missing = await fetch(`${api.url}/organizations/${client.orgId}/users`);
    expect(missing.status).toBe(401);
    const forged = await fetch(`${api.url}/organizations/${client.orgId}/users`, { headers: { authorization: `Bearer ${client.token}x` } });
    expect(forged.status).toBe(401);
  });

  it("confines a token to its organization: another organization's paths answer 404", async () => {
    const a = await apiClient(h, api);
    const b = await apiClient(h, api);
    const created = await b.call('POST', '/organizations/{orgId}/users', { email: 'b@example.com' });
    expect(created.status).toBe(200);
    const response = await fetch(`${api.url}/organizations/${b.orgId}/users/${created.body.id}`, { headers: { authorization: `Bearer ${a.token}` } });
    expect(response.status).toBe(404);
    expect((await a.call('GET', `/organizations/{orgId}/users/${created.body.id}`)).status).toBe(404);
  });

  it('serves the OpenAPI document', async () => {
    const doc = (await (await fetch(`${api.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/oauth/token', '/organizations/{orgId}/users']));
  });
});

describe('secrets', () => {
  it('the API secret and bearer tokens never reach a log line', async () => {
    const client = await apiClient(h, api);
    await client.call('GET', '/organizations/{orgId}/users');
    await fetch(`${api.url}/oauth/token`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${client.apiKey}:wrong-${client.apiSecret}`).toString('base64')}` } });
    const logs = api.logLines.join('\n');
    expect(logs).not.toContain(client.apiSecret);
    expect(logs).not.toContain(client.token);
  });
});

describe('validation', () => {
  it('names the field and the fix', async () => {
    const client = await apiClient(h, api);
    const response = await client.call('POST', '/organizations/{orgId}/users', { email: 'not-an-email' });
    expect(response.status).toBe(400);
    expect(response.body.message).toContain('email');
  });
});
