import fc from 'fast-check';
import { apiClient } from '../support/api';
import { useFileWorld } from '../support/fileWorld';

const { h, api } = useFileWorld();
let client: Awaited<ReturnType<typeof apiClient>>;

beforeAll(async () => {
  client = await apiClient(h, api);
});

/** Every body a user sends us: configs, bills, credentials, mappings, accounts. */
const BODY_ROUTES: Array<[string, string]> = [
  ['POST', '/organizations/{orgId}/integrationconfigs'],
  ['PUT', '/organizations/{orgId}/bills/9b0c7a4e-2f1d-4c3b-8a5e-6d7f8091a2b3'],
  ['POST', '/organizations/{orgId}/integrationauth/Netsuite/netsuiteauth'],
  ['POST', '/organizations/{orgId}/externalmappings'],
  ['POST', '/organizations/{orgId}/accounts'],
  ['POST', '/organizations/{orgId}/bills/approve'],
];

/** JSON shaped like our bodies, with hostile values where the fields are. */
const hostile = fc.oneof(
  fc.anything({ maxDepth: 3 }),
  fc.record({
    name: fc.string(),
    destination: fc.oneof(fc.constant('Netsuite'), fc.string()),
    entityType: fc.oneof(fc.constant('Bill'), fc.string()),
    configData: fc.dictionary(fc.constantFrom('netsuiteDefaultItemId', 'accountFilter', 'accountIds', 'splitUsageLineItems', 'sortLineItemsBy', 'netsuiteItemMapping'), fc.anything({ maxDepth: 2 })),
    accountId: fc.string(),
    billDate: fc.oneof(fc.constant('2026-10-31'), fc.string()),
    currency: fc.oneof(fc.constant('USD'), fc.string()),
    lineItems: fc.array(fc.dictionary(fc.constantFrom('lineItemType', 'description', 'quantity', 'subtotal', 'usagePerPricingBand', 'id'), fc.anything({ maxDepth: 2 })), { maxLength: 5 }),
    privateKey: fc.string(),
    certificateId: fc.string(),
    clientId: fc.string(),
    externalSystem: fc.string(),
    externalTable: fc.string(),
    externalId: fc.string(),
    m3terEntity: fc.string(),
    m3terId: fc.string(),
    billIds: fc.array(fc.string(), { maxLength: 3 }),
    code: fc.string(),
    emailAddress: fc.string(),
  }, { requiredKeys: [] }),
);

describe('hostile request bodies', () => {
  it.each(BODY_ROUTES)('%s %s: never a 5xx; refusals name the field', async (method, path) => {
    await fc.assert(
      fc.asyncProperty(hostile, async (body) => {
        const response = await client.call(method, path, body);
        expect(response.status).toBeLessThan(500);
        if (response.status === 400) expect(response.body.message).toMatch(/^[\w.]+: /);
      }),
      { numRuns: 60 },
    );
  });

  it("an oversized body is refused with 413 before it is parsed, naming the route's limit", async () => {
    const bill = await client.call('PUT', '/organizations/{orgId}/bills/9b0c7a4e-2f1d-4c3b-8a5e-6d7f8091a2b3', { lineItems: [], padding: 'x'.repeat(17 * 1024 * 1024) });
    expect([bill.status, bill.body.message]).toEqual([413, 'request body too large: this route takes at most 16 MB']);
    const account = await client.call('POST', '/organizations/{orgId}/accounts', { code: 'BIG', name: 'x'.repeat(100 * 1024), emailAddress: 'a@b.example' });
    expect([account.status, account.body.message]).toEqual([413, 'request body too large: this route takes at most 64 KB']);
  });
});
