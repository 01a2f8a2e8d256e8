import type { FastifyInstance } from 'fastify';
import { type EmulatorContext, SUITEQL_PATH } from './context';
import { invalidRequest, restError } from './errors';
import { readJson, recordRoute } from './records';
import type { Account } from './state';

/**
 * The small part of SuiteQL a configuration check asks: `SELECT a, b FROM table WHERE column IN (…)`,
 * with `UPPER(column)` allowed on the left. Anything else is refused as NetSuite refuses a query it
 * can't parse, so a client that drifts from what the emulator knows fails here, not in production.
 * Values come back as strings and column names in lower case, as NetSuite's answers have them.
 */
type Row = Record<string, string>;

const TABLES: Record<string, { columns: string[]; rows: (account: Account) => Row[] }> = {
  item: { columns: ['id', 'itemid', 'externalid'], rows: (account) => [...account.items.values()].map((item) => ({ id: item.id, itemid: item.name, ...(item.externalId ? { externalid: item.externalId } : {}) })) },
  customer: { columns: ['id', 'entityid', 'externalid'], rows: (account) => [...account.customers.values()].map((c) => ({ id: c.id, entityid: c.name, ...(c.externalId ? { externalid: c.externalId } : {}) })) },
  // Transaction column fields, as NetSuite lists its custom fields (script ids upper-cased).
  customfield: { columns: ['scriptid', 'fieldtype'], rows: (account) => [...account.customFields].map((scriptId) => ({ scriptid: scriptId.toUpperCase(), fieldtype: 'COLUMN' })) },
};

const QUERY = /^\s*SELECT\s+(?<columns>[a-z_]+(?:\s*,\s*[a-z_]+)*)\s+FROM\s+(?<table>[a-z_]+)\s+WHERE\s+(?<left>UPPER\s*\(\s*[a-z_]+\s*\)|[a-z_]+)\s+IN\s*\((?<values>[^)]*)\)\s*$/i;
const VALUE = /^\s*(?:'((?:[^']|'')*)'|(-?\d+))\s*$/;

function invalidQuery(detail: string) {
  return restError(400, 'INVALID_PARAMETER', `Invalid search query. ${detail}`);
}

export function runSuiteQl(account: Account, q: unknown): { links: never[]; count: number; hasMore: false; items: Array<Record<string, unknown>>; offset: 0; totalResults: number } {
  if (typeof q !== 'string' || q.trim() === '') throw invalidQuery('The request body must be {"q": "<SuiteQL query>"}.');
  const match = QUERY.exec(q);
  if (!match?.groups) throw invalidQuery(`This NetSuite emulator answers only SELECT … FROM … WHERE column IN (…), not: ${q.slice(0, 200)}`);
  const table = TABLES[match.groups.table!.toLowerCase()];
  if (!table) throw invalidQuery(`Unknown table ${match.groups.table}.`);
  const columns = match.groups.columns!.split(',').map((c) => c.trim().toLowerCase());
  const upper = /^UPPER/i.test(match.groups.left!);
  const filterColumn = match.groups.left!.replace(/^UPPER\s*\(\s*|\s*\)$/gi, '').trim().toLowerCase();
  for (const column of [...columns, filterColumn]) {
    if (!table.columns.includes(column)) throw invalidQuery(`Unknown field ${column} in ${match.groups.table}.`);
  }
  const values = match.groups.values!.split(',').map((raw) => {
    const value = VALUE.exec(raw);
    if (!value) throw invalidQuery(`Expected a number or a 'quoted' string in IN (…), found ${raw.trim() || 'nothing'}.`);
    return value[1] !== undefined ? value[1].replace(/''/g, "'") : value[2]!;
  });
  const wanted = new Set(values);
  const found = table
    .rows(account)
    .filter((row) => {
      const cell = row[filterColumn];
      return cell !== undefined && wanted.has(upper ? cell.toUpperCase() : cell);
    })
    .map((row) => {
      const picked: Row = {};
      for (const column of columns) if (row[column] !== undefined) picked[column] = row[column];
      return { links: [] as never[], ...picked };
    });
  return { links: [], count: found.length, hasMore: false, items: found, offset: 0, totalResults: found.length };
}

/** `POST query/v1/suiteql`: NetSuite runs SuiteQL over REST only as a transient request. */
export function registerSuiteQlRoutes(app: FastifyInstance, context: EmulatorContext): void {
  app.post(
    `/:account${SUITEQL_PATH}`,
    recordRoute(context, 'read', (account, request) => {
      if (!/\btransient\b/i.test(String(request.headers.prefer ?? ''))) throw invalidRequest('SuiteQL requests need the header "Prefer: transient".');
      return { status: 200, body: runSuiteQl(account, readJson(request).q) };
    }),
  );
}
