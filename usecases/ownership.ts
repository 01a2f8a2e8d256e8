import type { Db } from '../db/connect';
import { ownedBySource, type MirroredTable } from '../db/mirrored';

const NOUN: Record<MirroredTable, string> = { account: 'account', bill: 'bill', externalMapping: 'external mapping' };

/**
 * A change through the local API or CLI to a row the m3ter mirror owns. m3ter is where it changes:
 * the mirror brings the change here within its interval. Integration configs, credentials, runs and
 * events are never mirrored and stay editable.
 */
export class MirroredByM3terError extends Error {
  constructor(
    readonly table: MirroredTable,
    readonly ids: readonly string[],
  ) {
    const noun = NOUN[table];
    super(
      `${ids.length === 1 ? `${noun} ${ids[0]} is` : `${noun}s ${ids.join(', ')} are`} mirrored from m3ter, which owns ${ids.length === 1 ? 'it' : 'them'}: ` +
        'make the change in m3ter and the mirror brings it here (POST /webhooks/m3ter/{orgId} or `source nudge` to fetch it now), or disconnect the source to own these rows locally',
    );
    this.name = 'MirroredByM3terError';
  }
}

/** Throws MirroredByM3terError when any of these rows of the organization is a source's copy. */
export async function refuseMirrored(db: Db, table: MirroredTable, organizationId: string, ids: readonly string[]): Promise<void> {
  const owned = await ownedBySource(db, table, organizationId, ids);
  if (owned.length > 0) throw new MirroredByM3terError(table, owned);
}
