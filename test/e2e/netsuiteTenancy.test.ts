import crypto from 'node:crypto';
import { approveAndHandOff, saveAndHandOff } from '../../usecases/bills';
import { createAccount } from '../../db/accounts';
import { generateKeyPair, type GeneratedKeyPair } from '../../demo/keyPair';
import { sampleBill } from '../../demo/sampleBills';
import { seedIntegration, type SeededIntegration } from '../../demo/seed';
import { apiClient } from '../support/api';
import { useFileWorld } from '../support/fileWorld';

/**
 * Issue 15, finding 2: organization A saved, without verifying, a credential naming B's NetSuite
 * account with concurrencyLimit 1, and B's sends dropped from 5 concurrent requests to 1; A's repeated
 * verifications sent failed token requests to B's NetSuite. A NetSuite account's limit may be lowered,
 * and its token endpoint driven, only so far as an organization has shown it holds that account.
 */
const NS = '5550950';
const { h, api } = useFileWorld();
let b: SeededIntegration;
let attackerKey: GeneratedKeyPair;

beforeAll(async () => {
  b = await seedIntegration({ db: h.db, cipher: h.cipher, emulator: h.emulator.admin, keyPair: await generateKeyPair({ dir: h.tmpDir, kind: 'ec256' }), netsuiteAccountId: NS });
  attackerKey = await generateKeyPair({ dir: `${h.tmpDir}/attacker`, kind: 'ec256' });
}, 120_000);

/** A's credential naming B's account: A's own key, a certificate NetSuite never saw. */
async function foreignCredential(a: Awaited<ReturnType<typeof apiClient>>, query = '') {
  return a.call('POST', `/organizations/{orgId}/integrationauth/Netsuite/netsuiteauth${query}`, {
    accountId: NS,
    certificateId: `not-registered-${crypto.randomUUID()}`,
    clientId: 'a-client-of-its-own',
    privateKey: Buffer.from(attackerKey.privateKeyPem).toString('base64'),
    concurrencyLimit: 1,
  });
}

async function burst(count: number): Promise<void> {
  const bills = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const account = await createAccount(h.db, b.orgId, { code: `C-${crypto.randomUUID()}`, name: `Customer ${i}`, emailAddress: `c${i}@example.com` });
      await h.emulator.admin.addCustomer({ accountId: NS, externalId: account.id, name: account.name });
      return (await saveAndHandOff(h.db, b.orgId, sampleBill(account.id), 'test')).bill;
    }),
  );
  const { handoffs } = await approveAndHandOff(h.db, b.orgId, bills.map((bill) => bill.id), 'test');
  await h.settle(handoffs);
}

describe("one organization against another's NetSuite account", () => {
  it("an unverified credential naming B's account doesn't lower B's concurrency limit", async () => {
    const a = await apiClient(h, api);
    const saved = await foreignCredential(a);
    expect(saved.status).toBe(200);

    // NetSuite itself would take 50; B's credential allows the default 5.
    await h.emulator.admin.updateSettings(NS, { concurrencyLimit: 50, latencyMs: 100 });
    await h.emulator.admin.resetPeak(NS);
    await burst(20);
    const { peakConcurrency } = await h.emulator.admin.getStats(NS);
    expect(peakConcurrency).toBeGreaterThan(1);
    expect(peakConcurrency).toBeLessThanOrEqual(5);
    // B's credential obtained tokens, so it counts; A's never did.
    const tokenObtained = await h.db.selectFrom('netsuiteCredential').select(['organizationId', 'dtTokenObtained']).where('accountId', '=', NS).execute();
    expect(tokenObtained.map((row) => [row.organizationId === b.orgId ? 'B' : 'A', row.dtTokenObtained !== null]).sort()).toEqual([
      ['A', false],
      ['B', true],
    ]);
  });

  it("verifications are limited per organization and NetSuite account: 429 with Retry-After, and B's token endpoint sees no more", async () => {
    const a = await apiClient(h, api);
    const { body: credential } = await foreignCredential(a);
    const tokenRequestsBefore = (await h.emulator.admin.getStats(NS)).requests.token;

    const statuses: number[] = [];
    let refusal: { status: number; body: { message: string }; retryAfter: string | null } | undefined;
    for (let i = 0; i < 15; i++) {
      const response = await fetch(`${api.url}/organizations/${a.orgId}/integrationauth/Netsuite/netsuiteauth/${credential.id}/verify`, { method: 'POST', headers: { authorization: `Bearer ${a.token}` } });
      statuses.push(response.status);
      if (response.status === 429) refusal = { status: 429, body: (await response.json()) as { message: string }, retryAfter: response.headers.get('retry-after') };
    }
    // NetSuite refused A's certificate ten times; then A may not ask again for a while.
    expect(statuses).toEqual([...Array(10).fill(400), ...Array(5).fill(429)]);
    expect(Number(refusal?.retryAfter)).toBeGreaterThan(0);
    expect(refusal?.body.message).toMatch(/too many verifications of NetSuite account 5550950.*retry after \d+ s/i);
    // Creating another credential with ?verify=true counts against the same limit.
    expect((await foreignCredential(a, '?verify=true')).status).toBe(429);
    expect((await h.emulator.admin.getStats(NS)).requests.token - tokenRequestsBefore).toBe(10);

    // None of it proved anything: A's credentials still don't count towards B's account's limit.
    const proven = await h.db.selectFrom('netsuiteCredential').select('id').where('organizationId', '=', a.orgId).where('dtTokenObtained', 'is not', null).execute();
    expect(proven).toEqual([]);
  });
});
