import { activityLogContext, logContextMixin, withLogContext } from '../../observability/logContext';

const info = (workflowId?: string) => ({ workflowExecution: workflowId ? { workflowId, runId: 'wf-run-1' } : undefined, activityType: 'postInvoice', attempt: 2 });

describe('the ids on an activity log line', () => {
  it("name a bill sync's integration and bill from its workflow id, and the run from the input", () => {
    expect(activityLogContext(info('bill-sync/cfg-1/bill-9'), { runId: 'run-3' })).toEqual({
      workflowId: 'bill-sync/cfg-1/bill-9',
      workflowRunId: 'wf-run-1',
      activity: 'postInvoice',
      attempt: 2,
      configId: 'cfg-1',
      billId: 'bill-9',
      runId: 'run-3',
    });
  });

  it("name the failure counter's integration, and ids the input carries", () => {
    expect(activityLogContext(info('integration-failures/cfg-2'), { organizationId: 'org-1', eventId: 'e' })).toMatchObject({ configId: 'cfg-2', organizationId: 'org-1' });
  });

  it('come from the input alone when an activity runs outside a workflow', () => {
    expect(activityLogContext(info(undefined), { billId: 'bill-1', count: 3 })).toEqual({ activity: 'postInvoice', attempt: 2, billId: 'bill-1' });
  });

  it('stay with the async work they were set for, and nest', async () => {
    expect(logContextMixin()).toEqual({});
    await withLogContext({ billId: 'a' }, async () => {
      await Promise.resolve();
      await withLogContext({ runId: 'r' }, async () => expect(logContextMixin()).toEqual({ billId: 'a', runId: 'r' }));
      expect(logContextMixin()).toEqual({ billId: 'a' });
    });
    expect(logContextMixin()).toEqual({});
  });
});
