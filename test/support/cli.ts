import { CommanderError, type Command } from 'commander';
import { buildCli } from '../../client/cli';
import type { Harness } from './harness';

/**
 * Runs the CLI in this process against a harness's database and Temporal, as a user's shell would
 * with these variables set: what it printed on stdout and on stderr, and the exit code it set. `env`
 * adds to (or, say with another TEMPORAL_ADDRESS, overrides) the harness's variables.
 */
export async function runCli(h: Harness, args: string[], env: Record<string, string> = {}): Promise<{ out: string; err: string; exitCode: number }> {
  const saved = { ...process.env };
  const savedExitCode = process.exitCode;
  Object.assign(process.env, { DATABASE_URL: h.databaseUrl, TEMPORAL_ADDRESS: h.temporalAddress, TEMPORAL_TASK_QUEUE: h.taskQueue, CREDENTIALS_ENCRYPTION_KEY: h.encryptionKey, DATA_DIR: h.tmpDir, LOG_LEVEL: 'warn', ...env });
  let out = '';
  let err = '';
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const writeErr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  });
  // Every command, not only the root: a subcommand's usage error would otherwise call process.exit
  // and end the whole jest worker (its global teardown skipped, PostgreSQL and Temporal left running).
  const program = buildCli();
  const throwInsteadOfExit = (command: Command): void => {
    command.exitOverride();
    command.commands.forEach(throwInsteadOfExit);
  };
  throwInsteadOfExit(program);
  try {
    await program.parseAsync(['node', 'cli', ...args]);
    return { out, err, exitCode: Number(process.exitCode ?? 0) };
  } catch (error) {
    // A usage error: commander has written its message to stderr and would exit with this code.
    if (error instanceof CommanderError) return { out, err, exitCode: error.exitCode };
    throw error;
  } finally {
    write.mockRestore();
    writeErr.mockRestore();
    process.env = saved;
    process.exitCode = savedExitCode;
  }
}
