import fc from 'fast-check';
import type { AccountView } from '../../domain/account';
import type { LineItem } from '../../domain/bill';
import { configDataSchema, type ConfigDataInput } from '../../domain/configData';
import { invoiceExternalId } from '../../domain/externalId';
import type { ExternalMapping } from '../../domain/externalMapping';
import { LINE_ITEM_TRACE_FIELD, buildInvoice, columnFieldId, type BillForInvoice, type BuildInput, type BuildResult, type NetSuiteInvoice, type NetSuiteInvoiceLine } from '../../domain/invoiceBuilder';
import { CREDIT_LINE_ITEM_TYPES, LINE_ITEM_TYPES, type LineItemType } from '../../domain/lineItemType';

const CONFIG_ID = '11111111-1111-4111-8111-111111111111';
const OTHER_CONFIG_ID = '22222222-2222-4222-8222-222222222222';
const BILL_ID = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';

const account: AccountView = {
  id: 'acc-0001',
  code: 'ACME',
  name: 'Acme Ltd',
  emailAddress: 'billing@acme.example',
  currency: 'USD',
  parentAccountId: null,
  customFields: {},
  address: null,
};

let lineSeq = 0;
function line(overrides: Partial<LineItem> = {}): LineItem {
  lineSeq += 1;
  return { id: `li-${lineSeq}`, sequenceNumber: lineSeq, lineItemType: 'USAGE', description: `Line ${lineSeq}`, quantity: 1, subtotal: 10, ...overrides };
}

function bill(lineItems: LineItem[], overrides: Partial<BillForInvoice> = {}): BillForInvoice {
  return {
    id: BILL_ID,
    version: 1,
    billDate: '2024-05-01',
    dueDate: '2024-05-31',
    startDate: '2024-04-01',
    endDate: '2024-04-30',
    currency: 'USD',
    externalInvoiceDate: null,
    purchaseOrderNumber: null,
    sequentialInvoiceNumber: 'INV-0042',
    lineItems,
    ...overrides,
  };
}

let mapSeq = 0;
function mapping(overrides: Partial<ExternalMapping>): ExternalMapping {
  mapSeq += 1;
  return { id: `map-${mapSeq}`, externalSystem: 'Netsuite', externalTable: 'Item', externalId: `ext-${mapSeq}`, m3terEntity: 'Product', m3terId: 'prod-1', integrationConfigId: null, ...overrides };
}

function build(lineItems: LineItem[], config: Partial<ConfigDataInput> = {}, extra: Partial<Omit<BuildInput, 'config'>> & { billOverrides?: Partial<BillForInvoice> } = {}): BuildResult {
  const { billOverrides, ...rest } = extra;
  return buildInvoice({
    configId: CONFIG_ID,
    config: configDataSchema.parse({ netsuiteDefaultItemId: 'default-item', ...config }),
    bill: bill(lineItems, billOverrides),
    account,
    mappings: [],
    ...rest,
  });
}

function invoiceOf(result: BuildResult): NetSuiteInvoice {
  if (!result.ok) throw new Error(`expected an invoice, got ${result.failure}: ${result.reason}`);
  return result.invoice;
}
const linesOf = (result: BuildResult): NetSuiteInvoiceLine[] => invoiceOf(result).item.items;
const cents = (amount: number) => Math.round(amount * 100);
const totalCents = (lines: NetSuiteInvoiceLine[]) => lines.reduce((sum, l) => sum + cents(l.amount), 0);

describe('lines', () => {
  it('each line carries the m3ter line id, amount, quantity and rate', () => {
    const a = line({ id: 'm3ter-line-a', subtotal: 100, quantity: 4, description: 'API calls' });
    const b = line({ id: 'm3ter-line-b', subtotal: 10, quantity: 3 });
    const [first, second] = linesOf(build([a, b]));
    expect(first).toEqual({ item: { id: 'default-item' }, description: 'API calls', quantity: 4, rate: 25, amount: 100, [LINE_ITEM_TRACE_FIELD]: 'm3ter-line-a' });
    expect(second?.[LINE_ITEM_TRACE_FIELD]).toBe('m3ter-line-b');
    expect(second?.quantity).toBe(3);
    expect(second?.amount).toBe(10);
    expect(second?.rate).toBe(3.33333333);
    expect(LINE_ITEM_TRACE_FIELD).toBe('custcol_m3ter_external_line_item');
  });

  it('rate is amount / quantity rounded to 8 decimals', () => {
    const [l] = linesOf(build([line({ subtotal: 1, quantity: 7 })]));
    expect(l?.rate).toBe(0.14285714);
    const [big] = linesOf(build([line({ subtotal: 2, quantity: 3 })]));
    expect(big?.rate).toBe(0.66666667);
  });

  it('amounts are rounded to cents', () => {
    const [l] = linesOf(build([line({ subtotal: 1.005, quantity: 1 })]));
    expect(l?.amount).toBe(1.01);
  });

  it('a zero-quantity line with an amount is sent as quantity 1 so amount = quantity × rate', () => {
    const [l] = linesOf(build([line({ subtotal: 50, quantity: 0, lineItemType: 'STANDING_CHARGE' })]));
    expect(l).toMatchObject({ quantity: 1, rate: 50, amount: 50 });
  });

  it('a zero line stays at quantity 0', () => {
    const [l] = linesOf(build([line({ subtotal: 0, quantity: 0 })]));
    expect(l?.quantity).toBe(0);
    expect(l?.amount).toBe(0);
    expect(l?.rate).toBe(0);
  });

  it.each([...CREDIT_LINE_ITEM_TYPES])('%s lines are negative on an invoice, whether m3ter sends them positive or negative', (type) => {
    const charge = line({ lineItemType: 'STANDING_CHARGE', subtotal: 100, quantity: 1 });
    const [, pos, neg] = linesOf(build([charge, line({ lineItemType: type, subtotal: 25, quantity: 1 }), line({ lineItemType: type, subtotal: -25, quantity: 1 })]));
    expect(pos?.amount).toBe(-25);
    expect(neg?.amount).toBe(-25);
    expect(pos?.rate).toBe(-25);
  });

  it('the credit types are exactly the five of the spec', () => {
    expect([...CREDIT_LINE_ITEM_TYPES].sort()).toEqual(['COUNTER_ADJUSTMENT_CREDIT', 'CREDIT_DEDUCTION', 'CREDIT_MEMO', 'MINIMUM_SPEND_REFUND', 'USAGE_CREDIT']);
  });

  it('non-credit lines are positive', () => {
    for (const type of LINE_ITEM_TYPES.filter((t) => !CREDIT_LINE_ITEM_TYPES.has(t))) {
      const [l] = linesOf(build([line({ lineItemType: type, subtotal: 12.5 })]));
      expect(l?.amount).toBe(12.5);
    }
  });

  it('invoice total nets credits against charges', () => {
    const result = build([line({ subtotal: 100 }), line({ lineItemType: 'USAGE_CREDIT', subtotal: 30 }), line({ lineItemType: 'CREDIT_MEMO', subtotal: -5.5 })]);
    expect(totalCents(linesOf(result))).toBe(6450);
    expect(result.ok && result.totalCents).toBe(6450);
  });
});

describe('rounding', () => {
  it('adds an explicit "Rounding adjustment" line when per-line rounding drifts from the bill total', () => {
    // three lines of 0.333 round to 0.33 each (0.99) but the bill total 0.999 rounds to 1.00
    const result = build([line({ subtotal: 0.333 }), line({ subtotal: 0.333 }), line({ subtotal: 0.333 })]);
    const lines = linesOf(result);
    expect(lines).toHaveLength(4);
    const rounding = lines[3];
    expect(rounding).toEqual({ item: { id: 'default-item' }, description: 'Rounding adjustment', quantity: 1, rate: 0.01, amount: 0.01, [LINE_ITEM_TRACE_FIELD]: 'rounding' });
    expect(totalCents(lines)).toBe(100);
    expect(result.ok && result.totalCents).toBe(100);
    expect(result.decisions).toContainEqual(expect.objectContaining({ kind: 'rounding', amount: 0.01 }));
  });

  it('a negative adjustment when rounding drifts upwards', () => {
    const lines = linesOf(build([line({ subtotal: 0.005 }), line({ subtotal: 0.005 }), line({ subtotal: 0.005 })]));
    // each rounds to 0.01 (0.03) but 0.015 rounds to 0.02
    expect(lines.at(-1)).toMatchObject({ description: 'Rounding adjustment', amount: -0.01 });
    expect(totalCents(lines)).toBe(2);
  });

  it('totals stay exact for large amounts (a float sum would be a cent out)', () => {
    // exact sum: -25,515,342.005 → -25,515,342.01 (half away from zero)
    const credits = build([
      line({ lineItemType: 'MINIMUM_SPEND_REFUND', subtotal: -19379763.859203 }),
      line({ lineItemType: 'COUNTER_ADJUSTMENT_CREDIT', subtotal: -322.745001 }),
      line({ lineItemType: 'COUNTER_ADJUSTMENT_CREDIT', subtotal: -6135255.400796 }),
    ]);
    expect(credits.ok && credits.totalCents).toBe(-2551534201);
    // All credits: a credit memo of the same amount.
    expect(totalCents(linesOf(credits))).toBe(2551534201);
    // exact sum: 201,397,037.835 → 201,397,037.84
    const bands = build(
      [
        line({ subtotal: 138483360.35606, usagePerPricingBand: [{ bandSubtotal: 70.855001 }, { bandSubtotal: 63905180.244742 }, { bandSubtotal: 41169502.785947 }, { bandSubtotal: 33408606.47037 }] }),
        line({ subtotal: 0.225001, usagePerPricingBand: [{ bandSubtotal: 0.225001 }] }),
        line({ lineItemType: 'MINIMUM_SPEND_REFUND', subtotal: -292.905001, usagePerPricingBand: [{ bandSubtotal: -292.905001 }] }),
        line({ subtotal: 77819731.573443, usagePerPricingBand: [{ bandSubtotal: 77819731.573443 }] }),
        line({ lineItemType: 'USAGE_CREDIT', subtotal: 14905761.414503 }),
      ],
      { splitUsageLineItems: 'ITEM_PER_USAGE_BAND' },
    );
    expect(bands.ok && bands.totalCents).toBe(20139703784);
    expect(totalCents(linesOf(bands))).toBe(20139703784);
  });

  it('no adjustment line when the lines already add up', () => {
    const result = build([line({ subtotal: 10.1 }), line({ subtotal: 0.2 })]);
    expect(linesOf(result).map((l) => l.description)).not.toContain('Rounding adjustment');
    expect(result.decisions.some((d) => d.kind === 'rounding')).toBe(false);
  });

  it('property: sum of sent amounts in cents equals the rounded exact signed total, for lines and bands', () => {
    // amounts with 6 decimals: everyday ones, ones up to ±100,000,000.000000, and ones that sit on half cents
    const micros = fc.oneof(
      fc.integer({ min: -100_000_000_000, max: 100_000_000_000 }),
      fc.integer({ min: -100_000_000_000_000, max: 100_000_000_000_000 }),
      fc.integer({ min: -20_000_000_000, max: 20_000_000_000 }).map((n) => n * 5000 + (n % 3)),
    );
    const bandArb = fc.record({ bandSubtotal: micros, bandUnits: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }) });
    // A banded line's subtotal is its bands' sum, as m3ter computes it.
    const lineArb = fc
      .record({
        lineItemType: fc.constantFrom(...LINE_ITEM_TYPES),
        subtotal: micros,
        quantity: fc.integer({ min: 0, max: 10_000 }),
        bands: fc.array(bandArb, { maxLength: 4 }),
      })
      .map((l) => {
        if (l.bands.length === 0) return l;
        // m3ter gives a credit's bands as positive amounts, like the credit itself.
        // Each band a share of the range, so the line's sum stays within the amounts above.
        const share = (micros: number) => Math.trunc(micros / l.bands.length);
        const bands = l.bands.map((b) => ({ ...b, bandSubtotal: CREDIT_LINE_ITEM_TYPES.has(l.lineItemType) ? Math.abs(share(b.bandSubtotal)) : share(b.bandSubtotal) }));
        return { ...l, bands, subtotal: bands.reduce((sum, b) => sum + b.bandSubtotal, 0) };
      });
    fc.assert(
      fc.property(fc.array(lineArb, { minLength: 1, maxLength: 30 }), fc.constantFrom('ITEM_PER_PRODUCT', 'ITEM_PER_USAGE_BAND') as fc.Arbitrary<'ITEM_PER_PRODUCT' | 'ITEM_PER_USAGE_BAND'>, (specs, split) => {
        let exactMicros = 0;
        const items = specs.map((s) => {
          // Credits always reduce the invoice; every other line keeps the sign m3ter gave it.
          const signed = (micros: number) => (CREDIT_LINE_ITEM_TYPES.has(s.lineItemType) ? -Math.abs(micros) : micros);
          // Split by band or not, the invoice's total is the lines' subtotals.
          exactMicros += signed(s.subtotal);
          return line({
            lineItemType: s.lineItemType,
            subtotal: s.subtotal / 1e6,
            quantity: s.quantity,
            usagePerPricingBand: s.bands.map((b) => ({ bandSubtotal: b.bandSubtotal / 1e6, bandUnits: b.bandUnits })),
          });
        });
        // round half away from zero, in integers: no floating point in the reference
        const expectedCents = Math.sign(exactMicros) * Math.floor((Math.abs(exactMicros) + 5000) / 10_000) + 0; // + 0 turns -0 into 0
        const result = build(items, { splitUsageLineItems: split });
        const lines = linesOf(result);
        // A negative bill is a credit memo of the same amount: its lines carry the turned signs.
        expect(result.ok && result.recordType).toBe(expectedCents < 0 ? 'creditMemo' : 'invoice');
        expect(totalCents(lines) + 0).toBe(Math.abs(expectedCents));
        expect(result.ok && result.totalCents + 0).toBe(expectedCents);
        for (const l of lines) expect([l.quantity, l.rate, l.amount].every(Number.isFinite)).toBe(true);
        for (const l of lines) expect(Math.abs(l.amount * 100 - Math.round(l.amount * 100))).toBeLessThan(1e-6); // whole cents
        expect(lines.filter((l) => l.description === 'Rounding adjustment').length).toBeLessThanOrEqual(1);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('negative and zero bills', () => {
  it('a bill whose credits outweigh its charges becomes a credit memo: its own externalId, each line sign turned, a positive total, no due date', () => {
    const result = build([line({ id: 'charge', subtotal: 100, quantity: 1, lineItemType: 'STANDING_CHARGE' }), line({ id: 'credit', subtotal: 250, quantity: 1, lineItemType: 'USAGE_CREDIT' })], { netsuiteSendDueDate: true });
    expect(result.ok && result.recordType).toBe('creditMemo');
    const memo = invoiceOf(result);
    expect(memo.externalId).toBe(`${invoiceExternalId(CONFIG_ID, BILL_ID)}-cm`);
    expect(memo.item.items.map((l) => [l[LINE_ITEM_TRACE_FIELD], l.rate, l.amount])).toEqual([
      ['charge', -100, -100],
      ['credit', 250, 250],
    ]);
    expect(totalCents(memo.item.items)).toBe(15_000);
    expect(memo.dueDate).toBeUndefined();
    expect(result.ok && result.decisions.find((d) => d.kind === 'field' && d.field === 'recordType')?.reason).toMatch(/-150\.00 is negative.*credit memo of 150\.00/);
  });

  it('a zero bill stays an invoice (NetSuite takes a zero total), and a positive one too', () => {
    expect(build([line({ subtotal: 0, quantity: 0 })]).ok && build([line({ subtotal: 0, quantity: 0 })])).toMatchObject({ recordType: 'invoice' });
    const free = build([line({ subtotal: 50, quantity: 1, lineItemType: 'STANDING_CHARGE' }), line({ subtotal: 50, quantity: 1, lineItemType: 'USAGE_CREDIT' })]);
    expect(free).toMatchObject({ recordType: 'invoice', totalCents: 0 });
    expect(invoiceOf(free).externalId).toBe(invoiceExternalId(CONFIG_ID, BILL_ID));
  });
});

describe('item resolution', () => {
  const usage = (overrides: Partial<LineItem> = {}) => line({ productId: 'prod-1', lineItemType: 'USAGE', ...overrides });
  const itemOf = (result: BuildResult) => linesOf(result)[0]?.item;

  it('uses the product external mapping (Product → Item) first', () => {
    const m = mapping({ externalId: 'ns-item-7' });
    const result = build([usage()], { netsuiteItemMapping: { USAGE: 'usage-item' } }, { mappings: [m] });
    expect(itemOf(result)).toEqual({ id: 'ns-item-7' });
    expect(result.decisions).toContainEqual(expect.objectContaining({ kind: 'line', item: 'ns-item-7', reason: expect.stringContaining(m.id) }));
  });

  it('a mapping linked to this config wins over an unlinked one', () => {
    const unlinked = mapping({ externalId: 'unlinked' });
    const linked = mapping({ externalId: 'linked', integrationConfigId: CONFIG_ID });
    expect(itemOf(build([usage()], {}, { mappings: [unlinked, linked] }))).toEqual({ id: 'linked' });
  });

  it('with enforceExternalMappingsForConfig only linked mappings are used', () => {
    const unlinked = mapping({ externalId: 'unlinked' });
    expect(itemOf(build([usage()], { enforceExternalMappingsForConfig: true }, { mappings: [unlinked] }))).toEqual({ id: 'default-item' });
    const linked = mapping({ externalId: 'linked', integrationConfigId: CONFIG_ID });
    expect(itemOf(build([usage()], { enforceExternalMappingsForConfig: true }, { mappings: [unlinked, linked] }))).toEqual({ id: 'linked' });
  });

  it('a mapping linked to another config is never used', () => {
    const other = mapping({ externalId: 'other', integrationConfigId: OTHER_CONFIG_ID });
    expect(itemOf(build([usage()], {}, { mappings: [other] }))).toEqual({ id: 'default-item' });
    expect(itemOf(build([usage()], { netsuiteItemMapping: { USAGE: 'usage-item' } }, { mappings: [other] }))).toEqual({ id: 'usage-item' });
  });

  it('ignores mappings for other products, tables or systems', () => {
    const mappings = [mapping({ m3terId: 'prod-2' }), mapping({ externalTable: 'Customer' }), mapping({ externalSystem: 'Xero' }), mapping({ m3terEntity: 'Meter' })];
    expect(itemOf(build([usage()], {}, { mappings }))).toEqual({ id: 'default-item' });
  });

  it('a line without a product skips the product mapping', () => {
    expect(itemOf(build([line({ lineItemType: 'USAGE' })], {}, { mappings: [mapping({})] }))).toEqual({ id: 'default-item' });
  });

  it('then netsuiteItemMapping[lineItemType]', () => {
    const result = build([usage({ productId: 'unmapped' })], { netsuiteItemMapping: { USAGE: 'usage-item' } });
    expect(itemOf(result)).toEqual({ id: 'usage-item' });
    expect(result.decisions).toContainEqual(expect.objectContaining({ kind: 'line', reason: 'netsuiteItemMapping.USAGE' }));
  });

  it.each(['COMMITMENT_FEE', 'COMMITMENT_CONSUMED'] as LineItemType[])('then the commitment item for %s', (type) => {
    const config = { netsuiteCommitmentItemId: 'commit-item', netsuiteMinimumSpendItemId: 'min-item' };
    expect(itemOf(build([line({ lineItemType: type })], config))).toEqual({ id: 'commit-item' });
    expect(itemOf(build([line({ lineItemType: type })], { ...config, netsuiteItemMapping: { [type]: 'typed' } }))).toEqual({ id: 'typed' });
    expect(itemOf(build([line({ lineItemType: type })], {}))).toEqual({ id: 'default-item' });
  });

  it.each(['MINIMUM_SPEND', 'MINIMUM_SPEND_REFUND'] as LineItemType[])('then the minimum-spend item for %s', (type) => {
    const config = { netsuiteCommitmentItemId: 'commit-item', netsuiteMinimumSpendItemId: 'min-item' };
    expect(itemOf(build([line({ lineItemType: type })], config))).toEqual({ id: 'min-item' });
    expect(itemOf(build([line({ lineItemType: type })], { ...config, netsuiteItemMapping: { [type]: 'typed' } }))).toEqual({ id: 'typed' });
    expect(itemOf(build([line({ lineItemType: type })], {}))).toEqual({ id: 'default-item' });
  });

  it('other types never use the commitment or minimum-spend items', () => {
    const config = { netsuiteCommitmentItemId: 'commit-item', netsuiteMinimumSpendItemId: 'min-item' };
    for (const type of ['USAGE', 'STANDING_CHARGE', 'CREDIT_MEMO', 'BALANCE_FEE'] as LineItemType[]) {
      expect(itemOf(build([line({ lineItemType: type })], config))).toEqual({ id: 'default-item' });
    }
  });

  it('finally netsuiteDefaultItemId, with the reason recorded', () => {
    const result = build([line({ lineItemType: 'AD_HOC' })]);
    expect(itemOf(result)).toEqual({ id: 'default-item' });
    expect(result.decisions).toContainEqual(expect.objectContaining({ kind: 'line', item: 'default-item', reason: 'netsuiteDefaultItemId' }));
  });
});

describe('customer', () => {
  it('by default the entity is the m3ter account id as the NetSuite externalId', () => {
    const result = build([line()]);
    expect(invoiceOf(result).entity).toEqual({ externalId: 'acc-0001' });
    expect(result.decisions[0]).toMatchObject({ kind: 'customer', ref: { externalId: 'acc-0001' } });
  });

  it('with useExternalMappingAccountCode the entity is the mapped customer internal id', () => {
    const m = mapping({ m3terEntity: 'Account', m3terId: 'acc-0001', externalTable: 'Customer', externalId: '981' });
    const result = build([line()], { useExternalMappingAccountCode: true }, { mappings: [m] });
    expect(invoiceOf(result).entity).toEqual({ id: '981' });
  });

  it('with useExternalMappingAccountCode and no mapping, fails with missingAccountMapping explaining how to fix it', () => {
    const result = build([line()], { useExternalMappingAccountCode: true }, { mappings: [mapping({ m3terEntity: 'Account', m3terId: 'someone-else', externalTable: 'Customer' })] });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.failure).toBe('missingAccountMapping');
    expect(result.reason).toContain('ACME');
    expect(result.reason).toContain('acc-0001');
    expect(result.reason).toContain('Use external mapping account code');
  });

  it('with enforcement, an unlinked customer mapping does not count', () => {
    const m = mapping({ m3terEntity: 'Account', m3terId: 'acc-0001', externalTable: 'Customer', externalId: '981' });
    const result = build([line()], { useExternalMappingAccountCode: true, enforceExternalMappingsForConfig: true }, { mappings: [m] });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.failure).toBe('missingAccountMapping');
      expect(result.reason).toContain('linked to this integration');
    }
  });
});

describe('excludedLineItemTypes', () => {
  it('drops excluded lines and records the decision', () => {
    const credit = line({ lineItemType: 'USAGE_CREDIT', id: 'credit-line' });
    const result = build([line({ id: 'usage-line' }), credit], { excludedLineItemTypes: ['USAGE_CREDIT'] });
    expect(linesOf(result).map((l) => l[LINE_ITEM_TRACE_FIELD])).toEqual(['usage-line']);
    expect(result.decisions).toContainEqual({ kind: 'excluded', lineItemId: 'credit-line', lineItemType: 'USAGE_CREDIT', reason: 'USAGE_CREDIT is in excludedLineItemTypes' });
    expect(result.ok && result.totalCents).toBe(1000);
  });

  it('all lines excluded → noLines', () => {
    const result = build([line({ lineItemType: 'USAGE' }), line({ lineItemType: 'USAGE' })], { excludedLineItemTypes: ['USAGE'] });
    expect(result).toMatchObject({ ok: false, failure: 'noLines' });
    expect(result.decisions.filter((d) => d.kind === 'excluded')).toHaveLength(2);
  });

  it('a bill with no lines at all → noLines', () => {
    expect(build([])).toMatchObject({ ok: false, failure: 'noLines' });
  });
});

describe('ITEM_PER_USAGE_BAND', () => {
  const banded = () =>
    line({
      id: 'banded',
      description: 'API calls',
      quantity: 1500,
      subtotal: 12.5,
      usagePerPricingBand: [
        { lowerLimit: 0, bandUnits: 1000, bandSubtotal: 10, unitPrice: 0.01 },
        { lowerLimit: 1000, bandUnits: 500, bandSubtotal: 2.5, unitPrice: 0.005 },
      ],
    });

  it('splits a banded line into one NetSuite line per band, each traced to the m3ter line', () => {
    const lines = linesOf(build([banded()], { splitUsageLineItems: 'ITEM_PER_USAGE_BAND' }));
    expect(lines).toEqual([
      { item: { id: 'default-item' }, description: 'API calls (from 0)', quantity: 1000, rate: 0.01, amount: 10, [LINE_ITEM_TRACE_FIELD]: 'banded' },
      { item: { id: 'default-item' }, description: 'API calls (from 1000)', quantity: 500, rate: 0.005, amount: 2.5, [LINE_ITEM_TRACE_FIELD]: 'banded' },
    ]);
  });

  it('falls back to bandQuantity, and keeps the description without a lower limit', () => {
    const l = line({ subtotal: 8, usagePerPricingBand: [{ bandQuantity: 4, bandSubtotal: 8 }], description: 'Seats' });
    expect(linesOf(build([l], { splitUsageLineItems: 'ITEM_PER_USAGE_BAND' }))).toEqual([expect.objectContaining({ description: 'Seats', quantity: 4, rate: 2, amount: 8 })]);
  });

  it('credit bands are negative', () => {
    const l = line({ lineItemType: 'USAGE_CREDIT', subtotal: 3, usagePerPricingBand: [{ bandUnits: 1, bandSubtotal: 3 }] });
    const charge = line({ lineItemType: 'STANDING_CHARGE', subtotal: 10, quantity: 1 });
    expect(linesOf(build([charge, l], { splitUsageLineItems: 'ITEM_PER_USAGE_BAND' })).map((x) => x.amount).sort()).toEqual([-3, 10]);
  });

  it('ITEM_PER_PRODUCT (default) keeps one line per m3ter line', () => {
    const lines = linesOf(build([banded()]));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ description: 'API calls', quantity: 1500, amount: 12.5 });
  });

  it("bands that add up to another amount than their line's subtotal send nothing, and say which line and both sums", () => {
    // The bands of a hostile or broken bill: each storable, together far from the line's 10.00.
    const broken = line({ id: 'broken', subtotal: 10, usagePerPricingBand: [{ bandSubtotal: 9_999_999_999_999.99 }, { bandSubtotal: 9_999_999_999_999.99 }] });
    const result = build([line({ subtotal: 5 }), broken], { splitUsageLineItems: 'ITEM_PER_USAGE_BAND' });
    expect(result).toMatchObject({ ok: false, failure: 'bandsDisagree', reason: expect.stringContaining('line item broken: its usagePerPricingBand bandSubtotals add up to 19999999999999.98 but its subtotal is 10.00') });
    expect(!result.ok && result.reason).toContain('set splitUsageLineItems to ITEM_PER_PRODUCT');
    // The same bill without splitting invoices the lines' subtotals.
    expect(build([line({ subtotal: 5 }), broken])).toMatchObject({ ok: true, totalCents: 1500 });
  });

  it("bands a cent apart from their line (rounded apart) still invoice the line's subtotal, with the adjustment line", () => {
    const thirds = line({ subtotal: 1, usagePerPricingBand: [{ bandSubtotal: 0.33 }, { bandSubtotal: 0.33 }, { bandSubtotal: 0.33 }] });
    const result = build([thirds], { splitUsageLineItems: 'ITEM_PER_USAGE_BAND' });
    expect(result.ok && result.totalCents).toBe(100);
    expect(linesOf(result).map((l) => [l.description, l.amount])).toContainEqual(['Rounding adjustment', 0.01]);
  });

  it('a line without bands stays one line when splitting', () => {
    expect(linesOf(build([line({ subtotal: 7 })], { splitUsageLineItems: 'ITEM_PER_USAGE_BAND' }))).toHaveLength(1);
  });
});

describe('invoice fields', () => {
  it('netsuiteSendDueDate sends the bill due date', () => {
    expect(invoiceOf(build([line()], { netsuiteSendDueDate: true })).dueDate).toBe('2024-05-31');
  });

  it('without netsuiteSendDueDate, no dueDate (NetSuite applies the terms)', () => {
    const result = build([line()]);
    expect(invoiceOf(result)).not.toHaveProperty('dueDate');
    expect(result.decisions).toContainEqual(expect.objectContaining({ kind: 'field', field: 'dueDate' }));
  });

  it('netsuiteSendDueDate with a bill lacking a due date sends none', () => {
    const result = build([line()], { netsuiteSendDueDate: true }, { billOverrides: { dueDate: null } });
    expect(invoiceOf(result)).not.toHaveProperty('dueDate');
    expect(result.decisions).toContainEqual({ kind: 'field', field: 'dueDate', reason: 'the bill has no due date' });
  });

  it('tranDate is the externalInvoiceDate when set, else the billDate', () => {
    expect(invoiceOf(build([line()])).tranDate).toBe('2024-05-01');
    expect(invoiceOf(build([line()], {}, { billOverrides: { externalInvoiceDate: '2024-05-03' } })).tranDate).toBe('2024-05-03');
  });

  it('otherRefNum is the purchase order number', () => {
    expect(invoiceOf(build([line()], {}, { billOverrides: { purchaseOrderNumber: 'PO-77' } })).otherRefNum).toBe('PO-77');
    expect(invoiceOf(build([line()]))).not.toHaveProperty('otherRefNum');
  });

  it('carries the service period and a memo naming the bill', () => {
    const invoice = invoiceOf(build([line()]));
    expect(invoice.startDate).toBe('2024-04-01');
    expect(invoice.endDate).toBe('2024-04-30');
    expect(invoice.memo).toBe('m3ter bill INV-0042');
    expect(invoiceOf(build([line()], {}, { billOverrides: { sequentialInvoiceNumber: null } })).memo).toBe(`m3ter bill ${BILL_ID}`);
  });

  it('currency comes from a Currency external mapping when there is one', () => {
    const m = mapping({ m3terEntity: 'Currency', m3terId: 'USD', externalTable: 'Currency', externalId: '1' });
    expect(invoiceOf(build([line()], {}, { mappings: [m] })).currency).toEqual({ id: '1' });
    expect(invoiceOf(build([line()]))).not.toHaveProperty('currency');
  });

  it('externalId is stable per (config, bill) and only letters, digits, _ and -', () => {
    const a = invoiceOf(build([line()])).externalId;
    const b = invoiceOf(build([line({ subtotal: 99 })], {}, { billOverrides: { version: 7 } })).externalId;
    expect(a).toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_-]+$/);
    const otherBill = invoiceOf(build([line()], {}, { billOverrides: { id: 'ffffffff-bbbb-4ccc-8ddd-eeeeeeeeeeee' } })).externalId;
    const otherConfig = invoiceOf(build([line()], {}, { configId: OTHER_CONFIG_ID })).externalId;
    expect(new Set([a, otherBill, otherConfig]).size).toBe(3);
  });

  it('externalId stays within the allowed characters for any ids', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), fc.string({ minLength: 1, maxLength: 40 }), (configId, billId) => {
        const id = invoiceOf(build([line()], {}, { configId, billOverrides: { id: billId } })).externalId;
        expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
      }),
    );
  });
});

describe('netsuiteItemCustomFieldMapping', () => {
  const dated = () => line({ servicePeriodStartDate: '2024-04-01', servicePeriodEndDate: '2024-04-30' });

  it('writes the service period dates into the custcol fields', () => {
    const [l] = linesOf(build([dated()], { netsuiteItemCustomFieldMapping: { servicePeriodStart: 'custcol_start', servicePeriodEnd: 'custcol_end' } }));
    expect(l).toMatchObject({ custcol_start: '2024-04-01', custcol_end: '2024-04-30' });
  });

  it('`_x` is written as `custcol_x`', () => {
    const [l] = linesOf(build([dated()], { netsuiteItemCustomFieldMapping: { servicePeriodStart: '_svc_start', servicePeriodEnd: '_svc_end' } }));
    expect(l).toMatchObject({ custcol_svc_start: '2024-04-01', custcol_svc_end: '2024-04-30' });
    expect(Object.keys(l ?? {}).filter((k) => k.startsWith('_'))).toEqual([]);
  });

  it('columnFieldId prefixes custcol', () => {
    expect(columnFieldId('_x')).toBe('custcol_x');
    expect(columnFieldId('x')).toBe('custcol_x');
    expect(columnFieldId('custcol_x')).toBe('custcol_x');
  });

  it('each band line carries the dates too', () => {
    const l = line({ servicePeriodStartDate: '2024-04-01', subtotal: 3, usagePerPricingBand: [{ bandSubtotal: 1 }, { bandSubtotal: 2 }] });
    const lines = linesOf(build([l], { splitUsageLineItems: 'ITEM_PER_USAGE_BAND', netsuiteItemCustomFieldMapping: { servicePeriodStart: '_s' } }));
    expect(lines.map((x) => x.custcol_s)).toEqual(['2024-04-01', '2024-04-01']);
  });

  it('writes nothing without a mapping or without dates', () => {
    const [l] = linesOf(build([dated()]));
    expect(Object.keys(l ?? {}).filter((k) => k.startsWith('custcol') && k !== LINE_ITEM_TRACE_FIELD)).toEqual([]);
    const [m] = linesOf(build([line()], { netsuiteItemCustomFieldMapping: { servicePeriodStart: '_s' } }));
    expect(m).not.toHaveProperty('custcol_s');
  });
});

describe('sortLineItemsBy', () => {
  const ids = (result: BuildResult) => linesOf(result).map((l) => l[LINE_ITEM_TRACE_FIELD]);

  it('NONE keeps the bill order (by sequence number)', () => {
    const a = line({ id: 'a', sequenceNumber: 2, subtotal: 1 });
    const b = line({ id: 'b', sequenceNumber: 1, subtotal: 100 });
    const c = line({ id: 'c', sequenceNumber: 3, subtotal: 50 });
    expect(ids(build([a, b, c]))).toEqual(['b', 'a', 'c']);
  });

  it('SUBTOTAL puts the largest absolute amount first, ties in bill order', () => {
    const lines = [
      line({ id: 'small', sequenceNumber: 1, subtotal: 5 }),
      line({ id: 'credit', sequenceNumber: 2, subtotal: 80, lineItemType: 'USAGE_CREDIT' }),
      line({ id: 'tie1', sequenceNumber: 3, subtotal: 20 }),
      line({ id: 'big', sequenceNumber: 4, subtotal: 100 }),
      line({ id: 'tie2', sequenceNumber: 5, subtotal: -20, lineItemType: 'CREDIT_MEMO' }),
    ];
    expect(ids(build(lines, { sortLineItemsBy: 'SUBTOTAL' }))).toEqual(['big', 'credit', 'tie1', 'tie2', 'small']);
  });

  it('AGGREGATION_ID sorts ascending, lines without one last, ties in bill order', () => {
    const lines = [
      line({ id: 'none1', sequenceNumber: 1 }),
      line({ id: 'b1', sequenceNumber: 2, aggregationId: 'agg-b' }),
      line({ id: 'a', sequenceNumber: 3, aggregationId: 'agg-a' }),
      line({ id: 'none2', sequenceNumber: 4 }),
      line({ id: 'b2', sequenceNumber: 5, aggregationId: 'agg-b' }),
      line({ id: 'empty', sequenceNumber: 6, aggregationId: '' }),
    ];
    expect(ids(build(lines, { sortLineItemsBy: 'AGGREGATION_ID' }))).toEqual(['a', 'b1', 'b2', 'none1', 'none2', 'empty']);
  });

  it('AGGREGATION_ID treats an empty aggregationId as missing without disturbing the bill order', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom<string | undefined>(undefined, '', 'x', 'y'), { minLength: 1, maxLength: 12 }), (aggs) => {
        const lines = aggs.map((aggregationId, i) => line({ id: `l${i}`, sequenceNumber: i, ...(aggregationId === undefined ? {} : { aggregationId }) }));
        const expected = [...lines]
          .map((l, i) => ({ l, i, key: l.aggregationId || '\uffff' }))
          .sort((p, q) => (p.key < q.key ? -1 : p.key > q.key ? 1 : p.i - q.i))
          .map((p) => p.l.id);
        expect(ids(build(lines, { sortLineItemsBy: 'AGGREGATION_ID' }))).toEqual(expected);
      }),
    );
  });

  it('sorting never changes the total', () => {
    const lines = [line({ subtotal: 0.333 }), line({ subtotal: 9.999, aggregationId: 'z' }), line({ subtotal: 1.115, lineItemType: 'USAGE_CREDIT' })];
    const totals = (['NONE', 'SUBTOTAL', 'AGGREGATION_ID'] as const).map((by) => totalCents(linesOf(build(lines, { sortLineItemsBy: by }))));
    expect(new Set(totals).size).toBe(1);
  });
});

describe('signs', () => {
  it('a negative manual adjustment stays negative; a credit sent positive becomes negative', () => {
    const result = build([line({ lineItemType: 'MANUAL_ADJUSTMENT', subtotal: -50 }), line({ lineItemType: 'CREDIT_MEMO', subtotal: 20 }), line({ subtotal: 100 })]);
    expect(linesOf(result).map((l) => l.amount)).toEqual([-50, -20, 100]);
    expect(result.ok && result.totalCents).toBe(3000);
  });
});
