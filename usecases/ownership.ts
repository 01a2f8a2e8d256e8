import type { Db } from '../db/connect';
import { ownedBySource } from '../db/mirrored';
import { MirroredByM3terError, type MirroredTable } from '../domain/mirror';

/** Throws MirroredByM3terError when any of these rows of the organization is a source's copy. */
export async function refuseMirrored(db: Db, table: MirroredTable, organizationId: string, ids: readonly string[]): Promise<void> {
  const owned = await ownedBySource(db, table, organizationId, ids);
  if (owned.length > 0) throw new MirroredByM3terError(table, owned);
}
