import type { AccountView } from './account';
import type { LineItem } from './bill';
import type { ConfigData } from './configData';
import type { FailureKind } from './failure';
import { recordExternalId, type NetSuiteRecordType } from './externalId';
import { findMapping, type ExternalMapping } from './externalMapping';
import { signedAmount, type LineItemType } from './lineItemType';
import { fromCents, MAX_AMOUNT, roundRate, sumToCents, toCents } from './money';

/** The custom transaction column every line carries, so a NetSuite line traces back to m3ter. */
export const LINE_ITEM_TRACE_FIELD = 'custcol_m3ter_external_line_item';

export interface BillForInvoice {
  id: string;
  version: number;
  billDate: string;
  dueDate: string | null;
  startDate: string | null;
  endDate: string | null;
  currency: string;
  externalInvoiceDate: string | null;
  purchaseOrderNumber: string | null;
  sequentialInvoiceNumber: string | null;
  lineItems: readonly LineItem[];
}

export interface NetSuiteRef {
  id?: string;
  externalId?: string;
}

export interface NetSuiteInvoiceLine {
  item: NetSuiteRef;
  description: string;
  quantity: number;
  rate: number;
  amount: number;
  [customField: `custcol${string}`]: string | number;
}

export interface NetSuiteInvoice {
  externalId: string;
  entity: NetSuiteRef;
  tranDate: string;
  dueDate?: string;
  startDate?: string;
  endDate?: string;
  currency?: NetSuiteRef;
  memo: string;
  otherRefNum?: string;
  item: { items: NetSuiteInvoiceLine[] };
}

/** Why each line went where it did; stored with the run and shown by the dry run. */
export type Decision =
  | { kind: 'customer'; ref: NetSuiteRef; reason: string }
  | { kind: 'line'; lineItemId: string; lineItemType: LineItemType; item: string; reason: string; amount: number }
  | { kind: 'excluded'; lineItemId: string; lineItemType: LineItemType; reason: string }
  | { kind: 'rounding'; amount: number; reason: string }
  | { kind: 'field'; field: string; reason: string }
  | { kind: 'filter'; filter: string; passed: boolean; reason: string };

export type BuildResult =
  /** `invoice` is the body of the record (an invoice, or a credit memo); `totalCents` the bill's signed total. */
  | { ok: true; recordType: NetSuiteRecordType; invoice: NetSuiteInvoice; decisions: Decision[]; totalCents: number }
  | { ok: false; failure: Extract<FailureKind, 'missingAccountMapping' | 'noLines' | 'bandsDisagree'>; reason: string; decisions: Decision[] };

export interface BuildInput {
  configId: string;
  config: ConfigData;
  bill: BillForInvoice;
  account: AccountView;
  mappings: readonly ExternalMapping[];
}

/**
 * Turns one bill into the NetSuite invoice body, applying the integration's settings. Pure, so the
 * dry run shows exactly what a real send would put on the wire.
 */
export function buildInvoice(input: BuildInput): BuildResult {
  const { config, bill, account, configId } = input;
  const decisions: Decision[] = [];
  const enforce = config.enforceExternalMappingsForConfig;

  let entity: NetSuiteRef;
  if (config.useExternalMappingAccountCode) {
    const mapping = findMapping(input.mappings, { m3terEntity: 'Account', m3terId: account.id, externalTable: 'Customer', configId, enforce });
    if (!mapping) {
      return {
        ok: false,
        failure: 'missingAccountMapping',
        reason:
          `Account ${account.code} (${account.id}) has no external mapping Account → NetSuite Customer` +
          (enforce ? ' linked to this integration' : '') +
          '. Add one, or turn off Use external mapping account code to send the m3ter account id as the customer External ID.',
        decisions,
      };
    }
    entity = { id: mapping.externalId };
    decisions.push({ kind: 'customer', ref: entity, reason: `external mapping ${mapping.id}` });
  } else {
    entity = { externalId: account.id };
    decisions.push({ kind: 'customer', ref: entity, reason: 'm3ter account id as the NetSuite customer externalId' });
  }

  const excluded = new Set(config.excludedLineItemTypes);
  const kept: LineItem[] = [];
  for (const line of bill.lineItems) {
    if (excluded.has(line.lineItemType)) {
      decisions.push({ kind: 'excluded', lineItemId: line.id, lineItemType: line.lineItemType, reason: `${line.lineItemType} is in excludedLineItemTypes` });
    } else {
      kept.push(line);
    }
  }
  if (kept.length === 0) {
    return { ok: false, failure: 'noLines', reason: 'every line item is excluded by excludedLineItemTypes, so there is nothing to invoice', decisions };
  }

  const lines: NetSuiteInvoiceLine[] = [];
  const exactAmounts: number[] = [];
  for (const line of sortLines(kept, config.sortLineItemsBy)) {
    const { item, reason } = resolveItem(line, input);
    const custom = customFields(line, config);
    const bands = config.splitUsageLineItems === 'ITEM_PER_USAGE_BAND' ? (line.usagePerPricingBand ?? []) : [];
    // The invoice's total is the lines' subtotals, split by band or not.
    const amount = signedAmount(line.lineItemType, line.subtotal);
    if (bands.length > 0) {
      // The invoice's lines come from the bands: a cent a band apart from the line is band rounding,
      // which the adjustment line evens out; more is a bill whose bands would send another amount than
      // it says, so nothing is sent.
      const bandCents = sumToCents(bands.map((band) => signedAmount(line.lineItemType, band.bandSubtotal)));
      const lineCents = toCents(amount);
      if (Math.abs(bandCents - lineCents) > bands.length) {
        const reason = `line item ${line.id}: its usagePerPricingBand bandSubtotals add up to ${fromCents(bandCents).toFixed(2)} but its subtotal is ${fromCents(lineCents).toFixed(2)}, so an invoice split by band would not match the bill; correct the bill's bands, or set splitUsageLineItems to ITEM_PER_PRODUCT`;
        return { ok: false, failure: 'bandsDisagree', reason, decisions };
      }
      for (const band of bands) {
        const quantity = band.bandUnits ?? band.bandQuantity ?? 0;
        lines.push(makeLine({ item, description: bandDescription(line, band.lowerLimit), quantity, amount: signedAmount(line.lineItemType, band.bandSubtotal), unitPrice: band.unitPrice, custom, lineId: line.id }));
      }
      decisions.push({ kind: 'line', lineItemId: line.id, lineItemType: line.lineItemType, item, reason: `${reason}; split into ${bands.length} pricing bands`, amount });
    } else {
      lines.push(makeLine({ item, description: line.description, quantity: line.quantity, amount, custom, lineId: line.id }));
      decisions.push({ kind: 'line', lineItemId: line.id, lineItemType: line.lineItemType, item, reason, amount });
    }
    exactAmounts.push(amount);
  }

  // Per-line rounding can leave the sum a cent away from the bill; an explicit line keeps totals equal.
  const sentCents = lines.reduce((sum, l) => sum + toCents(l.amount), 0);
  const wantedCents = sumToCents(exactAmounts);
  if (sentCents !== wantedCents) {
    const diff = fromCents(wantedCents - sentCents);
    lines.push({ item: { id: config.netsuiteDefaultItemId }, description: 'Rounding adjustment', quantity: 1, rate: diff, amount: diff, [LINE_ITEM_TRACE_FIELD]: 'rounding' });
    decisions.push({ kind: 'rounding', amount: diff, reason: 'line amounts rounded to cents (or pricing bands rounded apart from their line) differed from the bill total' });
  }

  // NetSuite refuses an invoice whose total is negative: such a bill (credits larger than charges) is a
  // credit memo, with every line's sign turned so its total is the positive amount credited. Zero stays
  // an invoice: NetSuite takes a zero total, and the customer sees the bill's lines.
  const recordType: NetSuiteRecordType = wantedCents < 0 ? 'creditMemo' : 'invoice';
  const items = recordType === 'invoice' ? lines : lines.map((line) => ({ ...line, rate: -line.rate, amount: -line.amount }));
  if (recordType === 'creditMemo') {
    decisions.push({ kind: 'field', field: 'recordType', reason: `the bill's total ${fromCents(wantedCents).toFixed(2)} is negative, which NetSuite refuses on an invoice: sent as a credit memo of ${fromCents(-wantedCents).toFixed(2)}, each line's sign turned` });
  }
  const invoice: NetSuiteInvoice = {
    externalId: recordExternalId(recordType, configId, bill.id),
    entity,
    tranDate: bill.externalInvoiceDate ?? bill.billDate,
    memo: `m3ter bill ${bill.sequentialInvoiceNumber ?? bill.id}`,
    item: { items },
  };
  if (recordType === 'creditMemo') decisions.push({ kind: 'field', field: 'dueDate', reason: 'a credit memo has no due date' });
  else if (config.netsuiteSendDueDate && bill.dueDate) invoice.dueDate = bill.dueDate;
  else decisions.push({ kind: 'field', field: 'dueDate', reason: config.netsuiteSendDueDate ? 'the bill has no due date' : 'netsuiteSendDueDate is off: NetSuite applies the customer terms' });
  if (bill.startDate) invoice.startDate = bill.startDate;
  if (bill.endDate) invoice.endDate = bill.endDate;
  if (bill.purchaseOrderNumber) invoice.otherRefNum = bill.purchaseOrderNumber;
  const currency = findMapping(input.mappings, { m3terEntity: 'Currency', m3terId: bill.currency, externalTable: 'Currency', configId, enforce });
  if (currency) invoice.currency = { id: currency.externalId };
  else decisions.push({ kind: 'field', field: 'currency', reason: `no external mapping for currency ${bill.currency}: NetSuite uses the customer's currency` });

  return { ok: true, recordType, invoice, decisions, totalCents: wantedCents };
}

function resolveItem(line: LineItem, input: BuildInput): { item: string; reason: string } {
  const { config, configId } = input;
  if (line.productId) {
    const mapping = findMapping(input.mappings, { m3terEntity: 'Product', m3terId: line.productId, externalTable: 'Item', configId, enforce: config.enforceExternalMappingsForConfig });
    if (mapping) return { item: mapping.externalId, reason: `external mapping ${mapping.id} of product ${line.productId}` };
  }
  const mapped = config.netsuiteItemMapping[line.lineItemType];
  if (mapped) return { item: mapped, reason: `netsuiteItemMapping.${line.lineItemType}` };
  if ((line.lineItemType === 'COMMITMENT_FEE' || line.lineItemType === 'COMMITMENT_CONSUMED') && config.netsuiteCommitmentItemId) {
    return { item: config.netsuiteCommitmentItemId, reason: 'netsuiteCommitmentItemId' };
  }
  if ((line.lineItemType === 'MINIMUM_SPEND' || line.lineItemType === 'MINIMUM_SPEND_REFUND') && config.netsuiteMinimumSpendItemId) {
    return { item: config.netsuiteMinimumSpendItemId, reason: 'netsuiteMinimumSpendItemId' };
  }
  return { item: config.netsuiteDefaultItemId, reason: 'netsuiteDefaultItemId' };
}

function makeLine(args: {
  item: string;
  description: string;
  quantity: number;
  amount: number;
  unitPrice?: number;
  custom: Record<string, string>;
  lineId: string;
}): NetSuiteInvoiceLine {
  const amount = fromCents(toCents(args.amount));
  // NetSuite would compute amount = quantity × rate; sending amount explicitly keeps cents exact.
  let quantity = args.quantity === 0 && amount !== 0 ? 1 : args.quantity;
  let rate = quantity === 0 ? (args.unitPrice ?? 0) : roundRate(amount / quantity);
  // A quantity so large or small that NetSuite's 15 digits can't hold it and its rate goes as one unit
  // of the whole amount, as other integrations send it: the amount, which is what counts, stays exact.
  if (!Number.isFinite(rate) || Math.abs(rate) > MAX_AMOUNT || Math.abs(quantity) >= LARGEST_SENT_QUANTITY) {
    quantity = 1;
    rate = amount;
  }
  return { item: { id: args.item }, description: args.description, quantity, rate, amount, ...args.custom, [LINE_ITEM_TRACE_FIELD]: args.lineId };
}

/** From here on NetSuite would round the quantity or the rate out of the amount's cents. */
const LARGEST_SENT_QUANTITY = 1e10;

function customFields(line: LineItem, config: ConfigData): Record<string, string> {
  const out: Record<string, string> = {};
  const mapping = config.netsuiteItemCustomFieldMapping;
  if (mapping.servicePeriodStart && line.servicePeriodStartDate) out[columnFieldId(mapping.servicePeriodStart)] = line.servicePeriodStartDate;
  if (mapping.servicePeriodEnd && line.servicePeriodEndDate) out[columnFieldId(mapping.servicePeriodEnd)] = line.servicePeriodEndDate;
  return out;
}

/** NetSuite prefixes transaction column ids with `custcol`: `_service_start` is `custcol_service_start`. */
export function columnFieldId(id: string): string {
  return id.startsWith('custcol') ? id : `custcol${id.startsWith('_') ? id : `_${id}`}`;
}

function bandDescription(line: LineItem, lowerLimit: number | undefined): string {
  return lowerLimit === undefined ? line.description : `${line.description} (from ${lowerLimit})`;
}

/**
 * SUBTOTAL sorts largest amount first (what a reader of the invoice looks for); AGGREGATION_ID sorts
 * ascending with lines lacking one last. Ties keep the bill's order.
 */
function sortLines(lines: LineItem[], by: ConfigData['sortLineItemsBy']): LineItem[] {
  const ordered = [...lines].sort((a, b) => a.sequenceNumber - b.sequenceNumber);
  if (by === 'SUBTOTAL') return ordered.sort((a, b) => Math.abs(b.subtotal) - Math.abs(a.subtotal));
  if (by === 'AGGREGATION_ID') {
    return ordered.sort((a, b) => {
      // An empty aggregation id counts as none, so the comparison stays a consistent order.
      const x = a.aggregationId || undefined;
      const y = b.aggregationId || undefined;
      if (x === y) return 0;
      if (x === undefined) return 1;
      if (y === undefined) return -1;
      return x < y ? -1 : 1;
    });
  }
  return ordered;
}
