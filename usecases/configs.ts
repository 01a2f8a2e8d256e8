import type { Db } from '../db/connect';
import { deleteConfig, enableConfig } from '../db/configs';
import { handOffConfigDeleted, handOffConfigEnabled, type Handoff } from '../handoff/outbox';

/**
 * Re-enables a config and, in the same transaction, hands its failure counter the news: the count
 * restarts from zero (the counter ignores any error that completed before this moment).
 */
export async function enableAndReset(db: Db, organizationId: string, configId: string, origin: string) {
  return db.transaction().execute(async (tx) => {
    const config = await enableConfig(tx, organizationId, configId);
    if (!config) return undefined;
    const handoff: Handoff = await handOffConfigEnabled(tx, { organizationId, configId, at: config.dtLastModified, origin });
    return { config, handoff };
  });
}

/**
 * Deletes a config (its runs, events and linked mappings go with it) and, in the same transaction,
 * hands over the termination of its workflows: the syncs still running for it and its failure counter
 * have nothing left to work on.
 */
export async function deleteAndStop(db: Db, organizationId: string, configId: string, origin: string) {
  return db.transaction().execute(async (tx) => {
    const config = await deleteConfig(tx, organizationId, configId);
    if (!config) return undefined;
    const handoff = await handOffConfigDeleted(tx, { organizationId, configId, origin });
    return { config, handoff };
  });
}
