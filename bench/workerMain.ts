import { DefaultLogger, Runtime } from '@temporalio/worker';

/**
 * `npm start` (worker/main) with the Temporal SDK's runtime metrics on a Prometheus endpoint
 * (BENCH_WORKER_METRICS_ADDRESS), so the benchmark can see task slots and schedule-to-start latencies.
 * The runtime has to be installed before the service's own `Runtime.install`, which then keeps this one.
 */
Runtime.install({
  logger: new DefaultLogger('WARN'),
  telemetryOptions: { metrics: { prometheus: { bindAddress: process.env.BENCH_WORKER_METRICS_ADDRESS ?? '127.0.0.1:0' } } },
});

// eslint-disable-next-line @typescript-eslint/no-require-imports
require('../worker/main');
