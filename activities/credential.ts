import { ApplicationFailure } from '@temporalio/activity';
import { getCredentialRow } from '../db/credentials';
import type { IntegrationConfigRow } from '../db/schema';
import type { CredentialSecret } from '../netsuite/tokenProvider';
import type { ActivityDeps } from './deps';

/** The config's credential, with the private key decrypted only when a token must be signed. */
export async function loadCredential({ db, cipher }: ActivityDeps, config: IntegrationConfigRow): Promise<CredentialSecret> {
  if (!config.integrationCredentialsId) {
    throw ApplicationFailure.nonRetryable('no NetSuite credential is connected to this integration', 'NotConnected');
  }
  const row = await getCredentialRow(db, config.organizationId, config.integrationCredentialsId);
  if (!row) throw ApplicationFailure.nonRetryable(`credential ${config.integrationCredentialsId} was deleted`, 'NotConnected');
  return {
    id: row.id,
    version: row.version,
    accountId: row.accountId,
    certificateId: row.certificateId,
    clientId: row.clientId,
    privateKeyPem: () => cipher.decrypt(row.privateKeyEncrypted),
  };
}
