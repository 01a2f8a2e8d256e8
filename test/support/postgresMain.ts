import { startEmbeddedPostgres } from '../../stack/postgres';

/**
 * Embedded PostgreSQL as its own process for the chaos tests, which stop and restart it on the same
 * files and port while the rest of the stack runs. Prints {"url"}; SIGTERM stops the server.
 */
async function main(): Promise<void> {
  const [dataDir, port] = process.argv.slice(2);
  const pg = await startEmbeddedPostgres({ dataDir: dataDir!, port: Number(port) });
  process.stdout.write(`${JSON.stringify({ url: pg.url })}\n`);
  const stop = () => void pg.stop().then(() => process.exit(0), () => process.exit(1));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main().catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
