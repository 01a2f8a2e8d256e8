import { loadEnv } from '../config/env';
import { createLogger } from '../config/logger';
import { startStack } from '../stack';
import { connectDatabase } from './connect';
import { migrateToLatest } from './migrate';

/** `npm run migrate`: applies pending migrations to DATABASE_URL (or the embedded database). */
async function main(): Promise<void> {
  const env = loadEnv();
  const logger = createLogger({ level: env.LOG_LEVEL });
  const stack = await startStack(env, logger, { temporal: false });
  const db = connectDatabase(stack.databaseUrl, { max: 1 });
  try {
    const applied = await migrateToLatest(db);
    logger.info({ applied }, applied.length > 0 ? 'migrations applied' : 'database already up to date');
  } finally {
    await db.destroy();
    await stack.stop();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.name}: ${error.message}\n`);
  process.exit(1);
});
