import type { NetSuiteClient } from '../../netsuite/client';
import { CustomerDirectory } from '../../netsuite/customers';
import type { CredentialSecret } from '../../netsuite/tokenProvider';

/** NetSuite's customers by m3ter account id: asked once per burst, a missing one asked again at once. */
function directory(known: Record<string, string>) {
  const asked: string[] = [];
  let now = 0;
  const client = {
    findCustomer: async (_account: string, _token: string, ref: { externalId: string }) => {
      asked.push(ref.externalId);
      const id = known[ref.externalId];
      return id ? { id } : undefined;
    },
  } as unknown as NetSuiteClient;
  const customers = new CustomerDirectory(client, { foundTtlMs: 60_000, now: () => now });
  return { customers, asked, known, advance: (ms: number) => (now += ms) };
}

const credential = (version: number) => ({ id: 'cred-1', version, accountId: '1234567' }) as CredentialSecret;

describe('CustomerDirectory', () => {
  it('asks NetSuite once per customer while the answer is fresh, and again once it is stale', async () => {
    const { customers, asked, advance } = directory({ 'acct-1': '501' });
    for (let i = 0; i < 3; i++) expect(await customers.resolve(credential(1), 'token', 'acct-1')).toBe('501');
    expect(asked).toEqual(['acct-1']);
    advance(60_001);
    await customers.resolve(credential(1), 'token', 'acct-1');
    expect(asked).toEqual(['acct-1', 'acct-1']);
  });

  it('does not remember a customer NetSuite lacks: once created there, the next send finds it', async () => {
    const { customers, known } = directory({});
    expect(await customers.resolve(credential(1), 'token', 'acct-2')).toBeUndefined();
    known['acct-2'] = '502';
    expect(await customers.resolve(credential(1), 'token', 'acct-2')).toBe('502');
  });

  it('keeps answers per credential version: a re-connected account is asked afresh', async () => {
    const { customers, asked } = directory({ 'acct-1': '501' });
    await customers.resolve(credential(1), 'token', 'acct-1');
    await customers.resolve(credential(2), 'token', 'acct-1');
    expect(asked).toHaveLength(2);
  });
});
