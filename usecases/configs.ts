import type { Db } from '../db/connect';
import { connectCredential, deleteConfig, enableConfig, updateConfig, type ConfigInput } from '../db/configs';
import { handOffConfigDeleted, handOffConfigEnabled, handOffHeldSyncs, type Handoff } from '../handoff/outbox';

/**
 * Changes a config and, in the same transaction, wakes its waiting syncs: what they wait for (a
 * credential, an approval the config no longer requires) may have changed with it.
 */
export async function updateAndWake(db: Db, organizationId: string, configId: string, version: number | undefined, input: ConfigInput, origin: string) {
  return db.transaction().execute(async (tx) => {
    const result = await updateConfig(tx, organizationId, configId, version, input);
    const handoffs = result?.ok ? await handOffHeldSyncs(tx, { organizationId, configId, origin, statuses: ['WAITING'] }) : [];
    return result && { result, handoffs };
  });
}

/** Connects (or, with null, disconnects) a credential and wakes the syncs waiting for one. */
export async function connectAndWake(db: Db, organizationId: string, configId: string, credentialId: string | null, origin: string) {
  return db.transaction().execute(async (tx) => {
    const config = await connectCredential(tx, organizationId, configId, credentialId);
    if (!config) return undefined;
    const handoffs = credentialId ? await handOffHeldSyncs(tx, { organizationId, configId, origin, statuses: ['WAITING'] }) : [];
    return { config, handoffs };
  });
}

/**
 * Re-enables a config and, in the same transaction, hands its failure counter the news (the count
 * restarts from zero: the counter ignores any error that completed before this moment), then the bills
 * it held back while it was disabled (their latest run of it DISABLED): each is sent now, as it is now,
 * rather than left out of NetSuite until someone thinks to re-run it.
 */
export async function enableAndReset(db: Db, organizationId: string, configId: string, origin: string) {
  return db.transaction().execute(async (tx) => {
    const config = await enableConfig(tx, organizationId, configId);
    if (!config) return undefined;
    const handoff: Handoff = await handOffConfigEnabled(tx, { organizationId, configId, at: config.dtLastModified, origin });
    const heldBack = await handOffHeldSyncs(tx, { organizationId, configId, origin, statuses: ['DISABLED'] });
    return { config, handoff, heldBack };
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
