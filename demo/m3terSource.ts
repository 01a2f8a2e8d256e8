import type { Logger } from 'pino';
import { approveBills, saveBill } from '../db/bills';
import { listRuns } from '../db/runs';
import { createOrganization } from '../db/organizations';
import { getSource, toSourceView, type SourceView } from '../db/sources';
import type { MirrorPassSummary } from '../domain/mirror';
import type { AdminClient } from '../emulator/adminClient';
import { waitForDelivery } from '../handoff/outbox';
import { connectSource, disconnectSource } from '../usecases/sources';
import type { RunningService } from '../worker/service';
import { ensureDatabase } from './database';
import { startM3terSide, type M3terSide } from './m3terSide';
import { sampleBill } from './sampleBills';
import { seedCustomer } from './seed';

/** The second instance's database, on the service's PostgreSQL. */
const M3TER_DATABASE = 'demo_m3ter';

export interface M3terDemo {
  m3ter: M3terSide;
  /** The organization on the m3ter side, with the service user's key and secret the source uses. */
  remote: { orgId: string; apiKey: string; apiSecret: string };
  /**
   * The customers and their bills made in m3ter, approved there by finance, then the local
   * organization connected to m3ter as its source: resolves once the mirror has brought every bill
   * and each one's invoice is in NetSuite.
   */
  billsThroughMirror(args: { orgId: string; netsuiteAccountId: string; customers: readonly { code: string; name: string; usageUnits: number }[] }): Promise<{ billIds: string[]; accountIds: string[]; source: SourceView }>;
  /** A bill calculated in m3ter and left PENDING there, for `--keep`. */
  pendingBill(accountId: string, options: { month: string; usageUnits: number }): Promise<string>;
  /** Disconnects the source (its mirror ends; the copies stay) and stops the m3ter side. */
  stop(): Promise<void>;
}

/**
 * `npm run demo -- --m3ter-source`: the bills come from "m3ter" — a second instance of this service
 * (demo/m3terSide.ts) over a database of its own, whose m3ter-compatible API the source reads as it
 * would read api.m3ter.com.
 */
export async function startM3terDemo(args: { service: RunningService; admin: AdminClient; logger: Logger; allowedBaseUrls: readonly string[]; say(line?: string): void }): Promise<M3terDemo> {
  const { service, admin, say } = args;
  const m3ter = await startM3terSide({ databaseUrl: await ensureDatabase(service.stack.databaseUrl, M3TER_DATABASE), logger: args.logger });
  let connectedOrgId: string | undefined;
  try {
    const remote = await createOrganization(m3ter.db, 'Demo m3ter organization');
    say(`m3ter: ${m3ter.url} (a second instance of this service, database ${M3TER_DATABASE}), organization ${remote.orgId}`);
    return {
      m3ter,
      remote,
      async billsThroughMirror({ orgId, netsuiteAccountId, customers }) {
        const billIds: string[] = [];
        const accountIds: string[] = [];
        // This month's bills: inside the source's default 90-day window whatever the date.
        const month = new Date().toISOString().slice(0, 7);
        for (const customer of customers) {
          // The customer is m3ter's; NetSuite knows it by the m3ter account id, which the mirror keeps.
          const { account } = await seedCustomer({ db: m3ter.db, emulator: admin, orgId: remote.orgId, netsuiteAccountId, account: { code: customer.code, name: customer.name } });
          const bill = await saveBill(m3ter.db, remote.orgId, sampleBill(account.id, { month, usageUnits: customer.usageUnits }));
          billIds.push(bill.id);
          accountIds.push(account.id);
        }
        await approveBills(m3ter.db, remote.orgId, billIds, 'finance@m3ter.demo');
        say(`${billIds.length} customers and their bills made in m3ter, the bills approved there by finance.`);

        const { source, handoff } = await connectSource(
          service.db,
          service.cipher,
          orgId,
          { m3terOrgId: remote.orgId, baseUrl: m3ter.url, apiKey: remote.apiKey, apiSecret: remote.apiSecret },
          // The same allow-list the service's passes check (demo/main.ts sets it to this host's ports).
          { actor: 'demo', allowedBaseUrls: args.allowedBaseUrls },
        );
        connectedOrgId = orgId;
        await waitForDelivery(service.db, [handoff]);
        say(`Source ${source.id} connected to m3ter organization ${remote.orgId} (a pass every ${source.intervalSeconds} s, bills of the last ${source.windowDays} days); its first pass runs now…`);

        await until(
          async () => {
            const invoices = await admin.listInvoices(netsuiteAccountId);
            const runs = await Promise.all(billIds.map((billId) => listRuns(service.db, orgId, { billId })));
            return invoices.length >= billIds.length && runs.every((r) => r.some((run) => run.status === 'COMPLETE'));
          },
          async () => {
            const row = await getSource(service.db, orgId);
            return `the ${billIds.length} invoices in NetSuite (source: passes ${row?.passesCompleted ?? '?'}, last error ${row?.lastError ?? 'none'}, conflicts ${JSON.stringify(row?.lastPass?.conflicts ?? [])})`;
          },
        );
        // The syncs may finish before the pass has looked for deletions and recorded itself.
        const row = await until(async () => {
          const current = await getSource(service.db, orgId);
          return current && current.passesCompleted >= 1 ? current : undefined;
        }, async () => 'the first mirror pass to complete');
        return { billIds, accountIds, source: toSourceView(row) };
      },
      async pendingBill(accountId, options) {
        return (await saveBill(m3ter.db, remote.orgId, sampleBill(accountId, options))).id;
      },
      async stop() {
        // The mirror must not outlive the demo: its m3ter is gone after it, and the mirror would retry
        // a dead URL from the persisted Temporal dev server on every later start.
        if (connectedOrgId) {
          const disconnected = await disconnectSource(service.db, connectedOrgId, 'demo').catch(() => undefined);
          if (disconnected) await waitForDelivery(service.db, [disconnected.handoff], { timeoutMs: 15_000 }).catch(() => undefined);
        }
        await m3ter.close();
      },
    };
  } catch (error) {
    await m3ter.close();
    throw error;
  }
}

/** The pass's summary as a few lines: what it read from m3ter, what changed here, what it could not take. */
export function describePass(summary: MirrorPassSummary): string[] {
  const counts = (c: { created: number; updated: number; deleted: number; skipped: number }) => `${c.created} created, ${c.updated} updated, ${c.deleted} deleted, ${c.skipped} skipped`;
  return [
    `pass ${summary.pass}: ${summary.pages} pages, ${summary.requests} m3ter API requests, bill dates ${summary.billDateStart} to ${summary.billDateEnd} (exclusive)`,
    `accounts  ${counts(summary.accounts)}`,
    `mappings  ${counts(summary.mappings)}`,
    `bills     ${counts(summary.bills)}; ${summary.bills.approved} approved, ${summary.bills.reopened} reopened, ${summary.bills.locked} locked`,
    `conflicts ${summary.conflicts.length ? summary.conflicts.join('; ') : 'none'}`,
  ];
}

/** Polls `read` until it returns something truthy; after `timeoutMs`, fails naming what it waited for. */
async function until<T>(read: () => Promise<T>, what: () => Promise<string>, timeoutMs = 180_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs / 1000} s for ${await what()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
