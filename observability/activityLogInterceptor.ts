import type { Context } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import { activityLogContext, withLogContext } from './logContext';

/** Runs every activity inside its log context (see logContext.ts). */
export function activityLogInterceptor(ctx: Context): { inbound: ActivityInboundCallsInterceptor } {
  return {
    inbound: {
      execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
        return withLogContext(activityLogContext(ctx.info, input.args[0]), () => next(input));
      },
    },
  };
}
