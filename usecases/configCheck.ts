import { findAccount } from '../db/accounts';
import { getConfig, parseConfigData } from '../db/configs';
import type { Db } from '../db/connect';
import { getCredentialRow } from '../db/credentials';
import { mappingsFor } from '../db/mappings';
import type { ConfigData } from '../domain/configData';
import { findMapping } from '../domain/externalMapping';
import { columnFieldId, LINE_ITEM_TRACE_FIELD } from '../domain/invoiceBuilder';
import type { NetSuiteClient } from '../netsuite/client';
import { NetSuiteError, NetSuiteValidationError } from '../netsuite/errors';
import type { CredentialCipher } from '../secrets/credentialCipher';

/**
 * "Check with NetSuite": before a bill fails on it, asks NetSuite for everything an integration's
 * invoices will reference — the connection itself, every configured item, the transaction column
 * fields, and the customers of chosen accounts — and names each one that is missing. Reads only.
 */
export interface CheckDeps {
  db: Db;
  cipher: CredentialCipher;
  netsuite: NetSuiteClient;
}

export type Found = 'found' | 'missing' | 'unchecked';

export interface ItemCheck {
  /** The setting (or external mapping) that names the item, e.g. `netsuiteItemMapping.USAGE`. */
  setting: string;
  itemId: string;
  status: Found;
  /** NetSuite's name for the item (its `itemid`), when found. */
  name?: string;
}

export interface FieldCheck {
  setting: string;
  scriptId: string;
  status: Found;
}

export interface CustomerCheck {
  account: string;
  accountId?: string;
  accountName?: string;
  /** How invoices reference the customer: by the m3ter account id as externalId, or a mapped internal id. */
  reference?: { externalId: string } | { id: string };
  status: Found;
  internalId?: string;
  name?: string;
}

export interface ConfigCheck {
  configId: string;
  netsuiteAccountId?: string;
  connection: { ok: boolean; message: string };
  items: ItemCheck[];
  customFields: FieldCheck[];
  customers: CustomerCheck[];
  /** One sentence per thing a bill would fail on, naming it and what to do. Empty when all is well. */
  problems: string[];
  ok: boolean;
}

export class ConfigNotFoundError extends Error {
  constructor(configId: string) {
    super(`no integration configuration ${configId} in this organization`);
    this.name = 'ConfigNotFoundError';
  }
}

/** Every item id the config names, with the setting that names it (item mappings of products come later, per bill). */
export function configuredItems(config: ConfigData): Array<{ setting: string; itemId: string }> {
  const items = [{ setting: 'netsuiteDefaultItemId', itemId: config.netsuiteDefaultItemId }];
  if (config.netsuiteCommitmentItemId) items.push({ setting: 'netsuiteCommitmentItemId', itemId: config.netsuiteCommitmentItemId });
  if (config.netsuiteMinimumSpendItemId) items.push({ setting: 'netsuiteMinimumSpendItemId', itemId: config.netsuiteMinimumSpendItemId });
  for (const [type, itemId] of Object.entries(config.netsuiteItemMapping)) if (itemId) items.push({ setting: `netsuiteItemMapping.${type}`, itemId });
  return items;
}

export function configuredColumnFields(config: ConfigData): Array<{ setting: string; scriptId: string }> {
  const fields = [{ setting: 'the guide\'s line trace field', scriptId: LINE_ITEM_TRACE_FIELD }];
  const mapping = config.netsuiteItemCustomFieldMapping;
  if (mapping.servicePeriodStart) fields.push({ setting: 'netsuiteItemCustomFieldMapping.servicePeriodStart', scriptId: columnFieldId(mapping.servicePeriodStart).toLowerCase() });
  if (mapping.servicePeriodEnd) fields.push({ setting: 'netsuiteItemCustomFieldMapping.servicePeriodEnd', scriptId: columnFieldId(mapping.servicePeriodEnd).toLowerCase() });
  return fields;
}

/** A NetSuite internal id is a number; a name such as "Other" is what the guide's hint makes people type. */
export function isInternalId(id: string): boolean {
  return /^\d+$/.test(id);
}

export async function checkConfigWithNetSuite(deps: CheckDeps, organizationId: string, configId: string, options: { accounts?: readonly string[] } = {}): Promise<ConfigCheck> {
  const row = await getConfig(deps.db, organizationId, configId);
  if (!row) throw new ConfigNotFoundError(configId);
  const config = parseConfigData(row.configData);
  const problems: string[] = [];
  const items: ItemCheck[] = configuredItems(config).map((item) => ({ ...item, status: 'unchecked' as Found }));
  const customFields: FieldCheck[] = configuredColumnFields(config).map((field) => ({ ...field, status: 'unchecked' as Found }));
  const customers = await customersToCheck(deps.db, organizationId, configId, config, options.accounts ?? []);
  const result = (connection: ConfigCheck['connection'], netsuiteAccountId?: string): ConfigCheck => ({ configId, netsuiteAccountId, connection, items, customFields, customers, problems, ok: problems.length === 0 });

  for (const item of items) {
    if (!isInternalId(item.itemId)) problems.push(`${item.setting}: "${item.itemId}" is not a NetSuite internal id. Open the item in NetSuite and use the number after "id=" in its address.`);
  }
  for (const customer of customers) {
    if (customer.status === 'missing') problems.push(`Account ${customer.account}: ${customer.accountId ? 'no external mapping Account → NetSuite Customer applies to this integration; add one (useExternalMappingAccountCode is on).' : 'no such m3ter account in this organization.'}`);
  }

  const credential = row.integrationCredentialsId ? await getCredentialRow(deps.db, organizationId, row.integrationCredentialsId) : undefined;
  if (!credential) {
    problems.unshift('Not connected: add a NetSuite credential to this integration, then check again.');
    return result({ ok: false, message: 'No NetSuite credential is connected to this integration.' });
  }
  const accountId = credential.accountId;
  let token: string;
  try {
    const key = { accountId, certificateId: credential.certificateId, clientId: credential.clientId, privateKeyPem: deps.cipher.decrypt(credential.privateKeyEncrypted) };
    token = (await deps.netsuite.requestTokenWithKey(key)).value;
  } catch (error) {
    if (!(error instanceof NetSuiteError)) throw error;
    problems.unshift(error.message);
    return result({ ok: false, message: error.message }, accountId);
  }
  const connection = { ok: true, message: `NetSuite account ${accountId} issued an access token with credential ${credential.name ?? credential.accountId}.` };

  const lookUp = async <T>(what: string, fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (error) {
      if (!(error instanceof NetSuiteError)) throw error;
      const reason = error instanceof NetSuiteValidationError ? error.details.map((d) => d.detail).join('; ') : error.message;
      problems.push(`Could not check ${what}: ${reason}`);
      return undefined;
    }
  };

  const itemIds = [...new Set(items.map((i) => i.itemId).filter(isInternalId))];
  const foundItems = await lookUp('the items', () => deps.netsuite.findItems(accountId, token, itemIds));
  if (foundItems) {
    for (const item of items.filter((i) => isInternalId(i.itemId))) {
      const name = foundItems.get(item.itemId);
      item.status = name === undefined ? 'missing' : 'found';
      if (name !== undefined) item.name = name;
      else problems.push(`${item.setting}: NetSuite has no item with internal id ${item.itemId}.`);
    }
  }

  const foundFields = await lookUp('the transaction column fields', () => deps.netsuite.findColumnFields(accountId, token, customFields.map((f) => f.scriptId)));
  if (foundFields) {
    for (const field of customFields) {
      field.status = foundFields.has(field.scriptId.toLowerCase()) ? 'found' : 'missing';
      if (field.status === 'missing') problems.push(`${field.scriptId}: NetSuite has no transaction column field with this id (${field.setting}). Create it under Customization > Lists, Records & Fields > Transaction Line Fields.`);
    }
  }

  for (const customer of customers.filter((c) => c.reference)) {
    const reference = customer.reference!;
    const answer = await lookUp(`the customer of account ${customer.account}`, async () => ({ found: await deps.netsuite.findCustomer(accountId, token, reference) }));
    if (!answer) continue;
    if (!answer.found) {
      customer.status = 'missing';
      problems.push(
        'externalId' in reference
          ? `Account ${customer.account}: NetSuite has no customer with External ID ${reference.externalId} (the m3ter account id). Set it as the customer's External ID in NetSuite, or map the account with an external mapping.`
          : `Account ${customer.account}: NetSuite has no customer with internal id ${reference.id} (its external mapping).`,
      );
      continue;
    }
    customer.status = 'found';
    customer.internalId = answer.found.id;
    if (answer.found.name) customer.name = answer.found.name;
  }
  return result(connection, accountId);
}

async function customersToCheck(db: Db, organizationId: string, configId: string, config: ConfigData, accounts: readonly string[]): Promise<CustomerCheck[]> {
  const checks: CustomerCheck[] = [];
  for (const idOrCode of [...new Set(accounts.map((a) => a.trim()).filter(Boolean))]) {
    const account = await findAccount(db, organizationId, idOrCode);
    if (!account) {
      checks.push({ account: idOrCode, status: 'missing' });
      continue;
    }
    const base = { account: account.code, accountId: account.id, accountName: account.name };
    if (!config.useExternalMappingAccountCode) {
      checks.push({ ...base, reference: { externalId: account.id }, status: 'unchecked' });
      continue;
    }
    const mapping = findMapping(await mappingsFor(db, organizationId, [account.id]), { m3terEntity: 'Account', m3terId: account.id, externalTable: 'Customer', configId, enforce: config.enforceExternalMappingsForConfig });
    checks.push(mapping ? { ...base, reference: { id: mapping.externalId }, status: 'unchecked' } : { ...base, status: 'missing' });
  }
  return checks;
}
