import readline from 'node:readline';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { bundleWorkflows } from '../../worker/workflowBundle';
import { createFloorActivities } from './activities';

/**
 * The floor's worker process (see ../floor.ts): a worker with the service's cache size and default
 * slots, and a starter with the relay's default 2 starts in flight, in one process as in the service.
 * Reads {address, taskQueue, workflows} on stdin, prints "ready", waits for "go", starts every
 * workflow, and prints {done} once none runs.
 */
interface FloorInput {
  address: string;
  taskQueue: string;
  workflows: number;
  startsInFlight: number;
  maxCachedWorkflows: number;
}

async function main(): Promise<void> {
  const lines = readline.createInterface({ input: process.stdin });
  const next = () => new Promise<string>((resolve) => lines.once('line', resolve));
  const input = JSON.parse(await next()) as FloorInput;

  let touched = 0;
  const connection = await NativeConnection.connect({ address: input.address });
  const worker = await Worker.create({
    connection,
    taskQueue: input.taskQueue,
    workflowBundle: await bundleWorkflows(require.resolve('./workflows')),
    activities: createFloorActivities(() => touched++),
    maxCachedWorkflows: input.maxCachedWorkflows,
  });
  const running = worker.run();
  const client = new Client({ connection: await Connection.connect({ address: input.address }) });
  process.stdout.write('ready\n');
  await next();

  let started = 0;
  const starter = async () => {
    while (started < input.workflows) {
      const id = `floor-${input.taskQueue}-${started++}`;
      await client.workflow.start('floorSync', { taskQueue: input.taskQueue, workflowId: id, args: [id] });
    }
  };
  await Promise.all(Array.from({ length: input.startsInFlight }, starter));
  // Each workflow ran its step; then wait for the last tasks to complete (a few visibility counts, not a long poll per workflow).
  while (touched < input.workflows) await new Promise((resolve) => setTimeout(resolve, 100));
  for (;;) {
    const { count } = await client.workflow.count(`TaskQueue = '${input.taskQueue}' AND ExecutionStatus = 'Running'`);
    if (count === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  process.stdout.write(`${JSON.stringify({ done: Date.now() })}\n`);
  worker.shutdown();
  await running;
  await connection.close();
  process.exit(0);
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exit(1);
});
