import { CamelCasePlugin, Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema';

const DATE_OID = 1082;

/**
 * A kysely instance over a pg pool. Dates stay 'YYYY-MM-DD' strings: a bill date is a calendar day,
 * and turning it into a JS Date would shift it by the server's time zone.
 */
export function connectDatabase(url: string, options: { max?: number } = {}): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    types: {
      getTypeParser: (oid: number, format?: 'text' | 'binary') =>
        oid === DATE_OID ? (value: string) => value : pg.types.getTypeParser(oid, format as 'text'),
    },
  });
  // maintainNestedObjectKeys: jsonb contents (invoice bodies, custom fields) keep their own key spelling.
  // A restarted or failed-over server ends idle connections; the pool drops them and reconnects on
  // the next query. Unhandled, the 'error' event would crash the worker.
  pool.on('error', () => undefined);
  // The pool listens for errors only on idle clients. A client checked out when the server goes away
  // can report its broken connection twice (the failed query, then the socket), and the second report,
  // unheard, would crash the process; its query has failed already and the pool drops it on release.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin({ maintainNestedObjectKeys: true })] });
}

export type Db = Kysely<Database>;

/**
 * Runs `work` in a transaction: the caller's, when `db` already is one (so a use-case can put several
 * writes, say a bill and its outbox rows, in one commit), else a new one.
 */
export function inTransaction<T>(db: Db, work: (tx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}
