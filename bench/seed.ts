import crypto from 'node:crypto';
import path from 'node:path';
import { sql } from 'kysely';
import { createAccount } from '../db/accounts';
import { saveBill } from '../db/bills';
import type { Db } from '../db/connect';
import { generateKeyPair } from '../demo/keyPair';
import { sampleBill } from '../demo/sampleBills';
import { seedIntegration, type SeededIntegration } from '../demo/seed';
import type { BenchStack } from './stack';

export interface SeededBurst {
  integration: SeededIntegration;
  billIds: string[];
}

const CUSTOMERS = 50;
let accounts = 0;

/**
 * A month end waiting to happen: an integration on its own NetSuite account (latency L, limit C, and
 * the credential's concurrencyLimit C), 50 customers and N calculated bills, stored but not yet
 * approved. The integration sends bills only once they are approved, as month-end runs do.
 */
export async function seedBurst(stack: BenchStack, options: { bills: number; latencyMs: number; concurrency: number }): Promise<SeededBurst> {
  const netsuiteAccountId = String(7_700_000 + ++accounts + Math.floor(Math.random() * 1000) * 100);
  const keyPair = await generateKeyPair({ dir: path.join(stack.tmpDir, 'keys', netsuiteAccountId), kind: 'ec256' });
  const integration = await seedIntegration({
    db: stack.db,
    cipher: stack.cipher,
    emulator: stack.emulator.admin,
    keyPair,
    netsuiteAccountId,
    orgName: `Bench ${netsuiteAccountId}`,
    configData: { onlySendBillOnApproval: true },
  });
  await stack.emulator.admin.updateSettings(netsuiteAccountId, { latencyMs: options.latencyMs, concurrencyLimit: options.concurrency });
  await stack.db.updateTable('netsuiteCredential').set({ concurrencyLimit: options.concurrency }).where('id', '=', integration.credentialId).execute();

  const customers = await Promise.all(
    Array.from({ length: CUSTOMERS }, async (_, i) => {
      const account = await createAccount(stack.db, integration.orgId, { code: `C${i}-${crypto.randomUUID().slice(0, 8)}`, name: `Customer ${i}`, emailAddress: `c${i}@example.com` });
      await stack.emulator.admin.addCustomer({ accountId: netsuiteAccountId, externalId: account.id, name: account.name });
      return account.id;
    }),
  );
  const billIds = Array.from({ length: options.bills }, () => crypto.randomUUID());
  // Ten at a time: each bill is one transaction.
  for (let start = 0; start < billIds.length; start += 10) {
    await Promise.all(
      billIds.slice(start, start + 10).map((id, offset) => saveBill(stack.db, integration.orgId, { ...sampleBill(customers[(start + offset) % CUSTOMERS]!, { usageUnits: 900_000 + start + offset }), id })),
    );
  }
  await settleDatabase(stack.db);
  return { integration, billIds };
}

/**
 * Vacuums, analyzes and checkpoints after writing a burst's data: that aftermath would otherwise land
 * in whichever burst's window comes next and be counted as that path's CPU (it moved the direct
 * pipeline's PostgreSQL figure between 3.7 and 13.7 ms per bill on identical code).
 */
export async function settleDatabase(db: Db): Promise<void> {
  await sql`vacuum analyze`.execute(db);
  await sql`checkpoint`.execute(db);
}
