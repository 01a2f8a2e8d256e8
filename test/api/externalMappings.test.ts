import { apiClient, type ApiClient } from '../support/api';
import { useFileWorld } from '../support/fileWorld';

const { h, api } = useFileWorld();
const MAPPINGS = '/organizations/{orgId}/externalmappings';
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

function mapping(overrides: Record<string, unknown> = {}) {
  return { externalSystem: 'Netsuite', externalTable: 'Customer', externalId: '981', m3terEntity: 'Account', m3terId: 'acc-1', ...overrides };
}

async function config(client: ApiClient, name = 'ns'): Promise<string> {
  const response = await client.call('POST', '/organizations/{orgId}/integrationconfigs', { destination: 'Netsuite', entityType: 'Bill', name, configData: { netsuiteDefaultItemId: '1' } });
  expect(response.status).toBe(200);
  return response.body.id;
}

describe('external mappings', () => {
  it('creates, reads, replaces under optimistic locking and deletes', async () => {
    const client = await apiClient(h, api);
    const created = await client.call('POST', MAPPINGS, mapping());
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ id: expect.any(String), version: 1, dtCreated: expect.any(String), dtLastModified: expect.any(String), integrationConfigId: null, ...mapping() });
    const id = created.body.id;
    expect((await client.call('GET', `${MAPPINGS}/${id}`)).body).toEqual(created.body);

    const replaced = await client.call('PUT', `${MAPPINGS}/${id}`, mapping({ externalId: '982', version: 1 }));
    expect(replaced.status).toBe(200);
    expect(replaced.body).toEqual(expect.objectContaining({ id, version: 2, externalId: '982' }));
    const stale = await client.call('PUT', `${MAPPINGS}/${id}`, mapping({ externalId: '983', version: 1 }));
    expect(stale.status).toBe(409);
    expect(stale.body.message).toMatch(/^version: the stored version is 2, not 1/);
    expect((await client.call('GET', `${MAPPINGS}/${id}`)).body.externalId).toBe('982');

    const deleted = await client.call('DELETE', `${MAPPINGS}/${id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual(replaced.body);
    expect((await client.call('GET', `${MAPPINGS}/${id}`)).status).toBe(404);
    expect((await client.call('PUT', `${MAPPINGS}/${id}`, mapping({ version: 2 }))).status).toBe(404);
    expect((await client.call('DELETE', `${MAPPINGS}/${id}`)).status).toBe(404);
  });

  it('requires every field, naming the missing ones', async () => {
    const client = await apiClient(h, api);
    const response = await client.call('POST', MAPPINGS, { externalSystem: 'Netsuite', externalTable: 'Customer', m3terEntity: 'Account' });
    expect(response.status).toBe(400);
    expect(response.body.message).toContain('externalId: externalId is required');
    expect(response.body.message).toContain('m3terId: m3terId is required');
    expect((await client.call('GET', MAPPINGS)).body).toEqual({ data: [] });
  });

  it('finds mappings by m3ter entity and by external entity', async () => {
    const client = await apiClient(h, api);
    const customer = (await client.call('POST', MAPPINGS, mapping())).body;
    const item = (await client.call('POST', MAPPINGS, mapping({ externalTable: 'Item', externalId: '55', m3terEntity: 'Product', m3terId: 'prod-1' }))).body;

    const byM3ter = await client.call('GET', `${MAPPINGS}/external/Account/acc-1`);
    expect(byM3ter.status).toBe(200);
    expect(byM3ter.body).toEqual({ data: [customer] });
    expect((await client.call('GET', `${MAPPINGS}/external/Product/prod-1`)).body).toEqual({ data: [item] });
    expect((await client.call('GET', `${MAPPINGS}/external/Product/acc-1`)).body).toEqual({ data: [] });

    const byExternal = await client.call('GET', `${MAPPINGS}/externalid/Netsuite/Item/55`);
    expect(byExternal.status).toBe(200);
    expect(byExternal.body).toEqual({ data: [item] });
    expect((await client.call('GET', `${MAPPINGS}/externalid/netsuite/customer/981`)).body).toEqual({ data: [customer] });
    expect((await client.call('GET', `${MAPPINGS}/externalid/Netsuite/Customer/55`)).body).toEqual({ data: [] });
  });

  it('links a mapping to a config of this organization, filters the list, and refuses duplicates', async () => {
    const client = await apiClient(h, api);
    const configId = await config(client);
    const unlinked = (await client.call('POST', MAPPINGS, mapping())).body;
    const linked = await client.call('POST', MAPPINGS, mapping({ externalId: '777', integrationConfigId: configId }));
    expect(linked.status).toBe(200);
    expect(linked.body.integrationConfigId).toBe(configId);
    const other = (await client.call('POST', MAPPINGS, mapping({ externalSystem: 'Xero', m3terId: 'acc-2', externalId: 'x-1' }))).body;

    expect((await client.call('GET', `${MAPPINGS}?integrationConfigId=${configId}`)).body).toEqual({ data: [linked.body] });
    expect((await client.call('GET', `${MAPPINGS}?externalSystemId=Netsuite`)).body.data.map((m: { id: string }) => m.id)).toEqual([unlinked.id, linked.body.id]);
    expect((await client.call('GET', `${MAPPINGS}?m3terIds=acc-2,nope`)).body).toEqual({ data: [other] });
    expect((await client.call('GET', `${MAPPINGS}?m3terIds=acc-1,acc-2&externalSystemId=Xero`)).body).toEqual({ data: [other] });

    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const response = await client.call('GET', `${MAPPINGS}?pageSize=2${nextToken ? `&nextToken=${nextToken}` : ''}`);
      seen.push(...response.body.data.map((m: { id: string }) => m.id));
      nextToken = response.body.nextToken;
    } while (nextToken);
    expect(seen).toEqual([unlinked.id, linked.body.id, other.id]);

    const unknown = await client.call('POST', MAPPINGS, mapping({ m3terId: 'acc-9', integrationConfigId: UNKNOWN }));
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/^integrationConfigId: no integration configuration/);
    const malformed = await client.call('POST', MAPPINGS, mapping({ integrationConfigId: 'not-a-uuid' }));
    expect(malformed.status).toBe(400);
    expect(malformed.body.message).toContain('integrationConfigId');

    const duplicate = await client.call('POST', MAPPINGS, mapping({ externalId: '999' }));
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.message).toContain(unlinked.id);
    expect((await client.call('POST', MAPPINGS, mapping({ externalId: '999', integrationConfigId: configId }))).status).toBe(409);
    // Linking the unlinked one to the config would duplicate the linked one too.
    expect((await client.call('PUT', `${MAPPINGS}/${unlinked.id}`, mapping({ integrationConfigId: configId, version: 1 }))).status).toBe(409);
    // Replacing a mapping with its own fields is no duplicate.
    expect((await client.call('PUT', `${MAPPINGS}/${unlinked.id}`, mapping({ externalId: '980', version: 1 }))).status).toBe(200);

    // Deleting the config deletes the mappings linked to it, not the others.
    expect((await client.call('DELETE', `/organizations/{orgId}/integrationconfigs/${configId}`)).status).toBe(200);
    expect((await client.call('GET', `${MAPPINGS}/${linked.body.id}`)).status).toBe(404);
    expect((await client.call('GET', `${MAPPINGS}/${unlinked.id}`)).status).toBe(200);
  });

  it("answers 404 for another organization's mapping and refuses linking to its config", async () => {
    const a = await apiClient(h, api);
    const b = await apiClient(h, api);
    const bConfig = await config(b);
    const bMapping = (await b.call('POST', MAPPINGS, mapping({ integrationConfigId: bConfig }))).body;
    expect((await a.call('GET', `${MAPPINGS}/${bMapping.id}`)).status).toBe(404);
    expect((await a.call('PUT', `${MAPPINGS}/${bMapping.id}`, mapping({ version: 1 }))).status).toBe(404);
    expect((await a.call('DELETE', `${MAPPINGS}/${bMapping.id}`)).status).toBe(404);
    expect((await a.call('GET', `${MAPPINGS}/external/Account/acc-1`)).body).toEqual({ data: [] });
    expect((await a.call('GET', `${MAPPINGS}/externalid/Netsuite/Customer/981`)).body).toEqual({ data: [] });
    expect((await a.call('GET', `${MAPPINGS}?integrationConfigId=${bConfig}`)).body).toEqual({ data: [] });
    expect((await a.call('POST', MAPPINGS, mapping({ integrationConfigId: bConfig }))).status).toBe(400);
    const own = (await a.call('POST', MAPPINGS, mapping())).body;
    expect((await a.call('PUT', `${MAPPINGS}/${own.id}`, mapping({ integrationConfigId: bConfig, version: 1 }))).status).toBe(400);
    expect((await b.call('GET', `${MAPPINGS}/${bMapping.id}`)).body).toEqual(bMapping);
  });
});
