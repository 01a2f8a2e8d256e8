import { z } from 'zod';

export const externalMappingSchema = z.object({
  externalSystem: z.string().min(1),
  externalTable: z.string().min(1),
  externalId: z.string().min(1),
  m3terEntity: z.string().min(1),
  m3terId: z.string().min(1),
  integrationConfigId: z.string().uuid().nullish(),
});
export type ExternalMappingInput = z.input<typeof externalMappingSchema>;
export type ExternalMapping = z.infer<typeof externalMappingSchema> & { id: string };

/**
 * Which mapping applies to (entity, id) for one config. Mappings linked to this config win over
 * unlinked ones; with `enforce`, unlinked ones are ignored. Mappings linked to another config never
 * apply: they belong to that integration.
 */
export function findMapping(
  mappings: readonly ExternalMapping[],
  query: { m3terEntity: string; m3terId: string; externalTable: string; configId: string; enforce: boolean },
): ExternalMapping | undefined {
  const matching = mappings.filter(
    (m) =>
      m.externalSystem.toLowerCase() === 'netsuite' &&
      m.m3terEntity.toLowerCase() === query.m3terEntity.toLowerCase() &&
      m.m3terId === query.m3terId &&
      m.externalTable.toLowerCase() === query.externalTable.toLowerCase(),
  );
  const linked = matching.find((m) => m.integrationConfigId === query.configId);
  if (linked || query.enforce) return linked;
  return matching.find((m) => !m.integrationConfigId);
}
