import { currentCallLimits, withCallLimits } from '../../netsuite/callLimits';
import type { AccessToken, NetSuiteClient } from '../../netsuite/client';
import { TokenProvider, type CredentialSecret } from '../../netsuite/tokenProvider';

const credential: CredentialSecret = { id: 'cred-1', version: 1, accountId: '1234567', certificateId: 'cert', clientId: 'client', privateKeyPem: () => 'pem' };

/**
 * One token request is shared by every send waiting on the credential. Started by the quick send,
 * it must not carry the quick send's 2 s slot wait and 8 s request limits into the scheduled sends
 * that join it: they would fail as throttled after 2 s.
 */
describe('TokenProvider', () => {
  it('fetches a token free of the limits of the call that started the fetch, and shares it', async () => {
    const seen: Array<ReturnType<typeof currentCallLimits>> = [];
    let answer!: (token: AccessToken) => void;
    const client = {
      requestTokenWithKey: () => {
        seen.push(currentCallLimits());
        return new Promise<AccessToken>((resolve) => (answer = resolve));
      },
    } as unknown as NetSuiteClient;
    const tokens = new TokenProvider(client);
    const quick = withCallLimits({ slotWaitMs: 2_000, requestTimeoutMs: 8_000 }, () => tokens.get(credential));
    const patient = tokens.get(credential);
    answer({ value: 'token-1', expiresAt: Date.now() + 3_600_000 });
    await expect(Promise.all([quick, patient])).resolves.toEqual(['token-1', 'token-1']);
    expect(seen).toEqual([{}]);
  });
});
