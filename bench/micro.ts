import { performance } from 'node:perf_hooks';
import { compileAccountFilter } from '../domain/accountFilter';
import type { AccountView } from '../domain/account';
import type { LineItem } from '../domain/bill';
import { configDataSchema } from '../domain/configData';
import { buildInvoice } from '../domain/invoiceBuilder';

import type { Figure } from './report';

/** The speed and memory targets of the pure hot paths: no database, no Temporal, no network. */

function lines(count: number): LineItem[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    sequenceNumber: i,
    lineItemType: i % 10 === 0 ? 'USAGE_CREDIT' : 'USAGE',
    description: `Meter ${i}`,
    quantity: i + 1,
    subtotal: Math.round((i + 1) * 0.37 * 100) / 100,
    productId: `prod-${i % 50}`,
    usagePerPricingBand: [
      { lowerLimit: 0, bandUnits: i, unitPrice: 0.1, bandSubtotal: Math.round(i * 0.1 * 100) / 100 },
      { lowerLimit: 1000, bandUnits: 1, unitPrice: 0.27, bandSubtotal: 0.27 },
    ],
  }));
}

const account: AccountView = { id: 'acc', code: 'ACME', name: 'Acme', emailAddress: 'a@acme.example', currency: 'USD', parentAccountId: null, customFields: { country: 'UK', seats: 12 }, address: { country: 'GB' } };

function benchBuilder(results: Figure[], count: number, split: 'ITEM_PER_PRODUCT' | 'ITEM_PER_USAGE_BAND', targetMs: number): void {
  const config = configDataSchema.parse({ netsuiteDefaultItemId: '10', splitUsageLineItems: split, sortLineItemsBy: 'SUBTOTAL' });
  const bill = { id: 'bill', version: 1, billDate: '2026-10-31', dueDate: null, startDate: null, endDate: null, currency: 'USD', externalInvoiceDate: null, purchaseOrderNumber: null, sequentialInvoiceNumber: null, lineItems: lines(count) };
  const input = { configId: 'cfg', config, bill, account, mappings: [] };
  buildInvoice(input); // warm-up
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const runs = count >= 10_000 ? 5 : 50;
  const started = performance.now();
  for (let i = 0; i < runs; i++) buildInvoice(input);
  const ms = (performance.now() - started) / runs;
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
  results.push({ name: `build invoice, ${count} lines, ${split}`, value: Number(ms.toFixed(2)), unit: 'ms', target: `< ${targetMs} ms`, ok: ms < targetMs });
  if (count >= 10_000) results.push({ name: `heap growth building ${runs}× ${count} lines`, value: Number(heapMb.toFixed(1)), unit: 'MB', target: '< 200 MB', ok: heapMb < 200 });
}

function benchFilter(results: Figure[]): void {
  const filter = compileAccountFilter('customFields != null AND customFields.country = = UK AND (customFields.seats > 10 OR address.country == US)');
  const n = 200_000;
  const started = performance.now();
  let matched = 0;
  for (let i = 0; i < n; i++) if (filter(account)) matched++;
  const perSecond = n / ((performance.now() - started) / 1000);
  results.push({ name: `account filter evaluations (${matched === n ? 'all matched' : 'mismatch!'})`, value: Math.round(perSecond), unit: 'per s', target: '> 500,000 per s', ok: perSecond > 500_000 && matched === n });
  const compileStarted = performance.now();
  for (let i = 0; i < 2_000; i++) compileAccountFilter('customFields != null AND customFields.country = = UK OR NOT (address.country == US)');
  const compileUs = ((performance.now() - compileStarted) / 2_000) * 1000;
  results.push({ name: 'account filter parse', value: Number(compileUs.toFixed(1)), unit: 'µs', target: '< 200 µs', ok: compileUs < 200 });
}

export function runMicroBenchmarks(): Figure[] {
  const results: Figure[] = [];
  benchBuilder(results, 100, 'ITEM_PER_PRODUCT', 2);
  benchBuilder(results, 1_000, 'ITEM_PER_USAGE_BAND', 20);
  benchBuilder(results, 10_000, 'ITEM_PER_USAGE_BAND', 250);
  benchFilter(results);
  return results;
}
