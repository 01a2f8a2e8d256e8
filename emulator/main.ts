#!/usr/bin/env node
import { Command } from 'commander';
import { addAdminCommands } from './cli';
import { startEmulator } from './server';

/**
 * Runs the emulator as its own process (`node dist/emulator/main.js --port 8080`). The single JSON line on
 * stdout lets a parent process learn the URL when it asked for a random port.
 */
export function parsePort(argv: readonly string[], env: NodeJS.ProcessEnv): number {
  let raw: string | undefined = env.EMULATOR_PORT;
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index];
    if (arg === '--port') raw = argv[index + 1];
    else if (arg?.startsWith('--port=')) raw = arg.slice('--port='.length);
  }
  if (raw === undefined || raw === '') return 0;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port "${raw}"`);
  return port;
}

export async function main(argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const emulator = await startEmulator({ port: parsePort(argv, env) });
  process.stdout.write(`${JSON.stringify({ url: emulator.url })}\n`);

  const stop = (): void => {
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`emulator did not close cleanly: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/**
 * `m3ter-netsuite-emulator [serve] [--port N]` runs the emulator; its other commands set up a running
 * one as a NetSuite administrator would (see ./cli).
 */
export function buildProgram(): Command {
  const program = new Command('m3ter-netsuite-emulator').description('a strict NetSuite stand-in: the token endpoint, invoices, customers and SuiteQL').showHelpAfterError();
  program
    .command('serve', { isDefault: true })
    .description('run the emulator; prints {"url"} on one line (port 0 or none: a free port)')
    .option('--port <port>', 'port to listen on (or EMULATOR_PORT)')
    .action(async () => {
      await main(process.argv.slice(2).filter((arg) => arg !== 'serve'));
    });
  addAdminCommands(program);
  return program;
}

if (require.main === module) {
  const serving = process.argv.length <= 2 || ['serve', '--port'].includes(process.argv[2]!) || process.argv[2]!.startsWith('--port=');
  buildProgram()
    .parseAsync(process.argv)
    .catch((error: unknown) => {
      process.stderr.write(`${serving ? 'emulator failed to start' : 'error'}: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    });
}
