import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { projectDir } from '../stack/projectDir';
import { freePort } from '../stack/freePort';
import { SEARCH_ATTRIBUTES } from '../temporal/contract';

const run = promisify(execFile);

/**
 * The real Temporal server (built from the Go module proxy by bench/temporal/build.sh into
 * .tools/temporal-server/) on PostgreSQL with several history shards, as docker-compose.yml runs
 * `temporalio/server` — instead of the dev server's single shard on SQLite. Its schemas go into the
 * benchmark's own embedded PostgreSQL, next to the service's database, as in the compose file.
 */
export interface ProductionServerOptions {
  /** postgres://user:password@host:port/... of the embedded PostgreSQL. */
  databaseUrl: string;
  dataDir: string;
  /** docker-compose.yml sets NUM_HISTORY_SHARDS to 8. */
  historyShards: number;
  cliPath: string;
}

export async function startProductionServer(options: ProductionServerOptions) {
  const tools = path.join(projectDir(), '.tools', 'temporal-server');
  const binary = path.join(tools, 'bin', 'server');
  if (!fs.existsSync(binary)) throw new Error(`${binary} is missing: run bash bench/temporal/build.sh first (builds Temporal v1.28.1 with Go)`);
  const db = new URL(options.databaseUrl);
  const sqlArgs = ['--plugin', 'postgres12', '--ep', db.hostname, '-p', db.port, '-u', decodeURIComponent(db.username), '--pw', decodeURIComponent(db.password)];
  for (const [database, schema] of [
    ['temporal', 'temporal'],
    ['temporal_visibility', 'visibility'],
  ] as const) {
    await run(path.join(tools, 'bin', 'sql'), [...sqlArgs, '--db', database, 'create-database']);
    await run(path.join(tools, 'bin', 'sql'), [...sqlArgs, '--db', database, 'setup-schema', '-v', '0.0']);
    await run(path.join(tools, 'bin', 'sql'), [...sqlArgs, '--db', database, 'update-schema', '-d', path.join(tools, 'schema', 'postgresql', 'v12', schema, 'versioned')]);
  }

  const ports: Ports = { metrics: await freePort() };
  for (const name of SERVICES) ports[name] = { grpc: await freePort(), membership: await freeSmallPort() };
  const root = path.join(options.dataDir, 'temporal-server');
  fs.mkdirSync(path.join(root, 'config', 'dynamicconfig'), { recursive: true });
  // No dynamic config: the server's production defaults.
  const dynamicConfigPath = path.join(root, 'config', 'dynamicconfig', 'production.yaml');
  fs.writeFileSync(dynamicConfigPath, '{}\n');
  fs.writeFileSync(path.join(root, 'config', 'production.yaml'), serverConfig({ db, ports, shards: options.historyShards, dynamicConfigPath }));
  const child = spawn(binary, ['--root', root, '--config', 'config', '--env', 'production', '--allow-no-auth', 'start'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const address = `127.0.0.1:${ports.frontend!.grpc}`;
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    await waitForFrontend(address, () => (child.exitCode === null ? undefined : output));
    const cli = (...args: string[]) => run(options.cliPath, [...args, '--address', address]);
    await cli('operator', 'namespace', 'create', '--namespace', 'default', '--retention', '3d');
    for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) await cli('operator', 'search-attribute', 'create', '--namespace', 'default', '--name', name, '--type', type);
    await waitForNamespace(address);
  } catch (error) {
    await stop();
    throw error;
  }
  return { address, pid: child.pid ?? -1, metricsUrl: `http://127.0.0.1:${ports.metrics}/metrics`, stop };
}

/** Membership ports are stored as PostgreSQL smallints, so below 32768 (the OS hands out higher ones). */
async function freeSmallPort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

async function waitForFrontend(address: string, exitedWith: () => string | undefined): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const exited = exitedWith();
    if (exited !== undefined) throw new Error(`the Temporal server exited: ${exited}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`the Temporal server at ${address} did not answer in 120 s: ${String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/** Namespaces and search attributes reach every service through caches: wait until the namespace answers. */
async function waitForNamespace(address: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        const { namespaceInfo } = await connection.workflowService.describeNamespace({ namespace: 'default' });
        if (namespaceInfo) break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    // The namespace registry refreshes every 10 s; until then the other services may not know it.
    await new Promise((resolve) => setTimeout(resolve, 12_000));
  } finally {
    await connection.close();
  }
}

const SERVICES = ['frontend', 'history', 'matching', 'worker'] as const;
type Ports = { metrics: number } & Partial<Record<(typeof SERVICES)[number], { grpc: number; membership: number }>>;

function serverConfig({ db, ports, shards, dynamicConfigPath }: { db: URL; ports: Ports; shards: number; dynamicConfigPath: string }): string {
  const store = (database: string, maxConns: number) => `
      sql:
        pluginName: postgres12
        databaseName: ${database}
        connectAddr: "${db.hostname}:${db.port}"
        connectProtocol: tcp
        user: "${decodeURIComponent(db.username)}"
        password: "${decodeURIComponent(db.password)}"
        maxConns: ${maxConns}
        maxIdleConns: ${maxConns}
        maxConnLifetime: 1h`;
  const services = SERVICES.map(
    (name) => `
  ${name}:
    rpc:
      grpcPort: ${ports[name]!.grpc}
      membershipPort: ${ports[name]!.membership}
      bindOnLocalHost: true`,
  ).join('');
  // Four services share the one PostgreSQL with the service and the benchmark: 10 connections each.
  return `log:
  stdout: false
  level: error
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: ${shards}
  datastores:
    default:${store('temporal', 10)}
    visibility:${store('temporal_visibility', 2)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
  metrics:
    prometheus:
      framework: tally
      timerType: histogram
      listenAddress: "127.0.0.1:${ports.metrics}"
services:${services}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: "127.0.0.1:${ports.frontend!.grpc}"
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: "${dynamicConfigPath}"
  pollInterval: 10s
`;
}
