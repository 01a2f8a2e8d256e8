import { externalMappingSchema, findMapping, type ExternalMapping } from '../../domain/externalMapping';

const THIS_CONFIG = '11111111-1111-4111-8111-111111111111';
const OTHER_CONFIG = '22222222-2222-4222-8222-222222222222';

let seq = 0;
function mapping(overrides: Partial<ExternalMapping> = {}): ExternalMapping {
  seq += 1;
  return {
    id: `map-${seq}`,
    externalSystem: 'Netsuite',
    externalTable: 'Item',
    externalId: `item-${seq}`,
    m3terEntity: 'Product',
    m3terId: 'prod-1',
    integrationConfigId: null,
    ...overrides,
  };
}

const query = (overrides: Partial<Parameters<typeof findMapping>[1]> = {}) => ({
  m3terEntity: 'Product',
  m3terId: 'prod-1',
  externalTable: 'Item',
  configId: THIS_CONFIG,
  enforce: false,
  ...overrides,
});

describe('findMapping', () => {
  it('finds an unlinked mapping for the entity and id', () => {
    const m = mapping();
    expect(findMapping([m], query())).toBe(m);
  });

  it('returns undefined when nothing matches', () => {
    expect(findMapping([], query())).toBeUndefined();
    expect(findMapping([mapping({ m3terId: 'prod-2' })], query())).toBeUndefined();
    expect(findMapping([mapping({ externalTable: 'Customer' })], query())).toBeUndefined();
    expect(findMapping([mapping({ m3terEntity: 'Account' })], query())).toBeUndefined();
    expect(findMapping([mapping({ externalSystem: 'Xero' })], query())).toBeUndefined();
  });

  it('matches system, entity and table case-insensitively but the m3ter id exactly', () => {
    const m = mapping({ externalSystem: 'NETSUITE', externalTable: 'item', m3terEntity: 'product' });
    expect(findMapping([m], query())).toBe(m);
    expect(findMapping([mapping({ m3terId: 'PROD-1' })], query())).toBeUndefined();
  });

  it('prefers a mapping linked to this config over an unlinked one, whatever the order', () => {
    const unlinked = mapping();
    const linked = mapping({ integrationConfigId: THIS_CONFIG });
    expect(findMapping([unlinked, linked], query())).toBe(linked);
    expect(findMapping([linked, unlinked], query())).toBe(linked);
  });

  it('never uses a mapping linked to another config', () => {
    const other = mapping({ integrationConfigId: OTHER_CONFIG });
    expect(findMapping([other], query())).toBeUndefined();
    const unlinked = mapping();
    expect(findMapping([other, unlinked], query())).toBe(unlinked);
    expect(findMapping([other], query({ enforce: true }))).toBeUndefined();
  });

  it('with enforce, ignores unlinked mappings', () => {
    const unlinked = mapping();
    expect(findMapping([unlinked], query({ enforce: true }))).toBeUndefined();
    const linked = mapping({ integrationConfigId: THIS_CONFIG });
    expect(findMapping([unlinked, linked], query({ enforce: true }))).toBe(linked);
  });

  it('treats an undefined integrationConfigId as unlinked', () => {
    const m = mapping({ integrationConfigId: undefined });
    expect(findMapping([m], query())).toBe(m);
  });
});

describe('externalMappingSchema', () => {
  it('accepts a mapping with or without a config link', () => {
    const base = { externalSystem: 'Netsuite', externalTable: 'Item', externalId: '42', m3terEntity: 'Product', m3terId: 'p1' };
    expect(externalMappingSchema.safeParse(base).success).toBe(true);
    expect(externalMappingSchema.safeParse({ ...base, integrationConfigId: null }).success).toBe(true);
    expect(externalMappingSchema.safeParse({ ...base, integrationConfigId: THIS_CONFIG }).success).toBe(true);
  });

  it('refuses empty ids and a config link that is not a uuid', () => {
    const base = { externalSystem: 'Netsuite', externalTable: 'Item', externalId: '42', m3terEntity: 'Product', m3terId: 'p1' };
    expect(externalMappingSchema.safeParse({ ...base, externalId: '' }).success).toBe(false);
    expect(externalMappingSchema.safeParse({ ...base, m3terId: '' }).success).toBe(false);
    expect(externalMappingSchema.safeParse({ ...base, integrationConfigId: 'not-a-uuid' }).success).toBe(false);
  });
});
