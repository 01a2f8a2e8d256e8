import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { loadEnv } from '../../config/env';
import { createLogger } from '../../config/logger';
import { createOrganization } from '../../db/organizations';
import { startService, type RunningService } from '../../worker/service';
import { createTestDatabase } from '../support/database';

let service: RunningService | undefined;
let dataDir: string;

afterAll(async () => {
  await service?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start', () => {
  it('migrates the database, runs the worker and answers GET /health with 200', async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'service-'));
    const env = loadEnv({
      DATA_DIR: dataDir,
      DATABASE_URL: await createTestDatabase(),
      TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS,
      TEMPORAL_TASK_QUEUE: `service-${crypto.randomUUID()}`,
      PORT: '0',
      METRICS_PORT: '0',
    });
    const quiet = createLogger({ destination: new Writable({ write: (_chunk, _encoding, done) => done() }) });
    service = await startService(env, quiet);

    const health = await fetch(`${service.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    // The m3ter-compatible API is served by the same process.
    const org = await createOrganization(service.db, 'Service test');
    const token = await fetch(`${service.url}/oauth/token`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${org.apiKey}:${org.apiSecret}`).toString('base64')}`, 'content-type': 'application/json' }, body: '{"grant_type":"client_credentials"}' });
    expect(token.status).toBe(200);
    expect((await fetch(`${service.url}/openapi.json`)).status).toBe(200);
    const tables = await service.db.introspection.getTables();
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['bill', 'integration_run', 'netsuite_credential']));
    // No CREDENTIALS_ENCRYPTION_KEY: one is generated into DATA_DIR, readable by the owner only.
    expect(fs.statSync(path.join(dataDir, 'credentials.key')).mode & 0o777).toBe(0o600);
  });
});
