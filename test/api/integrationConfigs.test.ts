import crypto from 'node:crypto';
import { enableAndReset } from '../../usecases/configs';
import { createAccount } from '../../db/accounts';
import { seedIntegration } from '../../demo/seed';
import { invoiceExternalId } from '../../domain/externalId';
import { eventually } from '../support/eventually';
import { saveBill } from '../../db/bills';
import { disableConfig } from '../../db/configs';
import { apiClient, type ApiClient } from '../support/api';
import { waitForDelivery } from '../../handoff/outbox';
import { billSyncWorkflowId, billSyncStatusQuery, failureWorkflowId } from '../../temporal/contract';
import { useFileWorld } from '../support/fileWorld';

const { h, api, keyPair } = useFileWorld();
const CONFIGS = '/organizations/{orgId}/integrationconfigs';

/** A body as m3ter's SDK sends it, credentials object included. */
function configBody(overrides: Record<string, unknown> = {}) {
  return {
    destination: 'Netsuite',
    entityType: 'Bill',
    name: 'NetSuite EU',
    configData: { netsuiteDefaultItemId: '42' },
    credentials: { type: 'NETSUITE_AUTH', destination: 'NETSUITE', name: 'NetSuite', empty: false },
    ...overrides,
  };
}

async function credential(client: ApiClient): Promise<string> {
  const response = await client.call('POST', '/organizations/{orgId}/integrationauth/Netsuite/netsuiteauth', {
    type: 'NETSUITE_AUTH',
    accountId: '1234567_SB1',
    certificateId: 'cert-1',
    clientId: 'client-1',
    privateKey: Buffer.from(keyPair.privateKeyPem).toString('base64'),
  });
  expect(response.status).toBe(200);
  return response.body.id;
}

describe('integration configurations', () => {
  it('creates, reads, replaces under optimistic locking, looks up by entity and deletes', async () => {
    const client = await apiClient(h, api);
    const created = await client.call('POST', CONFIGS, configBody({ destinationId: 'ns-eu', entityId: 'all' }));
    expect(created.status).toBe(200);
    expect(created.body).toEqual(
      expect.objectContaining({
        id: expect.any(String),
        version: 1,
        destination: 'Netsuite',
        entityType: 'Bill',
        name: 'NetSuite EU',
        destinationId: 'ns-eu',
        entityId: 'all',
        enabled: true,
        authorized: false,
        triggerType: 'EVENT',
        dtCreated: expect.any(String),
        dtLastModified: expect.any(String),
      }),
    );
    // configData comes back with every default filled in.
    expect(created.body.configData).toEqual(expect.objectContaining({ netsuiteDefaultItemId: '42', splitUsageLineItems: 'ITEM_PER_PRODUCT', sortLineItemsBy: 'NONE', accountFilter: '', onlySendBillOnApproval: false }));
    const id = created.body.id;

    expect((await client.call('GET', `${CONFIGS}/${id}`)).body).toEqual(created.body);

    const replaced = await client.call('PUT', `${CONFIGS}/${id}`, configBody({ name: 'NetSuite Europe', version: 1, configData: { netsuiteDefaultItemId: '43', onlySendBillOnApproval: true } }));
    expect(replaced.status).toBe(200);
    expect(replaced.body).toEqual(expect.objectContaining({ version: 2, name: 'NetSuite Europe', destinationId: 'ns-eu' }));
    expect(replaced.body.configData).toEqual(expect.objectContaining({ netsuiteDefaultItemId: '43', onlySendBillOnApproval: true }));

    const stale = await client.call('PUT', `${CONFIGS}/${id}`, configBody({ name: 'lost update', version: 1 }));
    expect(stale.status).toBe(409);
    expect(stale.body.message).toMatch(/^version: the stored version is 2, not 1/);
    const missingVersion = await client.call('PUT', `${CONFIGS}/${id}`, configBody({ name: 'lost update' }));
    expect(missingVersion.status).toBe(409);
    expect((await client.call('GET', `${CONFIGS}/${id}`)).body).toEqual(expect.objectContaining({ version: 2, name: 'NetSuite Europe' }));

    const byEntity = await client.call('GET', `${CONFIGS}/entity/Bill?destination=Netsuite&destinationId=ns-eu`);
    expect(byEntity.status).toBe(200);
    expect(byEntity.body.id).toBe(id);
    expect((await client.call('GET', `${CONFIGS}/entity/Bill?destinationId=other`)).status).toBe(404);
    expect((await client.call('GET', `${CONFIGS}/entity/Bill?entityId=all`)).body.id).toBe(id);

    const deleted = await client.call('DELETE', `${CONFIGS}/${id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual(expect.objectContaining({ id, version: 2, name: 'NetSuite Europe' }));
    expect((await client.call('GET', `${CONFIGS}/${id}`)).status).toBe(404);
    expect((await client.call('DELETE', `${CONFIGS}/${id}`)).status).toBe(404);
    expect((await client.call('PUT', `${CONFIGS}/${id}`, configBody({ version: 2 }))).status).toBe(404);
    const none = await client.call('GET', `${CONFIGS}/entity/Bill`);
    expect(none.status).toBe(404);
    expect(none.body.message).toContain('not found');
  });

  it('pages with nextToken until it is absent, and filters by destinationId', async () => {
    const client = await apiClient(h, api);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await client.call('POST', CONFIGS, configBody({ name: `config ${i}`, destinationId: i % 2 === 0 ? 'even' : 'odd' }))).body.id);

    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const response = await client.call('GET', `${CONFIGS}?pageSize=2${nextToken ? `&nextToken=${nextToken}` : ''}`);
      expect(response.status).toBe(200);
      expect(response.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...response.body.data.map((c: { id: string }) => c.id));
      nextToken = response.body.nextToken;
      pages++;
    } while (nextToken);
    expect(pages).toBe(3);
    expect(seen).toEqual(ids);

    const even = await client.call('GET', `${CONFIGS}?destinationId=even`);
    expect(even.body.data.map((c: { name: string }) => c.name)).toEqual(['config 0', 'config 2', 'config 4']);
    expect(even.body.nextToken).toBeUndefined();
    expect((await client.call('GET', `${CONFIGS}?pageSize=0`)).status).toBe(400);
    expect((await client.call('GET', `${CONFIGS}?nextToken=garbage!`)).status).toBe(400);
  });

  it('refuses invalid configData naming each field, and stores nothing', async () => {
    const client = await apiClient(h, api);
    const missing = await client.call('POST', CONFIGS, configBody({ configData: { onlySendBillOnApproval: 'yes' } }));
    expect(missing.status).toBe(400);
    expect(missing.body.message).toContain('configData.netsuiteDefaultItemId: netsuiteDefaultItemId is required');
    expect(missing.body.message).toContain('configData.onlySendBillOnApproval:');

    const noConfigData = await client.call('POST', CONFIGS, configBody({ configData: undefined }));
    expect(noConfigData.status).toBe(400);
    expect(noConfigData.body.message).toBe('configData.netsuiteDefaultItemId: netsuiteDefaultItemId is required: the NetSuite item id used when nothing else maps a line (e.g. the id of an "Other" item)');

    const unknownType = await client.call('POST', CONFIGS, configBody({ configData: { netsuiteDefaultItemId: '42', excludedLineItemTypes: ['NOT_A_TYPE'] } }));
    expect(unknownType.status).toBe(400);
    expect(unknownType.body.message).toContain('configData.excludedLineItemTypes.0:');

    const unknownKey = await client.call('POST', CONFIGS, configBody({ configData: { netsuiteDefaultItemId: '42', netsuiteDefaultItem: '42' } }));
    expect(unknownKey.status).toBe(400);
    expect(unknownKey.body.message).toMatch(/configData.*netsuiteDefaultItem/);

    const noName = await client.call('POST', CONFIGS, configBody({ name: undefined }));
    expect(noName.status).toBe(400);
    expect(noName.body.message).toContain('name');
    const wrongDestination = await client.call('POST', CONFIGS, configBody({ destination: 'Xero' }));
    expect(wrongDestination.status).toBe(400);
    expect(wrongDestination.body.message).toContain('destination "Xero"');

    expect((await client.call('GET', CONFIGS)).body).toEqual({ data: [] });

    // A replacement that fails validation leaves the stored config as it was.
    const created = await client.call('POST', CONFIGS, configBody());
    const refused = await client.call('PUT', `${CONFIGS}/${created.body.id}`, configBody({ version: 1, name: 'changed', configData: { netsuiteDefaultItemId: '' } }));
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain('configData.netsuiteDefaultItemId');
    expect((await client.call('GET', `${CONFIGS}/${created.body.id}`)).body).toEqual(created.body);
  });

  it('refuses a malformed accountFilter with the position of the mistake', async () => {
    const client = await apiClient(h, api);
    const response = await client.call('POST', CONFIGS, configBody({ configData: { netsuiteDefaultItemId: '42', accountFilter: 'address.country == US AND' } }));
    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(/^configData\.accountFilter: accountFilter: at position \d+, expected/);
    expect((await client.call('GET', CONFIGS)).body.data).toHaveLength(0);
    const fine = await client.call('POST', CONFIGS, configBody({ configData: { netsuiteDefaultItemId: '42', accountFilter: 'address.country == US' } }));
    expect(fine.status).toBe(200);
    expect(fine.body.configData.accountFilter).toBe('address.country == US');
  });

  it("checks an account filter while it is typed: the parser's message and position, nothing stored", async () => {
    const client = await apiClient(h, api);
    const check = (accountFilter: unknown) => client.call('POST', `${CONFIGS}/accountfilter/check`, { accountFilter });
    expect((await check('customFields != null AND customFields.country = = UK')).body).toEqual({ valid: true, warnings: [] });
    expect((await check('')).body).toEqual({ valid: true, warnings: [] });
    const unfinished = await check('address.country == US AND');
    expect(unfinished.status).toBe(200);
    expect(unfinished.body).toEqual({ valid: false, position: 26, warnings: [], message: expect.stringMatching(/^accountFilter: at position 26, expected .* but found the end of the filter/) });
    // The same message a save gives, so the console shows one wording before and after saving.
    const saved = await client.call('POST', CONFIGS, configBody({ configData: { netsuiteDefaultItemId: '42', accountFilter: 'address.country == US AND' } }));
    expect(saved.body.message).toBe(`configData.accountFilter: ${unfinished.body.message}`);
    const missing = await client.call('POST', `${CONFIGS}/accountfilter/check`, {});
    expect(missing.status).toBe(400);
    expect(missing.body.message).toMatch(/^accountFilter: accountFilter is required/);
    expect((await client.call('GET', CONFIGS)).body.data).toEqual([]);
  });

  it('re-enables a disabled config', async () => {
    const client = await apiClient(h, api);
    const created = await client.call('POST', CONFIGS, configBody());
    const id = created.body.id;
    expect(await disableConfig(h.db, id, '10 successive errors')).toBe(true);
    const disabled = await client.call('GET', `${CONFIGS}/${id}`);
    expect(disabled.body).toEqual(expect.objectContaining({ enabled: false, disabledReason: '10 successive errors', version: 2 }));

    const enabled = await client.call('POST', `${CONFIGS}/${id}/enable`);
    expect(enabled.status).toBe(200);
    expect(enabled.body).toEqual(expect.objectContaining({ id, enabled: true, version: 3 }));
    expect(enabled.body.disabledReason ?? null).toBeNull();
    expect((await client.call('GET', `${CONFIGS}/${id}`)).body.enabled).toBe(true);
    // The failure counter heard about it: its workflow exists for this config.
    await h.settleConfig(id);
    const handle = h.temporal.workflow.getHandle(failureWorkflowId(id));
    await expect(handle.describe().then((d) => d.workflowId)).resolves.toBeDefined();

    expect((await client.call('POST', `${CONFIGS}/00000000-0000-4000-8000-000000000000/enable`)).status).toBe(404);
  });

  it('connects, switches and disconnects a credential; authorized follows', async () => {
    const client = await apiClient(h, api);
    const first = await credential(client);
    const second = await credential(client);
    const created = await client.call('POST', CONFIGS, configBody({ integrationCredentialsId: first }));
    expect(created.body).toEqual(expect.objectContaining({ integrationCredentialsId: first, authorized: true }));
    const id = created.body.id;

    const switched = await client.call('PUT', `${CONFIGS}/${id}`, configBody({ version: 1, integrationCredentialsId: second }));
    expect(switched.body).toEqual(expect.objectContaining({ integrationCredentialsId: second, authorized: true, version: 2 }));
    // Omitted, the connection stays.
    const kept = await client.call('PUT', `${CONFIGS}/${id}`, configBody({ version: 2 }));
    expect(kept.body).toEqual(expect.objectContaining({ integrationCredentialsId: second, authorized: true, version: 3 }));
    const disconnected = await client.call('PUT', `${CONFIGS}/${id}`, configBody({ version: 3, integrationCredentialsId: null }));
    expect(disconnected.body).toEqual(expect.objectContaining({ authorized: false, version: 4 }));
    expect(disconnected.body.integrationCredentialsId ?? null).toBeNull();

    const unknown = await client.call('PUT', `${CONFIGS}/${id}`, configBody({ version: 4, integrationCredentialsId: '00000000-0000-4000-8000-000000000000' }));
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/^integrationCredentialsId: no NetSuite credential/);
  });

  it('previews a bill: every filter, the exact invoice and the decisions, without sending anything', async () => {
    const client = await apiClient(h, api);
    const config = await client.call('POST', CONFIGS, configBody({ integrationCredentialsId: await credential(client), configData: { netsuiteDefaultItemId: '42', onlySendBillOnApproval: true, useExternalMappingAccountCode: true, enforceExternalMappingsForConfig: true } }));
    const account = await createAccount(h.db, client.orgId, { code: 'ACME', name: 'Acme', emailAddress: 'billing@acme.example' });
    const mapping = await client.call('POST', '/organizations/{orgId}/externalmappings', {
      externalSystem: 'Netsuite',
      externalTable: 'Customer',
      externalId: '981',
      m3terEntity: 'Account',
      m3terId: account.id,
      integrationConfigId: config.body.id,
    });
    expect(mapping.status).toBe(200);
    const bill = await saveBill(h.db, client.orgId, {
      accountId: account.id,
      billDate: '2026-10-31',
      currency: 'USD',
      lineItems: [{ lineItemType: 'STANDING_CHARGE', description: 'Subscription', quantity: 1, subtotal: 100 }],
    });

    const preview = await client.call('GET', `${CONFIGS}/${config.body.id}/preview/${bill.id}`);
    expect(preview.status).toBe(200);
    expect(preview.body).toEqual(expect.objectContaining({ configId: config.body.id, billId: bill.id, billVersion: 1, outcome: 'WAIT' }));
    expect(preview.body.filters).toEqual(expect.arrayContaining([expect.objectContaining({ filter: 'approval', passed: false, reason: expect.any(String) })]));
    expect(preview.body.invoice).toEqual(expect.objectContaining({ externalId: invoiceExternalId(config.body.id, bill.id), entity: { id: '981' } }));
    expect(preview.body.invoice.item.items).toHaveLength(1);
    expect(preview.body.decisions).toContainEqual(expect.objectContaining({ kind: 'customer', reason: `external mapping ${mapping.body.id}` }));

    expect((await client.call('GET', `${CONFIGS}/${config.body.id}/preview/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
    expect((await client.call('GET', `${CONFIGS}/00000000-0000-4000-8000-000000000000/preview/${bill.id}`)).status).toBe(404);
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${api.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/organizations/{orgId}/integrationconfigs',
        '/organizations/{orgId}/integrationconfigs/{id}',
        '/organizations/{orgId}/integrationconfigs/{id}/enable',
        '/organizations/{orgId}/integrationconfigs/entity/{entityType}',
        '/organizations/{orgId}/integrationconfigs/{id}/preview/{billId}',
      ]),
    );
  });
});

describe('organization confinement', () => {
  it("answers 404 for every id of another organization and refuses to connect its credential", async () => {
    const a = await apiClient(h, api);
    const b = await apiClient(h, api);
    const bCredential = await credential(b);
    const bConfig = (await b.call('POST', CONFIGS, configBody({ integrationCredentialsId: bCredential }))).body;
    const bMapping = (await b.call('POST', '/organizations/{orgId}/externalmappings', { externalSystem: 'Netsuite', externalTable: 'Item', externalId: '7', m3terEntity: 'Product', m3terId: 'p1', integrationConfigId: bConfig.id })).body;
    const account = await createAccount(h.db, b.orgId, { code: 'B1', name: 'B', emailAddress: 'b@b.example' });
    const bill = await saveBill(h.db, b.orgId, { accountId: account.id, billDate: '2026-10-31', currency: 'USD', lineItems: [] });

    const ids = {
      config: `${CONFIGS}/${bConfig.id}`,
      credential: `/organizations/{orgId}/integrationauth/Netsuite/netsuiteauth/${bCredential}`,
      mapping: `/organizations/{orgId}/externalmappings/${bMapping.id}`,
    };
    for (const path of Object.values(ids)) {
      expect((await a.call('GET', path)).status).toBe(404);
      expect((await a.call('DELETE', path)).status).toBe(404);
    }
    expect((await a.call('PUT', ids.config, configBody({ version: 1 }))).status).toBe(404);
    expect((await a.call('PUT', ids.mapping, { externalSystem: 'Netsuite', externalTable: 'Item', externalId: '8', m3terEntity: 'Product', m3terId: 'p1', version: 1 })).status).toBe(404);
    expect((await a.call('POST', `${ids.config}/enable`)).status).toBe(404);
    expect((await a.call('GET', `${ids.config}/preview/${bill.id}`)).status).toBe(404);
    expect((await a.call('GET', `${CONFIGS}/entity/Bill`)).status).toBe(404);
    expect((await a.call('GET', CONFIGS)).body.data).toEqual([]);
    // B's org path with A's token.
    const direct = await fetch(`${api.url}/organizations/${b.orgId}/integrationconfigs/${bConfig.id}`, { headers: { authorization: `Bearer ${a.token}` } });
    expect(direct.status).toBe(404);

    // A cannot borrow B's credential, nor link a mapping to B's config.
    const borrowed = await a.call('POST', CONFIGS, configBody({ integrationCredentialsId: bCredential }));
    expect(borrowed.status).toBe(400);
    expect(borrowed.body.message).toContain('integrationCredentialsId');
    const own = (await a.call('POST', CONFIGS, configBody())).body;
    expect((await a.call('PUT', `${CONFIGS}/${own.id}`, configBody({ version: 1, integrationCredentialsId: bCredential }))).status).toBe(400);
    const linked = await a.call('POST', '/organizations/{orgId}/externalmappings', { externalSystem: 'Netsuite', externalTable: 'Item', externalId: '7', m3terEntity: 'Product', m3terId: 'p1', integrationConfigId: bConfig.id });
    expect(linked.status).toBe(400);
    expect(linked.body.message).toMatch(/^integrationConfigId:/);

    // B's entities are untouched.
    expect((await b.call('GET', ids.config)).body).toEqual(expect.objectContaining({ version: 1, integrationCredentialsId: bCredential }));
    expect((await b.call('GET', ids.credential)).status).toBe(200);
    expect((await b.call('GET', ids.mapping)).body).toEqual(expect.objectContaining({ externalId: '7', version: 1 }));
  });
});

describe('deleting an integration configuration', () => {
  it('stops its workflows: a sync waiting for approval and the failure counter are terminated', async () => {
    const client = await apiClient(h, api);
    const seeded = await seedIntegration({ db: h.db, cipher: h.cipher, emulator: h.emulator.admin, keyPair, netsuiteAccountId: '6660900', orgId: client.orgId, certificateId: 'cert-delete', configData: { onlySendBillOnApproval: true } });
    const account = await createAccount(h.db, client.orgId, { code: 'DEL', name: 'Delete Co', emailAddress: 'd@example.com' });
    const put = await client.call('PUT', `/organizations/{orgId}/bills/${crypto.randomUUID()}`, { accountId: account.id, billDate: '2026-10-31', currency: 'USD', lineItems: [{ lineItemType: 'STANDING_CHARGE', description: 'Fee', quantity: 1, subtotal: 10 }] });
    expect(put.status).toBe(200);
    await waitForDelivery(h.db, await h.db.selectFrom('outbox').select('id').where('billId', '=', put.body.id).execute());
    const sync = h.temporal.workflow.getHandle(billSyncWorkflowId(seeded.configId, put.body.id));
    await eventually(() => sync.query(billSyncStatusQuery), (s) => s.phase === 'waitingForApproval', 'the sync waiting for approval');
    // The failure counter exists once any outcome was reported; make sure it runs.
    await h.settle([(await enableAndReset(h.db, client.orgId, seeded.configId, 'test'))!.handoff]);

    expect((await client.call('DELETE', `${CONFIGS}/${seeded.configId}`)).status).toBe(200);
    // The termination is handed over with the deletion, and done once delivered.
    await waitForDelivery(h.db, await h.db.selectFrom('outbox').select('id').where('configId', '=', seeded.configId).where('kind', '=', 'configDeleted').execute());
    expect((await sync.describe()).status.name).toBe('TERMINATED');
    expect((await h.temporal.workflow.getHandle(failureWorkflowId(seeded.configId)).describe()).status.name).toBe('TERMINATED');
  });
});
