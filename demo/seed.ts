import type { AdminClient } from '../emulator/adminClient';
import { createAccount } from '../db/accounts';
import { createConfig } from '../db/configs';
import type { Db } from '../db/connect';
import { createCredential } from '../db/credentials';
import { createOrganization } from '../db/organizations';
import type { AccountInput } from '../domain/account';
import type { ConfigDataInput } from '../domain/configData';
import type { CredentialCipher } from '../secrets/credentialCipher';
import type { GeneratedKeyPair } from './keyPair';

export const DEMO_ITEMS = [
  { id: '10', name: 'Other' },
  { id: '20', name: 'Platform subscription' },
  { id: '30', name: 'API usage' },
  { id: '40', name: 'Commitment' },
  { id: '50', name: 'Minimum spend' },
];

export interface SeededIntegration {
  orgId: string;
  apiKey: string;
  apiSecret: string;
  credentialId: string;
  configId: string;
  netsuiteAccountId: string;
}

/**
 * What a new customer of the service does, in the guide's order: the NetSuite side (an account with
 * items, the M2M certificate uploaded) and then our side (organization, credential with the private
 * key, integration config). Used by the demo and by the end-to-end tests, so both exercise one path.
 */
export async function seedIntegration(args: {
  db: Db;
  cipher: CredentialCipher;
  emulator: AdminClient;
  keyPair: GeneratedKeyPair;
  netsuiteAccountId: string;
  orgName?: string;
  orgId?: string;
  configName?: string;
  configData?: Partial<ConfigDataInput>;
  certificateId?: string;
  clientId?: string;
}): Promise<SeededIntegration> {
  const certificateId = args.certificateId ?? 'demo-cert-1';
  const clientId = args.clientId ?? 'b5a8c3d2e1f04a9b8c7d6e5f4a3b2c1d';
  await args.emulator.createAccount({ accountId: args.netsuiteAccountId }).catch((error: Error) => {
    if (!/already|exists|409/.test(error.message)) throw error;
  });
  await args.emulator.registerCertificate({ accountId: args.netsuiteAccountId, certificateId, clientId, certificatePem: args.keyPair.certificatePem });
  for (const item of DEMO_ITEMS) {
    await args.emulator.addItem({ accountId: args.netsuiteAccountId, ...item }).catch((error: Error) => {
      if (!/already|exists|409/.test(error.message)) throw error;
    });
  }

  // The guide asks NetSuite admins to create this transaction column field so lines trace back to m3ter.
  await args.emulator.addCustomField({ accountId: args.netsuiteAccountId, scriptId: 'custcol_m3ter_external_line_item' }).catch((error: Error) => {
    if (!/already|exists|409/.test(error.message)) throw error;
  });

  const org = args.orgId ? { orgId: args.orgId, apiKey: '', apiSecret: '' } : await createOrganization(args.db, args.orgName ?? 'Demo organization');
  const credential = await createCredential(args.db, args.cipher, org.orgId, {
    name: `NetSuite ${args.netsuiteAccountId}`,
    accountId: args.netsuiteAccountId,
    certificateId,
    clientId,
    privateKeyPem: args.keyPair.privateKeyPem,
  });
  const config = await createConfig(args.db, org.orgId, {
    name: args.configName ?? 'Bills to NetSuite',
    configData: { netsuiteDefaultItemId: '10', ...args.configData },
    integrationCredentialsId: credential.id,
  });
  return { ...org, credentialId: credential.id, configId: config.id, netsuiteAccountId: args.netsuiteAccountId };
}

/** An m3ter account plus the matching NetSuite customer (externalId = the m3ter account id). */
export async function seedCustomer(args: { db: Db; emulator: AdminClient; orgId: string; netsuiteAccountId: string; account: Partial<AccountInput> & { code: string } }) {
  const account = await createAccount(args.db, args.orgId, { name: args.account.code, emailAddress: `billing@${args.account.code.toLowerCase()}.example`, ...args.account });
  const customer = await args.emulator.addCustomer({ accountId: args.netsuiteAccountId, externalId: account.id, name: account.name });
  return { account, customer };
}
