#!/usr/bin/env node
import fs from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import pino from 'pino';
import { loadEnv, type Env } from '../config/env';
import { createAccount, listAccounts } from '../db/accounts';
import { createConfig, parseConfigData } from '../db/configs';
import { connectDatabase, type Db } from '../db/connect';
import { createCredential } from '../db/credentials';
import { createMapping } from '../db/mappings';
import { migrateToLatest } from '../db/migrate';
import { createOrganization } from '../db/organizations';
import { listRuns } from '../db/runs';
import { listEvents, markEventActioned } from '../db/events';
import { getSource, toSourceView } from '../db/sources';
import { createUser, listUsers } from '../db/users';
import { readSinkMessages } from '../mail/sink';
import { RUN_STATUSES, type RunStatus } from '../db/schema';
import { CredentialCipher } from '../secrets/credentialCipher';
import { cipherFromEnv } from '../secrets/cipherFromEnv';
import { reencryptCredentials } from '../secrets/rekey';
import { startStack } from '../stack';
import type { Client } from '@temporalio/client';
import { HandoffPendingError, waitForDelivery, type Handoff } from '../handoff/outbox';
import { startRelay } from '../handoff/relay';
import { connectClient } from '../temporal/client';
import { backfill, planBackfill } from '../usecases/backfill';
import { approveAndHandOff, saveAndHandOff } from '../usecases/bills';
import { connectAndWake, enableAndReset } from '../usecases/configs';
import { rerunIntegrationRun } from '../usecases/rerun';
import { connectSource, disconnectSource, nudgeSource, testSource } from '../usecases/sources';
import { formatError } from './formatError';
import { previewBill } from '../usecases/preview';
import { checkConfigWithNetSuite, ConfigNotFoundError } from '../usecases/configCheck';
import { configWarnings } from '../usecases/configWarnings';
import { NetSuiteClient } from '../netsuite/client';
import { progressBar } from './progressBar';
import { describeVerdict, quietReplayLogs, replayFile, replayFromServer } from './replay';

/**
 * `npm run -s cli -- <command>`: the service's operations from a shell. Output is JSON on stdout;
 * progress and errors go to stderr. Uses the running service's embedded parts when there are any.
 */
interface Session {
  db: Db;
  cipher: CredentialCipher;
  env: Env;
  mailDir?: string;
  /** Runs `fn` with a Temporal client and, meanwhile, an outbox relay in this process too. */
  withTemporal<T>(fn: (deps: { db: Db; temporal: Client }) => Promise<T>): Promise<T>;
}

async function withSession<T>(options: { temporal?: boolean }, fn: (session: Session) => Promise<T>): Promise<T> {
  const env = loadEnv();
  const logger = pino({ level: env.LOG_LEVEL === 'info' ? 'warn' : env.LOG_LEVEL }, pino.destination(2));
  const stack = await startStack(env, logger, { temporal: options.temporal ?? false, mail: false });
  const db = connectDatabase(stack.databaseUrl, { max: 2 });
  try {
    await migrateToLatest(db);
    const { cipher } = cipherFromEnv(env);
    return await fn({
      db,
      cipher,
      env,
      mailDir: stack.mailDir,
      async withTemporal(inner) {
        const temporal = connectClient(stack.temporalAddress, stack.temporalNamespace);
        // A running service's relay delivers the CLI's hand-offs too; this one makes sure they go
        // out now even when no service runs (the CLI then uses the embedded parts itself).
        const relay = startRelay({ db, temporal, taskQueue: env.TEMPORAL_TASK_QUEUE, failureThreshold: env.FAILURE_THRESHOLD, logger, databaseUrl: stack.databaseUrl, sweep: false, settings: { callTimeoutMs: 5_000 } });
        try {
          return await inner({ db, temporal });
        } finally {
          await relay.stop();
          await temporal.connection.close();
        }
      },
    });
  } finally {
    await db.destroy();
    await stack.stop();
  }
}

/**
 * How the hand-offs a command wrote went: delivered to Temporal now, or still queued (Temporal away),
 * in which case the service delivers them later — the change itself is stored either way.
 */
async function handedOver(db: Db, handoffs: readonly Handoff[]): Promise<{ delivered: number; queued: number; note?: string }> {
  try {
    await waitForDelivery(db, handoffs, { timeoutMs: 15_000, untilFailed: true });
    return { delivered: handoffs.length, queued: 0 };
  } catch (error) {
    if (!(error instanceof HandoffPendingError)) throw error;
    return { delivered: handoffs.length - error.pending, queued: error.pending, note: error.message };
  }
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function readJsonFile(file: string, what: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${what}: cannot read JSON from ${file} (${(error as Error).message})`);
  }
}

const orgOption = () => new Option('--org <orgId>', 'organization id (from `org create`)').env('M3TER_ORG_ID').makeOptionMandatory();

/** A whole-number option value, refused by commander (naming the option) when it is not one. */
function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('not a whole number');
  return Number(value);
}

/** `--link m3terConfigId=localConfigId …` as the source's integrationConfigLinks. */
function linksOf(pairs: readonly string[] | undefined): Record<string, string> {
  return Object.fromEntries(
    (pairs ?? []).map((pair) => {
      const [m3terId, localId, ...rest] = pair.split('=');
      if (!m3terId || !localId || rest.length > 0) throw new Error(`--link: ${pair} is not m3terConfigId=localConfigId`);
      return [m3terId, localId];
    }),
  );
}

/**
 * The m3ter service user's API secret, never a command-line argument (shell history, `ps`): the first
 * line of stdin with --api-secret-stdin, else M3TER_API_SECRET.
 */
async function apiSecretOf(fromStdin: boolean | undefined): Promise<string> {
  if (fromStdin) {
    let text = '';
    for await (const chunk of process.stdin) {
      text += String(chunk);
      if (text.includes('\n')) break;
    }
    const secret = text.split('\n')[0]!.trim();
    if (!secret) throw new Error("--api-secret-stdin: stdin held no secret; pipe the service user's API secret in, e.g. `printenv M3TER_SECRET | … --api-secret-stdin`");
    return secret;
  }
  const secret = process.env.M3TER_API_SECRET;
  if (!secret) throw new Error("the service user's API secret: set M3TER_API_SECRET, or pipe it in with --api-secret-stdin (it is never a command-line argument, which shell history and `ps` would show)");
  return secret;
}

const noSource = (orgId: string) => new Error(`no m3ter source in organization ${orgId}: connect one with \`source connect\``);

export function buildCli(): Command {
  const program = new Command('cli').description('m3ter → NetSuite bill sync').showHelpAfterError();

  const org = program.command('org').description('organizations');
  org
    .command('create')
    .requiredOption('--name <name>', 'organization name')
    .description('create an organization and its first API key (the secret is shown once)')
    .action(async ({ name }: { name: string }) => {
      await withSession({}, async ({ db }) => print(await createOrganization(db, name)));
    });

  const account = program.command('account').description('m3ter accounts (your customers)');
  account
    .command('create')
    .addOption(orgOption())
    .requiredOption('--code <code>', 'account code')
    .requiredOption('--name <name>', 'account name')
    .requiredOption('--email <email>', 'billing email address')
    .option('--currency <code>', 'ISO 4217 currency')
    .option('--custom-field <name=value...>', 'custom field, repeatable')
    .option('--country <country>', 'address country, usable in account filters')
    .action(async (o: { org: string; code: string; name: string; email: string; currency?: string; customField?: string[]; country?: string }) => {
      const customFields = Object.fromEntries((o.customField ?? []).map((pair) => pair.split(/=(.*)/s).slice(0, 2) as [string, string]));
      await withSession({}, async ({ db }) =>
        print(await createAccount(db, o.org, { code: o.code, name: o.name, emailAddress: o.email, currency: o.currency, customFields, ...(o.country ? { address: { country: o.country } } : {}) })),
      );
    });

  account
    .command('list')
    .addOption(orgOption())
    .description("the organization's accounts: id (a bill's accountId, and the externalId of its NetSuite customer), code and name")
    .action(async (o: { org: string }) => {
      await withSession({}, async ({ db }) => {
        const rows = await listAccounts(db, o.org, { offset: 0, limit: 10_000 });
        print(rows.map((a) => ({ id: a.id, code: a.code, name: a.name, emailAddress: a.emailAddress, currency: a.currency, customFields: a.customFields, address: a.address })));
      });
    });

  const credential = program.command('credential').description('NetSuite credentials (OAuth 2.0 M2M)');
  credential
    .command('create')
    .addOption(orgOption())
    .requiredOption('--account-id <id>', 'NetSuite account id, e.g. 1234567 or 1234567_SB1')
    .requiredOption('--certificate-id <id>', 'Certificate ID from the M2M Setup page')
    .requiredOption('--client-id <id>', 'Client ID of the integration record')
    .requiredOption('--private-key-file <path>', 'm3ter-key.pem, the private key the guide makes with openssl')
    .option('--name <name>', 'a label for this credential')
    .action(async (o: { org: string; accountId: string; certificateId: string; clientId: string; privateKeyFile: string; name?: string }) => {
      const privateKeyPem = fs.readFileSync(o.privateKeyFile, 'utf8');
      await withSession({}, async ({ db, cipher }) =>
        print(await createCredential(db, cipher, o.org, { accountId: o.accountId, certificateId: o.certificateId, clientId: o.clientId, privateKeyPem, name: o.name })),
      );
    });

  credential
    .command('rekey')
    .description('re-encrypt every stored private key with CREDENTIALS_ENCRYPTION_KEY (step two of a key rotation)')
    .action(async () => {
      await withSession({}, async ({ db, cipher }) => print(await reencryptCredentials(db, cipher)));
    });

  const config = program.command('config').description('NetSuite integration configurations');
  config
    .command('create')
    .addOption(orgOption())
    .requiredOption('--name <name>', 'integration name')
    .option('--config-data <json>', 'configData as JSON, e.g. \'{"netsuiteDefaultItemId":"10"}\'')
    .option('--config-file <path>', 'configData from a JSON file')
    .option('--credential <id>', 'credential to connect')
    .action(async (o: { org: string; name: string; configData?: string; configFile?: string; credential?: string }) => {
      const configData = o.configFile ? readJsonFile(o.configFile, '--config-file') : o.configData ? JSON.parse(o.configData) : {};
      await withSession({}, async ({ db }) => {
        const row = await createConfig(db, o.org, { name: o.name, configData, integrationCredentialsId: o.credential ?? null });
        const warnings = await configWarnings(db, o.org, parseConfigData(row.configData));
        for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
        print({ ...row, ...(warnings.length ? { warnings } : {}) });
      });
    });
  config
    .command('check')
    .addOption(orgOption())
    .requiredOption('--config <id>', 'integration config id')
    .option('--account <idOrCode...>', "also look up these accounts' NetSuite customers")
    .description('check with NetSuite: the connection, every configured item, the column fields and the customers of --account; exit 1 when something is missing')
    .action(async (o: { org: string; config: string; account?: string[] }) => {
      await withSession({}, async ({ db, cipher, env }) => {
        const netsuite = new NetSuiteClient({ urlTemplate: env.NETSUITE_URL_TEMPLATE });
        let check;
        try {
          check = await checkConfigWithNetSuite({ db, cipher, netsuite }, o.org, o.config, { accounts: o.account });
        } catch (error) {
          if (error instanceof ConfigNotFoundError) throw new Error(`--config: ${error.message}`);
          throw error;
        }
        print(check);
        for (const problem of check.problems) process.stderr.write(`missing: ${problem}\n`);
        if (!check.ok) process.exitCode = 1;
      });
    });
  config
    .command('connect')
    .addOption(orgOption())
    .requiredOption('--config <id>', 'integration config id')
    .option('--credential <id>', 'credential id; omit to disconnect')
    .action(async (o: { org: string; config: string; credential?: string }) => {
      await withSession({ temporal: true }, (s) =>
        s.withTemporal(async ({ db }) => {
          const connected = await connectAndWake(db, o.org, o.config, o.credential ?? null, 'cli');
          if (!connected) throw new Error(`--config: no integration config ${o.config} in this organization`);
          print({ ...connected.config, handoffs: await handedOver(db, connected.handoffs) });
        }),
      );
    });

  const bill = program.command('bill').description('bills');
  bill
    .command('put')
    .addOption(orgOption())
    .requiredOption('--file <path>', "bill JSON with m3ter's fields and lineItems (an existing id recalculates it)")
    .description('create or recalculate a bill; integrations that do not wait for approval send it')
    .action(async (o: { org: string; file: string }) => {
      const input = readJsonFile(o.file, '--file') as never;
      await withSession({ temporal: true }, (s) =>
        s.withTemporal(async ({ db }) => {
          const { bill: saved, handoffs } = await saveAndHandOff(db, o.org, input, 'cli');
          print({ id: saved.id, version: saved.version, status: saved.status, billTotal: saved.billTotal, handoffs: await handedOver(db, handoffs) });
        }),
      );
    });
  bill
    .command('approve')
    .addOption(orgOption())
    .argument('<billIds...>', 'bill ids')
    .description('approve bills, which hands each to the syncs of every NetSuite integration')
    .action(async (billIds: string[], o: { org: string }) => {
      await withSession({ temporal: true }, (s) =>
        s.withTemporal(async ({ db }) => {
          const { approved, handoffs } = await approveAndHandOff(db, o.org, billIds, 'cli');
          print({ approved, handoffs: await handedOver(db, handoffs) });
        }),
      );
    });

  const mapping = program.command('mapping').description('external mappings (m3ter entity → NetSuite record)');
  mapping
    .command('create')
    .addOption(orgOption())
    .requiredOption('--m3ter-entity <entity>', 'Account, Product, … (Currency for currencies)')
    .requiredOption('--m3ter-id <id>', 'the m3ter id (for Currency: the code, e.g. USD)')
    .requiredOption('--external-table <table>', 'Customer, Item, Currency')
    .requiredOption('--external-id <id>', 'the NetSuite internal id')
    .option('--config <id>', 'link the mapping to one integration config')
    .action(async (o: { org: string; m3terEntity: string; m3terId: string; externalTable: string; externalId: string; config?: string }) => {
      await withSession({}, async ({ db }) =>
        print(await createMapping(db, o.org, { externalSystem: 'Netsuite', externalTable: o.externalTable, externalId: o.externalId, m3terEntity: o.m3terEntity, m3terId: o.m3terId, integrationConfigId: o.config ?? null })),
      );
    });

  program
    .command('preview')
    .description('dry run: the filters, the exact invoice and every decision for one bill, without sending')
    .addOption(orgOption())
    .requiredOption('--config <id>', 'integration config id')
    .requiredOption('--bill <id>', 'bill id')
    .action(async (o: { org: string; config: string; bill: string }) => {
      await withSession({}, async ({ db }) => print(await previewBill(db, o.org, o.config, o.bill)));
    });

  const user = program.command('user').description('organization users (notification recipients)');
  user
    .command('create')
    .addOption(orgOption())
    .requiredOption('--email <email>', 'email address')
    .option('--first-name <name>')
    .option('--last-name <name>')
    .action(async (o: { org: string; email: string; firstName?: string; lastName?: string }) => {
      await withSession({}, async ({ db }) => print(await createUser(db, o.org, { email: o.email, firstName: o.firstName, lastName: o.lastName })));
    });
  user
    .command('list')
    .addOption(orgOption())
    .action(async (o: { org: string }) => {
      await withSession({}, async ({ db }) => print(await listUsers(db, o.org)));
    });

  config
    .command('enable')
    .addOption(orgOption())
    .requiredOption('--config <id>', 'integration config id')
    .description('re-enable a (possibly auto-disabled) integration; its successive-error count restarts at zero')
    .action(async (o: { org: string; config: string }) => {
      await withSession({ temporal: true }, (s) =>
        s.withTemporal(async ({ db }) => {
          const enabled = await enableAndReset(db, o.org, o.config, 'cli');
          if (!enabled) throw new Error(`--config: no integration config ${o.config} in this organization`);
          const { config } = enabled;
          print({ id: config.id, name: config.name, enabled: config.enabled, billsHeldBack: enabled.heldBack.length, handoffs: await handedOver(db, [enabled.handoff, ...enabled.heldBack]) });
        }),
      );
    });

  const events = program.command('events').description('integration events (failed runs, auto-disabling)');
  events
    .command('list')
    .addOption(orgOption())
    .option('--bill <id>', 'events of one bill')
    .option('--config <id>', 'events of one integration config')
    .option('--unresolved', 'only events not yet marked actioned')
    .action(async (o: { org: string; bill?: string; config?: string; unresolved?: boolean }) => {
      await withSession({}, async ({ db }) => print(await listEvents(db, o.org, { billId: o.bill, configId: o.config, includeActioned: !o.unresolved })));
    });
  events
    .command('action')
    .addOption(orgOption())
    .argument('<eventId>', 'event id')
    .description('mark an event actioned (resolved)')
    .action(async (eventId: string, o: { org: string }) => {
      await withSession({}, async ({ db }) => {
        const event = await markEventActioned(db, o.org, eventId, 'cli');
        if (!event) throw new Error(`no event ${eventId} in this organization`);
        print(event);
      });
    });

  program
    .command('mail')
    .description('the local mail sink (used when SMTP_URL is unset)')
    .command('list')
    .action(async () => {
      await withSession({}, async ({ env, mailDir }) => {
        if (env.SMTP_URL) throw new Error('SMTP_URL is set: mail goes to that server, not to the local sink');
        print(await readSinkMessages(mailDir ?? ''));
      });
    });

  const runs = program.command('runs').description('integration runs');
  runs
    .command('list')
    .addOption(orgOption())
    .option('--bill <id>', 'runs of one bill')
    .option('--config <id>', 'runs of one integration config')
    .addOption(new Option('--status <status>', 'only this status').choices(RUN_STATUSES as unknown as string[]))
    .action(async (o: { org: string; bill?: string; config?: string; status?: RunStatus }) => {
      await withSession({}, async ({ db }) => {
        const rows = await listRuns(db, o.org, { billId: o.bill, configId: o.config, status: o.status });
        print(rows.map(({ invoiceBody: _body, decisions: _decisions, ...run }) => run));
      });
    });

  runs
    .command('rerun')
    .addOption(orgOption())
    .argument('<runId>', 'the run to sync again (a failed one, say, once its cause is fixed)')
    .description("sync the run's bill once more, as it is now: a new run, child of this one, that updates the same NetSuite record")
    .action(async (runId: string, o: { org: string }) => {
      await withSession({ temporal: true }, (s) =>
        s.withTemporal(async ({ db }) => {
          const rerun = await rerunIntegrationRun(db, o.org, runId, 'cli');
          if (!rerun) throw new Error(`<runId>: no integration run ${runId} in this organization (npx m3ter-netsuite runs list --org ${o.org})`);
          print({ workflowId: rerun.workflowId, handoffs: await handedOver(db, rerun.handoffs) });
        }),
      );
    });

  const source = program.command('source').description('the m3ter organization the service mirrors bills, accounts and external mappings from');
  source
    .command('connect')
    .description("connect (or reconnect, with new settings) the organization's m3ter source and start its mirror; the API secret comes from M3TER_API_SECRET or stdin, never the command line")
    .addOption(orgOption())
    .requiredOption('--m3ter-org <id>', 'the m3ter organization id to mirror (m3ter console: Settings → Organization)')
    .requiredOption('--api-key <key>', "the m3ter service user's access key id")
    .option('--api-secret-stdin', "read the service user's API secret from the first line of stdin instead of M3TER_API_SECRET")
    .option('--base-url <url>', "m3ter's API, one the operator allows (M3TER_ALLOWED_BASE_URLS); default https://api.m3ter.com")
    .option('--interval <seconds>', 'seconds between mirror passes (default 300)', wholeNumber)
    .option('--window <days>', 'mirror bills dated this many days back and later (default 90)', wholeNumber)
    .option('--page-size <n>', 'items per m3ter page, 1–100 (default 100)', wholeNumber)
    .option('--link <m3terConfigId=localConfigId...>', 'mirror mappings linked to this m3ter integration config, linked to this local one; repeatable')
    .action(
      async (o: { org: string; m3terOrg: string; apiKey: string; apiSecretStdin?: boolean; baseUrl?: string; interval?: number; window?: number; pageSize?: number; link?: string[] }) => {
        const integrationConfigLinks = linksOf(o.link);
        const apiSecret = await apiSecretOf(o.apiSecretStdin);
        const input = { m3terOrgId: o.m3terOrg, apiKey: o.apiKey, apiSecret, baseUrl: o.baseUrl, intervalSeconds: o.interval, windowDays: o.window, pageSize: o.pageSize, integrationConfigLinks };
        await withSession({ temporal: true }, (s) =>
          s.withTemporal(async ({ db }) => {
            const connected = await connectSource(db, s.cipher, o.org, input, { actor: 'cli', allowedBaseUrls: s.env.M3TER_ALLOWED_BASE_URLS });
            print({ ...connected.source, handoffs: await handedOver(db, [connected.handoff]) });
          }),
        );
      },
    );
  source
    .command('show')
    .description('the source and its latest pass: passesCompleted, lastPass (counts, conflicts), lastError; never the secret')
    .addOption(orgOption())
    .action(async (o: { org: string }) => {
      await withSession({}, async ({ db }) => {
        const row = await getSource(db, o.org);
        if (!row) throw noSource(o.org);
        print(toSourceView(row));
      });
    });
  source
    .command('test')
    .description("check that the source can read what the mirror reads: a token for the service user, then one account, external mapping and bill (exit 1 with m3ter's reason when not)")
    .addOption(orgOption())
    .action(async (o: { org: string }) => {
      await withSession({}, async ({ db, cipher }) => {
        const row = await getSource(db, o.org);
        if (!row) throw noSource(o.org);
        const result = await testSource(row, cipher);
        print(result);
        if (!result.ok) {
          process.stderr.write(`error: ${result.message}\n`);
          process.exitCode = 1;
        }
      });
    });
  source
    .command('nudge')
    .description('run a mirror pass now (after the one in progress, if any)')
    .addOption(orgOption())
    .action(async (o: { org: string }) => {
      await withSession({ temporal: true }, (s) =>
        s.withTemporal(async ({ db }) => {
          const handoff = await nudgeSource(db, o.org, 'cli', { fromWebhook: false });
          if (!handoff) throw noSource(o.org);
          print({ message: 'a mirror pass starts now (after the one in progress, if any)', handoffs: await handedOver(db, [handoff]) });
        }),
      );
    });
  source
    .command('disconnect')
    .description('stop the mirror and forget the source; what it mirrored stays, as local rows you may change')
    .addOption(orgOption())
    .action(async (o: { org: string }) => {
      await withSession({ temporal: true }, (s) =>
        s.withTemporal(async ({ db }) => {
          const disconnected = await disconnectSource(db, o.org, 'cli');
          if (!disconnected) throw noSource(o.org);
          print({ ...disconnected.source, handoffs: await handedOver(db, [disconnected.handoff]) });
        }),
      );
    });

  program
    .command('backfill')
    .description('(re)sync every bill of a period, by bill date, for one integration config: a progress bar on stderr, a summary as JSON (exit 1 if a sync failed)')
    .addOption(orgOption())
    .requiredOption('--config <id>', 'integration config id')
    .requiredOption('--from <date>', 'first bill date of the period, YYYY-MM-DD')
    .requiredOption('--to <date>', 'last bill date of the period (included), YYYY-MM-DD')
    .option('--dry-run', 'list the bills and what a sync of each would do now; start nothing')
    .option('--concurrency <n>', 'syncs in flight at once', Number, 10)
    .action(async (o: { org: string; config: string; from: string; to: string; dryRun?: boolean; concurrency: number }) => {
      const bar = progressBar(o.dryRun ? 'planning' : 'syncing');
      const request = { organizationId: o.org, configId: o.config, period: { from: o.from, to: o.to }, concurrency: o.concurrency, onProgress: bar.update };
      const summary = await withSession({ temporal: !o.dryRun }, (s) => (o.dryRun ? planBackfill(s.db, request) : s.withTemporal((deps) => backfill(deps, request)))).finally(() => bar.stop());
      print(summary);
      if (summary.failures.length > 0) process.exitCode = 1;
    });

  program
    .command('replay')
    .description("replay a workflow history against this build's workflow code: ok, or the event the code no longer agrees with (exit 1)")
    .option('--workflow-id <id>', 'fetch the history from the Temporal server, e.g. bill-sync/{configId}/{billId} (with --file: only its name in the verdict)')
    .option('--run-id <id>', 'with --workflow-id: this run instead of the latest')
    .option('--file <path>', 'a history written by `temporal workflow show --workflow-id <id> --output json`')
    .action(async (o: { workflowId?: string; runId?: string; file?: string }) => {
      if (!o.workflowId && !o.file) throw new Error('replay: give --workflow-id (the history from the server) or --file (a JSON history)');
      if (o.runId && (o.file || !o.workflowId)) throw new Error('--run-id: only with --workflow-id, for a history from the server');
      quietReplayLogs();
      const verdict = o.file
        ? await replayFile(o.file, o.workflowId)
        : await withSession({ temporal: true }, (s) => s.withTemporal(({ temporal }) => replayFromServer(temporal, o.workflowId!, o.runId)));
      print(verdict);
      process.stderr.write(`${describeVerdict(verdict)}\n`);
      if (!verdict.ok) process.exitCode = 1;
    });

  return program;
}

if (require.main === module) {
  buildCli()
    .parseAsync(process.argv)
    .catch((error: unknown) => {
      process.stderr.write(`error: ${formatError(error)}\n`);
      process.exitCode = 1;
    });
}
