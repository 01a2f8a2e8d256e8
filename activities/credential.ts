import { getCredentialRow } from '../db/credentials';
import type { IntegrationConfigRow } from '../db/schema';
import type { CredentialSecret } from '../netsuite/tokenProvider';
import type { ActivityDeps } from './deps';
import { runFailure } from './failure';

/** The config's credential, with the private key decrypted only when a token must be signed. */
export async function loadCredential({ db, cipher }: ActivityDeps, config: IntegrationConfigRow): Promise<CredentialSecret> {
  if (!config.integrationCredentialsId) {
    throw runFailure('notConnected', 'no NetSuite credential is connected to this integration');
  }
  const row = await getCredentialRow(db, config.organizationId, config.integrationCredentialsId);
  if (!row) throw runFailure('notConnected', `credential ${config.integrationCredentialsId} was deleted`);
  return {
    id: row.id,
    version: row.version,
    accountId: row.accountId,
    certificateId: row.certificateId,
    clientId: row.clientId,
    privateKeyPem: () => cipher.decrypt(row.privateKeyEncrypted),
  };
}
