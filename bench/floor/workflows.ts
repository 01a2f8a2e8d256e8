import { proxyLocalActivities } from '@temporalio/workflow';
import type { FloorActivities } from './activities';

const { touch } = proxyLocalActivities<FloorActivities>({ startToCloseTimeout: '15 seconds' });

/**
 * The least a bill sync could be while each bill stays a workflow (the design card): started, one
 * workflow task that runs one local activity, completed. What it costs is the floor under the real one.
 */
export async function floorSync(id: string): Promise<string> {
  return touch(id);
}
