import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startMailSink } from '../../mail/sink';
import { createSmtpMailer } from '../../mail/mailer';
import { loadEncryptionKey } from '../../secrets/encryptionKey';
import { ROOT_POSTGRES_HOME } from '../../stack/postgres';
import { resolveTemporalCli } from '../../stack/temporalCli';
import { startTemporalDevServer } from '../../stack/temporalServer';
import { freePort } from '../support/freePort';
import { startPostgresProcess } from '../support/postgresProcess';

/**
 * Issue 15, finding 9: the embedded stack keeps its files private to the service's user. Nothing under
 * DATA_DIR is readable (or even listable) by others, and nothing above DATA_DIR has its permissions
 * changed: run as root, starting the embedded PostgreSQL used to loosen a parent of DATA_DIR from 0700
 * to 0701, and the dev server's temporal.db was 0644.
 */
const isRoot = process.getuid?.() === 0;
const roots: string[] = [];

afterAll(() => {
  for (const dir of roots) fs.rmSync(dir, { recursive: true, force: true });
});

/** A DATA_DIR inside a new parent folder of the given mode. */
function dataDirUnder(parentMode: number): { parent: string; dataDir: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'modes-'));
  roots.push(root);
  fs.chmodSync(root, 0o755);
  const parent = path.join(root, 'parent');
  fs.mkdirSync(parent);
  fs.chmodSync(parent, parentMode);
  return { parent, dataDir: path.join(parent, 'data') };
}

/** The mode of every folder from `dir` up to `/`. */
function ancestorModes(dir: string): Record<string, string> {
  const modes: Record<string, string> = {};
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    modes[current] = (fs.statSync(current).mode & 0o7777).toString(8);
    if (path.dirname(current) === current) return modes;
  }
}

/** Every path under `dir` (itself included) whose mode gives others any permission. */
function openToOthers(dir: string): string[] {
  const found: string[] = [];
  const visit = (target: string) => {
    const stat = fs.lstatSync(target);
    if (!stat.isSymbolicLink() && (stat.mode & 0o007) !== 0) found.push(`${path.relative(dir, target) || '.'} ${(stat.mode & 0o777).toString(8)}`);
    if (stat.isDirectory()) for (const entry of fs.readdirSync(target)) visit(path.join(target, entry));
  };
  visit(dir);
  return found;
}

const mode = (file: string) => (fs.statSync(file).mode & 0o777).toString(8);

describe('file modes of the embedded stack', () => {
  it('keeps everything under DATA_DIR from other users and changes nothing above it', async () => {
    // Others may pass through the parent (as the postgres user must when the service runs as root), not list it.
    const { parent, dataDir } = dataDirUnder(0o711);
    const before = ancestorModes(parent);
    const cliPath = resolveTemporalCli({ explicitPath: process.env.TEMPORAL_CLI_PATH });
    expect(cliPath).toBeDefined();

    const postgres = await startPostgresProcess(dataDir, await freePort());
    const temporal = await startTemporalDevServer({ cliPath: cliPath!, dataDir, port: await freePort(), namespace: 'default' });
    loadEncryptionKey({ dataDir });
    const sink = await startMailSink({ port: 0, dir: path.join(dataDir, 'mail') });
    const mailer = createSmtpMailer({ smtpUrl: sink.url, from: 'sync@test.example' });
    try {
      await mailer.send({ to: 'ap@example.com', subject: 'A notification', text: 'Kept in DATA_DIR/mail' });
      expect(openToOthers(dataDir)).toEqual([]);
      expect(ancestorModes(parent)).toEqual(before);
      expect(fs.readdirSync(path.join(dataDir, 'mail'))).toHaveLength(1);
      const mailFile = path.join(dataDir, 'mail', fs.readdirSync(path.join(dataDir, 'mail'))[0]!);
      expect([mode(path.join(dataDir, 'temporal.db')), mode(path.join(dataDir, 'credentials.key')), mode(mailFile)]).toEqual(['600', '600', '600']);
    } finally {
      mailer.close();
      await sink.stop();
      await temporal.stop();
      await postgres.stop();
    }
    // Whatever the servers wrote while running or stopping (WAL files, PostgreSQL's shutdown).
    expect(openToOthers(dataDir)).toEqual([]);
    expect(ancestorModes(parent)).toEqual(before);
  }, 120_000);

  it('tightens what earlier versions left readable: DATA_DIR at 0755, temporal.db at 0644', async () => {
    const { dataDir } = dataDirUnder(0o755);
    const cliPath = resolveTemporalCli({ explicitPath: process.env.TEMPORAL_CLI_PATH })!;
    await (await startTemporalDevServer({ cliPath, dataDir, port: await freePort(), namespace: 'default' })).stop();
    fs.chmodSync(dataDir, 0o755);
    fs.chmodSync(path.join(dataDir, 'temporal.db'), 0o644);

    await (await startTemporalDevServer({ cliPath, dataDir, port: await freePort(), namespace: 'default' })).stop();
    expect(openToOthers(dataDir)).toEqual([]);
    expect(mode(path.join(dataDir, 'temporal.db'))).toBe('600');
  }, 120_000);

  it('a parent of DATA_DIR its PostgreSQL cannot pass through is not loosened: as root the data goes where the postgres user may go, and DATA_DIR says where', async () => {
    const { parent, dataDir } = dataDirUnder(0o700);
    const before = ancestorModes(parent);
    const postgres = await startPostgresProcess(dataDir, await freePort());
    try {
      expect(ancestorModes(parent)).toEqual(before);
      expect(openToOthers(dataDir)).toEqual([]);
      if (isRoot) {
        // PostgreSQL runs as the `postgres` user, which a 0700 folder of root's keeps out of DATA_DIR.
        const location = fs.readFileSync(path.join(dataDir, 'postgres.location'), 'utf8').trim();
        expect(location.startsWith(`${ROOT_POSTGRES_HOME}/`)).toBe(true);
        const home = fs.statSync(path.dirname(location));
        expect([(home.mode & 0o777).toString(8), home.uid]).toEqual(['700', Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim())]);
      } else {
        // Anyone else runs PostgreSQL as themselves, who own the folder: the data stays in DATA_DIR.
        expect(fs.existsSync(path.join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);
      }
    } finally {
      await postgres.stop();
      // The data outside DATA_DIR is this test's to clean up.
      if (isRoot) fs.rmSync(path.dirname(fs.readFileSync(path.join(dataDir, 'postgres.location'), 'utf8').trim()), { recursive: true, force: true });
    }
    expect(ancestorModes(parent)).toEqual(before);
  }, 120_000);
});
