import { listAccounts, toAccountView } from '../db/accounts';
import type { Db } from '../db/connect';
import type { AccountView } from '../domain/account';
import { evaluateAccountFilter, filterFields, parseAccountFilter } from '../domain/accountFilter';
import type { ConfigData } from '../domain/configData';
import { configuredItems, isInternalId } from './configCheck';

/**
 * What is valid but almost certainly a mistake in a config, said when it is saved or typed rather than
 * found later as bills that fail (an item name where NetSuite wants an internal id) or that are all
 * SKIPPED without a word (an account filter on a field no account has).
 */
export function itemIdWarnings(config: Pick<ConfigData, 'netsuiteDefaultItemId' | 'netsuiteCommitmentItemId' | 'netsuiteMinimumSpendItemId' | 'netsuiteItemMapping'>): string[] {
  return configuredItems(config as ConfigData)
    .filter((item) => !isInternalId(item.itemId))
    .map((item) => `${item.setting}: "${item.itemId}" is not a NetSuite internal id (a number, like the "id=" in the item's address in NetSuite); every send would fail with "Invalid item reference key".`);
}

const ACCOUNT_SAMPLE = 10_000;

/** Fields of the filter that no account of the organization has (only said once there are accounts). */
function unknownFilterFields(filter: string, accounts: readonly AccountView[]): string[] {
  if (accounts.length === 0) return [];
  const tree = parseAccountFilter(filter);
  return filterFields(tree)
    .filter((path) => {
      const [head, name] = path.split('.');
      if (head !== 'customFields' && head !== 'address') return false;
      if (name === undefined) return false;
      return !accounts.some((account) => {
        const holder = head === 'customFields' ? account.customFields : (account.address ?? {});
        const value = (holder as Record<string, unknown>)[name];
        return value !== undefined && value !== null && value !== '';
      });
    })
    .map((path) => `accountFilter: no account has ${path}; check its spelling (the bills of accounts without it are SKIPPED by this integration).`);
}

async function organizationAccounts(db: Db, organizationId: string): Promise<AccountView[]> {
  return (await listAccounts(db, organizationId, { offset: 0, limit: ACCOUNT_SAMPLE })).map(toAccountView);
}

/** The filter's fields no account of the organization has (none for an empty filter). */
export async function accountFilterWarnings(db: Db, organizationId: string, filter: string): Promise<string[]> {
  return filter.trim() ? unknownFilterFields(filter, await organizationAccounts(db, organizationId)) : [];
}

export async function configWarnings(db: Db, organizationId: string, config: ConfigData): Promise<string[]> {
  return [...itemIdWarnings(config), ...(await accountFilterWarnings(db, organizationId, config.accountFilter))];
}

/** The filter's verdict on one account, in the words a user acts on. */
export function tryAccountFilter(filter: string, account: AccountView): { passes: boolean; message: string } {
  const tree = parseAccountFilter(filter);
  const passes = tree ? evaluateAccountFilter(tree, account) : true;
  const who = `${account.name} (${account.code})`;
  return passes
    ? { passes, message: `True for ${who}: its bills go on to the next filter and are sent.` }
    : { passes, message: `False for ${who}: its bills would be SKIPPED by this integration.` };
}
