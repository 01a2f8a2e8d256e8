import crypto from 'node:crypto';
import pg from 'pg';

/** A fresh, empty database on the shared test server (or the one `adminUrl` names); returns its URL. */
export async function createTestDatabase(adminUrl = process.env.TEST_DATABASE_URL): Promise<string> {
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set: run the tests through jest (its globalSetup starts the stack)');
  const name = `t_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
