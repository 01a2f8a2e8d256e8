import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

/**
 * Starts the NetSuite emulator as its own program, as a stand-in NetSuite would be: the service only
 * learns its URL (through NETSUITE_URL_TEMPLATE), never its code.
 */
export async function spawnEmulator(): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [path.join(__dirname, '..', 'emulator', 'main.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = readline.createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the NetSuite emulator exited with code ${code} before printing its URL`)));
    lines.once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
  });
  lines.close();
  return {
    url,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
