import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Backlog } from '../handoff/outbox';
import type { RelayMetrics } from '../handoff/relay';
import type { NetSuiteObserver, NetSuiteOperation } from '../netsuite/observer';

/**
 * The service's own Prometheus metrics (prom-client). Temporal's runtime metrics (task latencies,
 * slots, polls) come from the SDK's own exporter; `/metrics` serves both (see metricsText).
 */
export class SyncMetrics implements NetSuiteObserver, RelayMetrics {
  readonly registry = new Registry();
  private readonly runs = new Counter({ name: 'netsuite_sync_runs_finished_total', help: 'Integration runs finished, by status (COMPLETE means a bill synced)', labelNames: ['status'], registers: [this.registry] });
  private readonly events = new Counter({ name: 'netsuite_sync_events_total', help: 'Integration events raised (failed runs, auto-disabling), by event name', labelNames: ['event_name'], registers: [this.registry] });
  private readonly requests = new Histogram({
    name: 'netsuite_request_duration_seconds',
    help: 'NetSuite request latency, by operation and HTTP status (error: no answer)',
    labelNames: ['operation', 'status'],
    buckets: [0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly throttled = new Counter({ name: 'netsuite_throttled_total', help: "Requests NetSuite refused with 429 (source=netsuite) or that waited too long for a slot of the account's concurrency limit (source=slot_wait)", labelNames: ['source'], registers: [this.registry] });
  private readonly inFlight: Gauge<'account'>;
  private readonly tenantLabels: boolean;

  private readonly handoffs = new Counter({ name: 'netsuite_sync_handoffs_total', help: 'Outbox rows this process delivered to Temporal (outcome=delivered) or failed to deliver and will retry (outcome=failed)', labelNames: ['outcome'], registers: [this.registry] });

  /** `tenantLabels`: label per-account series with the NetSuite account id, a tenant's identifier; without it they are totals. */
  constructor(options: { processMetrics?: boolean; tenantLabels?: boolean } = {}) {
    this.tenantLabels = options.tenantLabels ?? false;
    this.inFlight = new Gauge({
      name: 'netsuite_requests_in_flight',
      help: this.tenantLabels ? 'NetSuite requests this process has in flight, by NetSuite account (sum over workers for the account total)' : 'NetSuite requests this process has in flight, over all accounts',
      labelNames: this.tenantLabels ? ['account'] : [],
      registers: [this.registry],
    });
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.throttled.inc({ source: 'netsuite' }, 0);
    this.throttled.inc({ source: 'slot_wait' }, 0);
    this.handoffs.inc({ outcome: 'delivered' }, 0);
    this.handoffs.inc({ outcome: 'failed' }, 0);
  }

  handoffsDelivered(count: number): void {
    this.handoffs.inc({ outcome: 'delivered' }, count);
  }

  handoffsFailed(count: number): void {
    this.handoffs.inc({ outcome: 'failed' }, count);
  }

  /** The outbox backlog, read from PostgreSQL at each scrape (it is the same for every process). */
  watchOutbox(read: () => Promise<Backlog>): void {
    let last: Promise<Backlog | undefined> | undefined;
    // Both gauges come from one query per scrape.
    const current = () => (last ??= read().catch(() => undefined).finally(() => setImmediate(() => (last = undefined))));
    const gauges: Array<[name: string, help: string, value: (backlog: Backlog) => number]> = [
      ['netsuite_sync_outbox_undelivered', 'Hand-offs (approvals, calculations, re-runs, …) stored but not yet delivered to Temporal', (b) => b.undelivered],
      ['netsuite_sync_outbox_oldest_age_seconds', 'How long the oldest undelivered hand-off has waited (0 when none); alert when it grows', (b) => b.oldestAgeSeconds],
    ];
    for (const [name, help, value] of gauges) {
      new Gauge({
        name,
        help,
        registers: [this.registry],
        async collect() {
          const backlog = await current();
          if (backlog) this.set(value(backlog));
        },
      });
    }
  }

  runFinished(status: string): void {
    this.runs.inc({ status });
  }

  eventRaised(eventName: string): void {
    this.events.inc({ event_name: eventName });
  }

  started(account: string): void {
    if (this.tenantLabels) this.inFlight.inc({ account });
    else this.inFlight.inc();
  }

  finished(account: string, operation: NetSuiteOperation, outcome: number | 'error', seconds: number): void {
    if (this.tenantLabels) this.inFlight.dec({ account });
    else this.inFlight.dec();
    this.requests.observe({ operation, status: String(outcome) }, seconds);
    if (outcome === 429) this.throttled.inc({ source: 'netsuite' });
  }

  slotWaitTimedOut(): void {
    this.throttled.inc({ source: 'slot_wait' });
  }
}

/**
 * The text of `/metrics`: ours, then Temporal's runtime metrics read from the SDK's exporter on
 * loopback. A failing exporter must not hide ours, so its error becomes a comment line.
 */
export async function metricsText(metrics: SyncMetrics, temporalExporterUrl?: string): Promise<string> {
  const own = await metrics.registry.metrics();
  if (!temporalExporterUrl) return own;
  try {
    const response = await fetch(temporalExporterUrl, { signal: AbortSignal.timeout(5000) });
    return `${own}\n${await response.text()}`;
  } catch (error) {
    return `${own}\n# temporal runtime metrics unavailable: ${(error as Error).message}\n`;
  }
}
