import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001_initial';
import * as m0002 from './0002_events_and_notifications';
import * as m0003 from './0003_netsuite_leases';
import * as m0004 from './0004_outbox';
import * as m0005 from './0005_credential_token_obtained';
import * as m0006 from './0006_run_handoffs';
import * as m0007 from './0007_run_record_type';
import * as m0008 from './0008_failure_counter_marks';
import * as m0009 from './0009_m3ter_source';
import * as m0010 from './0010_m3ter_source_liveness';

/**
 * Migrations are listed here rather than read from the folder, so they work the same from source
 * (jest) and from dist/ (compiled), and a missing file is a compile error, not a silent skip.
 */
export const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_events_and_notifications': m0002,
  '0003_netsuite_leases': m0003,
  '0004_outbox': m0004,
  '0005_credential_token_obtained': m0005,
  '0006_run_handoffs': m0006,
  '0007_run_record_type': m0007,
  '0008_failure_counter_marks': m0008,
  '0009_m3ter_source': m0009,
  '0010_m3ter_source_liveness': m0010,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
