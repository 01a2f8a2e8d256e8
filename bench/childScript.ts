import { spawn } from 'node:child_process';
import readline from 'node:readline';

/**
 * A benchmark program run as its own process (so its CPU is its own), spoken to a line at a time:
 * JSON and "go" on its stdin, "ready" and its results on its stdout. A line that never comes because
 * the program died rejects with the end of its stderr.
 */
export interface ChildScript {
  pid: number;
  write(line: string): void;
  nextLine(): Promise<string>;
  /** Closes its stdin and waits for it to exit. */
  end(): Promise<void>;
}

export function startChildScript(script: string, env: NodeJS.ProcessEnv, name: string): ChildScript {
  const child = spawn(process.execPath, [script], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    errors = (errors + chunk.toString()).slice(-5_000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = readline.createInterface({ input: child.stdout! });
  return {
    pid: child.pid!,
    write: (line) => child.stdin!.write(`${line}\n`),
    nextLine: () =>
      Promise.race([
        new Promise<string>((resolve) => lines.once('line', resolve)),
        exited.then((code) => {
          throw new Error(`${name} exited (${code}): ${errors.slice(-2000)}`);
        }),
      ]),
    async end() {
      child.stdin!.end();
      await exited;
    },
  };
}
