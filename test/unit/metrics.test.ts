import { SyncMetrics } from '../../observability/metrics';

/** Issue 15, finding 7: series carry a tenant's NetSuite account id only when the operator asks for it. */
describe('netsuite_requests_in_flight', () => {
  async function inFlightLines(metrics: SyncMetrics): Promise<string[]> {
    metrics.started('1234567_SB1');
    metrics.started('7654321');
    metrics.finished('7654321', 'upsertInvoice', 204, 0.1);
    return (await metrics.registry.metrics()).split('\n').filter((line) => line.startsWith('netsuite_requests_in_flight'));
  }

  it('is one total, without account ids, by default', async () => {
    const metrics = new SyncMetrics({ processMetrics: false });
    expect(await inFlightLines(metrics)).toEqual(['netsuite_requests_in_flight 1']);
    expect(await metrics.registry.metrics()).not.toMatch(/1234567|7654321/);
  });

  it('is labelled by NetSuite account with METRICS_TENANT_LABELS=true', async () => {
    expect(await inFlightLines(new SyncMetrics({ processMetrics: false, tenantLabels: true }))).toEqual(['netsuite_requests_in_flight{account="1234567_SB1"} 1', 'netsuite_requests_in_flight{account="7654321"} 0']);
  });
});
