import fs from 'node:fs';
import path from 'node:path';
import { loadEnv } from '../config/env';
import { createLogger } from '../config/logger';
import { listRuns } from '../db/runs';
import type { SourceView } from '../db/sources';
import { AdminClient } from '../emulator/adminClient';
import { waitForSyncs } from '../handoff/syncs';
import { m3terMirrorWorkflowId } from '../temporal/contract';
import { approveAndHandOff, saveAndHandOff } from '../usecases/bills';
import { startService, type RunningService } from '../worker/service';
import { spawnEmulator } from './emulatorProcess';
import { generateKeyPair, type GeneratedKeyPair } from './keyPair';
import { describePass, startM3terDemo, type M3terDemo } from './m3terSource';
import { sampleBill } from './sampleBills';
import { seedCustomer, seedIntegration } from './seed';

const NETSUITE_ACCOUNT = '1234567_SB1';
const CUSTOMERS = [
  { code: 'ACME', name: 'Acme Corp', usageUnits: 1_250_000 },
  { code: 'GLOBEX', name: 'Globex Ltd', usageUnits: 400_000 },
  { code: 'INITECH', name: 'Initech Inc', usageUnits: 2_600_000 },
];

/**
 * `npm run demo`: the whole service on its embedded defaults plus the NetSuite emulator, walked
 * through the guide — key pair and certificate, credential, integration — then three bills approved
 * and what NetSuite received. `--keep` leaves everything running to explore the Temporal UI.
 * `--m3ter-source`: the same, but the customers and bills are made and approved in "m3ter" (a second
 * instance of the service, demo/m3terSide.ts) and reach this one through an m3ter source's mirror.
 */
async function main(): Promise<void> {
  const keep = process.argv.includes('--keep');
  const fromM3ter = process.argv.includes('--m3ter-source');
  const emulator = await spawnEmulator();
  // With --m3ter-source the service must be allowed to call the local "m3ter" (at every pass, not only
  // at connect), whose port is chosen when it starts: any port of this host.
  const env = loadEnv({ ...process.env, NETSUITE_URL_TEMPLATE: `${emulator.url}/{account}`, ...(fromM3ter ? { M3TER_ALLOWED_BASE_URLS: 'http://127.0.0.1:*' } : {}) });
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn' });
  const say = (line = '') => process.stdout.write(`${line}\n`);

  say(`NetSuite emulator: ${emulator.url}`);
  say('Starting the service (embedded PostgreSQL and Temporal dev server on first use)…');
  const service = await startService(env, logger);
  let m3terDemo: M3terDemo | undefined;
  try {
    say(`Service ready: ${service.url}/health, Temporal UI ${service.stack.temporalUiUrl ?? '(external Temporal)'}`);
    const keyPair = await demoKeyPair(path.join(env.dataDir, 'demo'));
    say(`Key pair and certificate as the guide makes them: ${keyPair.certificatePath}`);

    const admin = new AdminClient(emulator.url);
    const seeded = await seedIntegration({
      db: service.db,
      cipher: service.cipher,
      emulator: admin,
      keyPair,
      netsuiteAccountId: NETSUITE_ACCOUNT,
      orgName: 'Demo organization',
      configData: { onlySendBillOnApproval: true, netsuiteSendDueDate: true, netsuiteItemMapping: { STANDING_CHARGE: '20', USAGE: '30' } },
    });
    say(`Organization ${seeded.orgId}, integration ${seeded.configId} connected to NetSuite account ${NETSUITE_ACCOUNT}`);

    let billIds: string[] = [];
    let accountIds: string[] = [];
    let mirrored: SourceView | undefined;
    if (fromM3ter) {
      m3terDemo = await startM3terDemo({ service, admin, logger, allowedBaseUrls: env.M3TER_ALLOWED_BASE_URLS, say });
      ({ billIds, accountIds, source: mirrored } = await m3terDemo.billsThroughMirror({ orgId: seeded.orgId, netsuiteAccountId: NETSUITE_ACCOUNT, customers: CUSTOMERS }));
    } else {
      for (const customer of CUSTOMERS) {
        const { account } = await seedCustomer({ db: service.db, emulator: admin, orgId: seeded.orgId, netsuiteAccountId: NETSUITE_ACCOUNT, account: { code: customer.code, name: customer.name } });
        const { bill } = await saveAndHandOff(service.db, seeded.orgId, sampleBill(account.id, { usageUnits: customer.usageUnits }), 'demo');
        billIds.push(bill.id);
        accountIds.push(account.id);
      }
      say(`${billIds.length} bills calculated; the integration waits for approval. Approving them…`);
      const { handoffs } = await approveAndHandOff(service.db, seeded.orgId, billIds, 'demo');
      await waitForSyncs(service, handoffs);
    }

    say('\nWhat arrived in NetSuite:');
    for (const invoice of await admin.listInvoices(NETSUITE_ACCOUNT)) {
      say(`  invoice ${invoice.id}  externalId ${invoice.externalId}  customer ${invoice.entity.refName ?? invoice.entity.id}  total ${invoice.total.toFixed(2)}  lines ${invoice.item.totalResults}`);
    }
    say('\nIntegration runs:');
    for (const billId of billIds) {
      for (const run of await listRuns(service.db, seeded.orgId, { billId })) {
        const ui = service.stack.temporalUiUrl ? `${service.stack.temporalUiUrl}/namespaces/${env.TEMPORAL_NAMESPACE}/workflows/${encodeURIComponent(run.workflowId)}/${run.workflowRunId}` : run.workflowId;
        say(`  bill ${billId}  ${run.status.padEnd(8)}  NetSuite id ${run.externalId ?? '-'}  ${ui}`);
      }
    }
    if (mirrored?.lastPass) {
      const workflowId = m3terMirrorWorkflowId(mirrored.id);
      const ui = service.stack.temporalUiUrl ? `${service.stack.temporalUiUrl}/namespaces/${env.TEMPORAL_NAMESPACE}/workflows/${encodeURIComponent(workflowId)}` : workflowId;
      say(`\nThe m3ter source's last pass (its mirror: ${ui}):`);
      for (const line of describePass(mirrored.lastPass)) say(`  ${line}`);
    }
    if (!keep && m3terDemo) {
      say('\nEverything stops now; the source is disconnected first, its copies stay as local rows. `npm run demo -- --m3ter-source --keep` keeps it running.');
      return;
    }
    if (keep && m3terDemo) {
      await keepRunningFromM3ter({ service, emulatorUrl: emulator.url, m3terDemo, seeded, accountId: accountIds[0]!, say });
      return;
    }
    if (!keep) {
      say('\nEverything stops now. `npm run demo -- --keep` keeps it running, with the console to sign in to and a bill left to approve.');
      return;
    }
    // A bill of next month left for the user to approve on the Bills screen.
    const { bill: pending } = await saveAndHandOff(service.db, seeded.orgId, sampleBill(accountIds[0]!, { month: '2026-11', usageUnits: 900_000 }), 'demo');
    const template = `${emulator.url}/{account}`;
    say('\n--keep: everything keeps running until Ctrl-C. Open:');
    say(`  Console        ${service.url}/console   (sign in below; Bills shows one bill of ${CUSTOMERS[0]!.code} to approve)`);
    // Shown once, as at any organization's creation: the demo's own key, for the console and the API.
    saySignIn(say, seeded);
    say(`  API docs       ${service.url}/docs`);
    say(`  Temporal UI    ${service.stack.temporalUiUrl ?? '(external Temporal)'}`);
    say(`  NetSuite       ${emulator.url} (the emulator: npx m3ter-netsuite-emulator invoices --account ${NETSUITE_ACCOUNT} --url ${emulator.url})`);
    say('In another terminal:');
    say(`  export M3TER_ORG_ID=${seeded.orgId} NETSUITE_URL_TEMPLATE='${template}'`);
    say(`  npx m3ter-netsuite config check --config ${seeded.configId} --account ${CUSTOMERS.map((c) => c.code).join(' ')}`);
    say(`  npx m3ter-netsuite bill approve ${pending.id}`);
    say('  npx m3ter-netsuite runs list');
    await untilStopped();
  } finally {
    await m3terDemo?.stop();
    await service.stop();
    await emulator.stop();
  }
}

/** `--m3ter-source --keep`: a bill left to approve in m3ter, and where to watch the mirror bring it. */
async function keepRunningFromM3ter(args: {
  service: RunningService;
  emulatorUrl: string;
  m3terDemo: M3terDemo;
  seeded: { orgId: string; apiKey: string; apiSecret: string };
  accountId: string;
  say(line?: string): void;
}): Promise<void> {
  const { service, m3terDemo, seeded, say } = args;
  const { m3ter, remote } = m3terDemo;
  const pending = await m3terDemo.pendingBill(args.accountId, { month: nextMonthOf(new Date()), usageUnits: 900_000 });
  say('\n--keep: everything keeps running until Ctrl-C. Open:');
  say(`  Console        ${service.url}/console   (the mirrored bills, read-only here: m3ter owns them)`);
  saySignIn(say, seeded);
  say(`  m3ter          ${m3ter.url}/console   (the second instance; Bills has bill ${pending} of ${CUSTOMERS[0]!.code} to approve)`);
  saySignIn(say, remote);
  say(`  API docs       ${service.url}/docs`);
  say(`  Temporal UI    ${service.stack.temporalUiUrl ?? '(external Temporal)'}`);
  say(`  NetSuite       ${args.emulatorUrl} (the emulator: npx m3ter-netsuite-emulator invoices --account ${NETSUITE_ACCOUNT} --url ${args.emulatorUrl})`);
  say('Approve the bill in m3ter: the mirror brings it within its interval (300 s), or at once after a nudge. In another terminal:');
  say(`  export M3TER_ORG_ID=${seeded.orgId}`);
  say('  npx m3ter-netsuite source nudge');
  say('  npx m3ter-netsuite source show');
  say('  npx m3ter-netsuite runs list');
  await untilStopped();
}

function nextMonthOf(date: Date): string {
  const next = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1));
  return next.toISOString().slice(0, 7);
}

/** The lines a console sign-in takes: organization id, API key and secret. */
function saySignIn(say: (line?: string) => void, org: { orgId: string; apiKey: string; apiSecret: string }): void {
  say(`    Organization id  ${org.orgId}`);
  say(`    API key          ${org.apiKey}`);
  say(`    API secret       ${org.apiSecret}`);
}

/** Until Ctrl-C (or a SIGTERM). */
function untilStopped(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}

async function demoKeyPair(dir: string): Promise<GeneratedKeyPair> {
  const privateKeyPath = path.join(dir, 'm3ter-key.pem');
  const certificatePath = path.join(dir, 'm3ter-cert.pem');
  if (fs.existsSync(privateKeyPath) && fs.existsSync(certificatePath)) {
    return { privateKeyPath, certificatePath, privateKeyPem: fs.readFileSync(privateKeyPath, 'utf8'), certificatePem: fs.readFileSync(certificatePath, 'utf8') };
  }
  fs.mkdirSync(dir, { recursive: true });
  return generateKeyPair({ dir });
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`demo failed: ${error.name}: ${error.message}\n`);
    process.exit(1);
  },
);
