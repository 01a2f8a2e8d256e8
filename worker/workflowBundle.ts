import { Worker as Thread } from 'node:worker_threads';

/**
 * Bundles the workflow code in a short-lived thread. Bundling in the worker's own thread (the SDK's
 * default) leaves webpack's garbage in its heap, and V8 then lets that heap grow far larger during a
 * burst (measured: ~460 MB resident instead of ~300). Plain JavaScript, so the thread runs the same
 * from dist/ and from the TypeScript sources under jest.
 */
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const { bundleWorkflowCode } = require(workerData.sdk);
const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
bundleWorkflowCode({ workflowsPath: workerData.workflowsPath, logger: quiet }).then(
  (bundle) => parentPort.postMessage({ code: bundle.code }),
  (error) => parentPort.postMessage({ error: String(error && error.stack || error) }),
);`;

export function bundleWorkflows(workflowsPath: string): Promise<{ code: string }> {
  return new Promise((resolve, reject) => {
    const thread = new Thread(THREAD, { eval: true, workerData: { workflowsPath, sdk: require.resolve('@temporalio/worker') } });
    thread.once('message', (message: { code?: string; error?: string }) => {
      if (message.code !== undefined) resolve({ code: message.code });
      else reject(new Error(`bundling the workflow code failed: ${message.error}`));
      void thread.terminate();
    });
    thread.once('error', reject);
    thread.once('exit', (code) => reject(new Error(`the workflow bundling thread exited (${code}) without a bundle`)));
  });
}
