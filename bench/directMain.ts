import crypto from 'node:crypto';
import readline from 'node:readline';
import { ApplicationFailure } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import pino from 'pino';
import { createActivities, type ActivityDeps } from '../activities';
import { loadEnv } from '../config/env';
import { createLogger } from '../config/logger';
import { approveBills } from '../db/bills';
import { failureKindOf } from '../domain/failure';
import { connectDatabase } from '../db/connect';
import { throttlingFromEnv } from '../netsuite/throttling';
import { cipherFromEnv } from '../secrets/cipherFromEnv';
import { assembleActivityDeps } from '../worker/activityDeps';

/**
 * The bill-sync pipeline without Temporal, as its own process: the same activity functions called one
 * after the other as plain async calls, with the same database pool, NetSuite client, PostgreSQL
 * concurrency gate and retry delays as the worker. Reads {orgId, configId, billIds, concurrency} on
 * stdin, prints "ready", waits for "go", approves the bills and syncs them, and prints {startedAt}.
 */
interface DirectInput {
  orgId: string;
  configId: string;
  billIds: string[];
  concurrency: number;
}

// Temporal's failure counter and email are not part of the measured pipeline; reaching for them here is a bug.
const notWithoutTemporal = new Proxy({}, { get: (_target, key) => { throw new Error(`${String(key)}: not available without Temporal`); } });

async function main(): Promise<void> {
  const lines = readline.createInterface({ input: process.stdin });
  const next = () => new Promise<string>((resolve) => lines.once('line', resolve));
  const input = JSON.parse(await next()) as DirectInput;

  const env = loadEnv();
  const db = connectDatabase(env.DATABASE_URL!);
  const { cipher } = cipherFromEnv(env);
  // The worker's NetSuite path (gate with LISTEN, token cache, proven credentials), the same retry delays.
  const { deps, gate } = assembleActivityDeps({
    db,
    databaseUrl: env.DATABASE_URL,
    netsuiteUrlTemplate: env.NETSUITE_URL_TEMPLATE,
    throttling: throttlingFromEnv(env),
    cipher,
    // Like the worker: a line per finished run (on stderr, stdout carries the handshake).
    logger: createLogger({ level: env.LOG_LEVEL, destination: pino.destination(2) }),
    temporal: notWithoutTemporal as ActivityDeps['temporal'],
    taskQueue: 'none',
    mailer: notWithoutTemporal as ActivityDeps['mailer'],
    failureThreshold: env.FAILURE_THRESHOLD,
  });
  const activities = createActivities(deps);
  const sdkLogger = new DefaultLogger('WARN');

  /** One step, retried as Temporal would: after the delay the activity asked for, with the attempt counted. */
  async function step<A, R>(fn: (arg: A) => Promise<R>, arg: A): Promise<R> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await new MockActivityEnvironment({ attempt }, { logger: sdkLogger }).run(fn, arg);
      } catch (error) {
        // The activity decides when to give up (netsuite/throttling.ts), as under Temporal.
        if (!(error instanceof ApplicationFailure) || error.nonRetryable) throw error;
        await new Promise((resolve) => setTimeout(resolve, error.nextRetryDelay ? msToNumber(error.nextRetryDelay) : 1000));
      }
    }
  }

  /** What the workflow does for a bill sent at once: prepare, then the quick send, which records COMPLETE. */
  async function syncBill(billId: string): Promise<void> {
    const runId = crypto.randomUUID();
    const prepared = await step(activities.prepareRun, { runId, organizationId: input.orgId, configId: input.configId, billId, trigger: 'approved', workflowId: `direct/${billId}`, workflowRunId: runId, handoffIds: [], unidentified: true });
    if (!prepared.started || !('built' in prepared)) throw new Error(`bill ${billId}: not sent (${prepared.started ? prepared.verdict.reason : 'not started'})`);
    if (!prepared.built.ok) throw new Error(`bill ${billId}: ${prepared.built.reason}`);
    const failed = (error: unknown) => step(activities.finishRun, { runId, status: 'ERROR', reason: (error as Error).message, failure: failureKindOf((error as { type?: string }).type) });
    try {
      await new MockActivityEnvironment({ attempt: 1 }, { logger: sdkLogger }).run(activities.sendInvoiceNow, { runId });
      return;
    } catch (error) {
      if (error instanceof ApplicationFailure && error.nonRetryable) return void (await failed(error));
    }
    // Deferred, as the workflow would: the scheduled send with its retries, then the record.
    try {
      const posted = await step(activities.postInvoice, { runId });
      await step(activities.finishRun, { runId, status: 'COMPLETE', netsuiteId: posted.netsuiteId, url: posted.url });
    } catch (error) {
      await failed(error);
    }
  }

  process.stdout.write('ready\n');
  await next();
  const startedAt = Date.now();
  await approveBills(db, input.orgId, input.billIds, 'bench');
  // A fixed number of bills in flight, like a worker's activity slots.
  let index = 0;
  await Promise.all(
    Array.from({ length: input.concurrency }, async () => {
      while (index < input.billIds.length) await syncBill(input.billIds[index++]!);
    }),
  );
  process.stdout.write(`${JSON.stringify({ startedAt, finishedAt: Date.now() })}\n`);
  lines.close();
  await gate.close();
  await db.destroy();
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exit(1);
});
