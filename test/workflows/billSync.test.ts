import crypto from 'node:crypto';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import type { BillSyncActivities, PreparedRun, RunOutcome } from '../../activities';
import type { StartRunInput } from '../../activities/startRun';
import type { SyncTrigger } from '../../domain/syncTrigger';
import { billEventSignal, billSyncStatusQuery, rerunSignal, type BillSyncInput, type BillSyncWorkflow } from '../../temporal/contract';
import { eventually } from '../support/eventually';
import { useWorkflowEnv } from '../support/workflowEnv';

/**
 * The bill sync's decisions, alone: its activities are stubs over an in-memory bill, so each test
 * says what the database and NetSuite answer and watches what the workflow does with it — on a real
 * Temporal server (the tests' dev server, through Temporal's test environment: test/support/workflowEnv.ts).
 */
const workflows = useWorkflowEnv();
const env = () => workflows.env;

/** One bill as the stubs see it, and everything the workflow did to it. */
class World {
  bill = { version: 1, status: 'PENDING' as 'PENDING' | 'APPROVED' };
  approvalRequired = true;
  readonly runs = new Map<string, { trigger: SyncTrigger; parent?: string; outcomes: RunOutcome[] }>();
  readonly sends: Array<{ runId: string; version: number; path: 'quick' | 'scheduled' }> = [];
  /** The invoice's lines, as buildInvoice reports them. */
  lineCount = 2;
  /** NetSuite busy: the quick send finds no free slot and defers to the scheduled send. */
  busy = false;
  readonly reported: string[] = [];
  /** Hand-offs and the run answering each (what startRun, in prepareRun, reads from integration_run.handoff_ids). */
  readonly answered = new Map<string, string>();
  /** How many of prepareRun's next calls commit the run and then lose their answer (a dropped connection, a killed worker). */
  lostStartAnswers = 0;
  /** What the next sends answer, in order; when empty, a send succeeds. */
  readonly sendAnswers: Array<() => Promise<void>> = [];

  activities(): Pick<BillSyncActivities, 'billState' | 'prepareRun' | 'sendInvoiceNow' | 'postInvoice' | 'finishRun' | 'reportOutcome'> {
    const runVersion = new Map<string, number>();
    const send = async (runId: string, path: 'quick' | 'scheduled') => {
      this.sends.push({ runId, version: runVersion.get(runId)!, path });
      await this.sendAnswers.shift()?.();
      return { netsuiteId: String(1000 + this.sends.length), url: 'https://netsuite.example/record' };
    };
    const finishRun = async (outcome: RunOutcome) => {
      this.runs.get(outcome.runId)!.outcomes.push(outcome);
      return { counts: outcome.status === 'COMPLETE' || outcome.failure !== undefined };
    };
    return {
      billState: async () => ({ ...this.bill }),
      prepareRun: async (input: StartRunInput): Promise<PreparedRun> => {
        // A task done again after its run ended (prepareRun's endedRun): the end stands.
        const ended = this.runs.get(input.runId)?.outcomes.at(-1);
        if (ended && ended.status !== 'WAITING') {
          const verdict = { outcome: 'SEND' as const, reason: 'ended already', billVersion: runVersion.get(input.runId)!, billStatus: this.bill.status, accountId: 'account-1' };
          return { started: true, verdict, ended, counts: ended.status === 'COMPLETE' || ended.failure !== undefined };
        }
        const answeredElsewhere = (id: string) => this.answered.has(id) && (input.resumesWaitingRun || this.answered.get(id) !== input.runId);
        if (!input.unidentified && input.handoffIds.length > 0 && input.handoffIds.every(answeredElsewhere)) return { started: false };
        input.handoffIds.forEach((id) => this.answered.set(id, input.runId));
        const run = this.runs.get(input.runId);
        if (run) run.trigger = input.trigger;
        else this.runs.set(input.runId, { trigger: input.trigger, parent: input.parentIntegrationRunId, outcomes: [] });
        if (this.lostStartAnswers > 0) {
          this.lostStartAnswers--;
          throw new Error('connection terminated after the commit');
        }
        runVersion.set(input.runId, this.bill.version);
        const verdict = { billVersion: this.bill.version, billStatus: this.bill.status, accountId: 'account-1' };
        if (this.approvalRequired && this.bill.status !== 'APPROVED') return { started: true, verdict: { ...verdict, outcome: 'WAIT', reason: 'waiting for approval' } };
        return { started: true, verdict: { ...verdict, outcome: 'SEND', reason: 'all filters passed' }, built: { ok: true, lineCount: this.lineCount, totalCents: 1000 } };
      },
      sendInvoiceNow: async ({ runId }) => {
        if (this.busy) throw ApplicationFailure.retryable('no free NetSuite request slot', 'QuickSendDeferred');
        const posted = await send(runId, 'quick');
        const { counts } = await finishRun({ runId, status: 'COMPLETE', ...posted });
        return { ...posted, counts };
      },
      postInvoice: async ({ runId }) => send(runId, 'scheduled'),
      finishRun,
      reportOutcome: async ({ runId }) => {
        this.reported.push(runId);
      },
    };
  }

  /** The final status of each run, in the order the runs started. */
  statuses(): string[] {
    return [...this.runs.values()].map((r) => r.outcomes[r.outcomes.length - 1]?.status ?? 'STARTED');
  }
}

/** A send that waits until the test lets it answer. */
function heldSend(): { answer: () => Promise<void>; started: Promise<void>; release: () => void } {
  let started!: () => void;
  let release!: () => void;
  const startedPromise = new Promise<void>((resolve) => (started = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  return {
    answer: async () => {
      started();
      await released;
    },
    started: startedPromise,
    release,
  };
}

async function withSync<T>(
  world: World,
  trigger: SyncTrigger,
  body: (sync: WorkflowHandleWithFirstExecutionRunId<BillSyncWorkflow>) => Promise<T>,
  options: { billId?: string; handoffId?: string } = {},
): Promise<T> {
  const taskQueue = `stub-${crypto.randomUUID()}`;
  const worker = await Worker.create({ connection: env().nativeConnection, namespace: env().namespace ?? 'default', taskQueue, workflowBundle: workflows.bundle, activities: world.activities() });
  const start = () => {
    const input: BillSyncInput = { organizationId: 'org-1', configId: 'config-1', billId: options.billId ?? crypto.randomUUID(), trigger, ...(options.handoffId ? { handoffId: options.handoffId } : {}) };
    return env().client.workflow.start<BillSyncWorkflow>('billSync', { taskQueue, workflowId: `stub-sync/${input.billId}`, args: [input] });
  };
  return worker.runUntil(async () => body(await start()));
}

describe('billSync, with stub activities', () => {
  it('waits for approval with its run WAITING, and the approval resumes that same run, which sends once', async () => {
    const world = new World();
    await withSync(world, 'calculated', async (sync) => {
      await eventually(() => sync.query(billSyncStatusQuery), (s) => s.phase === 'waitingForApproval', 'the sync waiting');
      expect(world.statuses()).toEqual(['WAITING']);
      expect(world.sends).toEqual([]);

      world.bill.status = 'APPROVED';
      await sync.signal(billEventSignal, { kind: 'approved' });
      const { runs } = await sync.result();
      expect(runs).toHaveLength(1);
      expect(world.statuses()).toEqual(['COMPLETE']);
      expect([...world.runs.values()][0]!.trigger).toBe('approved');
      expect(world.sends).toHaveLength(1);
      expect(world.reported).toEqual(runs);
    });
  });

  it('several events while waiting wake it once; an echo of the version being sent sends nothing more', async () => {
    const world = new World();
    // NetSuite busy: the send is the scheduled one, which the workflow waits for on the server.
    world.busy = true;
    await withSync(world, 'calculated', async (sync) => {
      await eventually(() => sync.query(billSyncStatusQuery), (s) => s.phase === 'waitingForApproval', 'the sync waiting');
      const held = heldSend();
      world.sendAnswers.push(held.answer);
      world.bill = { version: 2, status: 'APPROVED' };
      for (const kind of ['calculated', 'calculated', 'approved'] as const) await sync.signal(billEventSignal, { kind });
      await held.started;
      // The approval again, for the version being sent: an echo.
      await sync.signal(billEventSignal, { kind: 'approved' });
      held.release();
      await sync.result();
      expect(world.sends.map((s) => s.version)).toEqual([2]);
      expect(world.statuses()).toEqual(['COMPLETE']);
    });
  });

  it('a hand-off delivered twice starts no second run: not while the sync waits, nor after the failed run that answered it', async () => {
    const world = new World();
    world.sendAnswers.push(async () => {
      throw ApplicationFailure.nonRetryable('NetSuite refused the invoice', 'contentRefused');
    });
    const billId = crypto.randomUUID();
    await withSync(world, 'calculated', async (sync) => {
      await eventually(() => sync.query(billSyncStatusQuery), (s) => s.phase === 'waitingForApproval', 'the sync waiting');
      // The calculation's hand-off again: the waiting run answers it already, so the sync keeps waiting.
      await sync.signal(billEventSignal, { kind: 'calculated', handoffId: '40' });
      await eventually(() => sync.query(billSyncStatusQuery), (s) => s.phase === 'waitingForApproval' && s.pendingEvents === 0, 'the repeat taken, still waiting');
      world.bill.status = 'APPROVED';
      await sync.signal(billEventSignal, { kind: 'approved', handoffId: '41' });
      await sync.result();
    }, { billId, handoffId: '40' });
    expect(world.statuses()).toEqual(['ERROR']);
    // The approval's hand-off delivered again after the sync closed: a new execution, which starts no run.
    await withSync(world, 'approved', async (sync) => {
      expect((await sync.result()).runs).toEqual([]);
    }, { billId, handoffId: '41' });
    expect(world.statuses()).toEqual(['ERROR']);
    expect(world.sends).toHaveLength(1);
    expect(world.reported).toHaveLength(1);
  });

  it('an echo of the version whose send NetSuite just refused is not sent again: one refusal, one run, one report', async () => {
    const world = new World();
    // Approved already when its calculation's run read it (the two events raced): the approval is an echo.
    world.bill.status = 'APPROVED';
    world.busy = true;
    const held = heldSend();
    world.sendAnswers.push(async () => {
      await held.answer();
      throw ApplicationFailure.nonRetryable('the accounting period is closed', 'periodClosed');
    });
    await withSync(world, 'calculated', async (sync) => {
      await held.started;
      await sync.signal(billEventSignal, { kind: 'approved' });
      await eventually(() => sync.query(billSyncStatusQuery), (s) => s.pendingEvents === 1, 'the approval queued');
      held.release();
      await sync.result();
    });
    expect(world.sends).toHaveLength(1);
    expect(world.reported).toHaveLength(1);
    expect(world.statuses()).toEqual(['ACCOUNTING_PERIOD_CLOSED']);
  });

  it('a start whose answer was lost after it was stored goes on when retried: the bill is sent once, not dropped as a repeat', async () => {
    const world = new World();
    world.approvalRequired = false;
    world.lostStartAnswers = 1;
    await withSync(world, 'approved', async (sync) => {
      const { runs } = await sync.result();
      expect(runs).toHaveLength(1);
    }, { handoffId: '50' });
    expect(world.statuses()).toEqual(['COMPLETE']);
    expect(world.sends).toHaveLength(1);
  });

  it('a send NetSuite refuses ends the run with the failure kind, its status and a report to the failure counter', async () => {
    const world = new World();
    world.approvalRequired = false;
    world.sendAnswers.push(async () => {
      throw ApplicationFailure.nonRetryable('NetSuite refused the credential', 'authRefused');
    });
    await withSync(world, 'calculated', async (sync) => {
      const { runs } = await sync.result();
      const outcome = world.runs.get(runs[0]!)!.outcomes.at(-1);
      expect(outcome).toMatchObject({ status: 'AUTH_FAILED', failure: 'authRefused', reason: 'NetSuite refused the credential' });
      expect(world.reported).toEqual(runs);
      expect(world.sends).toHaveLength(1);
    });
  });

  it('a bill NetSuite takes at once is sent inside the workflow task: no activity scheduled on the server, one send, COMPLETE', async () => {
    const world = new World();
    world.approvalRequired = false;
    await withSync(world, 'calculated', async (sync) => {
      const { runs } = await sync.result();
      expect(runs).toHaveLength(1);
      const history = await sync.fetchHistory();
      expect(history.events?.some((e) => e.activityTaskScheduledEventAttributes)).toBe(false);
      expect(history.events?.filter((e) => e.workflowTaskCompletedEventAttributes)).toHaveLength(1);
    });
    expect(world.sends.map((s) => s.path)).toEqual(['quick']);
    expect(world.statuses()).toEqual(['COMPLETE']);
  });

  it.each([
    ['NetSuite busy (the quick send defers)', (world: World) => (world.busy = true)],
    ['an invoice of more than 1,000 lines (no quick send)', (world: World) => (world.lineCount = 1_001)],
  ])('%s: the scheduled send sends the bill once', async (_, arrange) => {
    const world = new World();
    world.approvalRequired = false;
    arrange(world);
    await withSync(world, 'calculated', async (sync) => {
      await sync.result();
    });
    expect(world.sends.map((s) => s.path)).toEqual(['scheduled']);
    expect(world.statuses()).toEqual(['COMPLETE']);
  });

  // The same promises whichever send is under way: NetSuite busy, the scheduled one (the workflow waits
  // on the server); otherwise the quick one, whose workflow task the server then refuses to close over
  // the unseen events and has done again with them — the run it sent ended, and is not sent again.
  const sends = [
    ['a scheduled send', 'scheduled', true],
    ['a quick send', 'quick', false],
  ] as const;

  it.each(sends)('a re-run asked for during %s sends once more afterwards, even the same version, as a child of the run it names', async (_, path, busy) => {
    const world = new World();
    world.approvalRequired = false;
    world.busy = busy;
    const held = heldSend();
    world.sendAnswers.push(held.answer);
    await withSync(world, 'calculated', async (sync) => {
      await held.started;
      const [first] = world.runs.keys();
      await sync.signal(rerunSignal, { parentIntegrationRunId: first });
      held.release();
      const { runs } = await sync.result();
      expect(runs).toHaveLength(2);
      expect(world.runs.get(runs[1]!)).toMatchObject({ trigger: 'rerun', parent: first });
    });
    expect(world.sends.map((s) => [s.path, s.version])).toEqual([
      [path, 1],
      [path, 1],
    ]);
    expect(world.statuses()).toEqual(['COMPLETE', 'COMPLETE']);
  });

  it.each(sends)('events arriving during %s: the sent run stands, and the newest version is one more run, labelled by the most telling event', async (_, path, busy) => {
    const world = new World();
    world.approvalRequired = false;
    world.busy = busy;
    const held = heldSend();
    world.sendAnswers.push(held.answer);
    await withSync(world, 'calculated', async (sync) => {
      await held.started;
      world.bill = { version: 3, status: 'APPROVED' };
      for (const kind of ['calculated', 'approved', 'calculated'] as const) await sync.signal(billEventSignal, { kind });
      held.release();
      const { runs } = await sync.result();
      expect(runs).toHaveLength(2);
      expect(world.sends.map((s) => [s.runId, s.path, s.version])).toEqual([
        [runs[0], path, 1],
        [runs[1], path, 3],
      ]);
      expect(world.runs.get(runs[1]!)!.trigger).toBe('approved');
    });
    expect(world.statuses()).toEqual(['COMPLETE', 'COMPLETE']);
  });

  it('an echo arriving during a quick send: the task is done again, and the version NetSuite has is not sent twice', async () => {
    const world = new World();
    world.approvalRequired = false;
    const held = heldSend();
    world.sendAnswers.push(held.answer);
    await withSync(world, 'calculated', async (sync) => {
      await held.started;
      await sync.signal(billEventSignal, { kind: 'calculated' });
      held.release();
      expect((await sync.result()).runs).toHaveLength(1);
    });
    expect(world.sends).toHaveLength(1);
    expect(world.statuses()).toEqual(['COMPLETE']);
  });

  it('an echo arriving during a quick send NetSuite refuses: the task is done again, and the refusal stands — one write, one report', async () => {
    const world = new World();
    world.approvalRequired = false;
    const held = heldSend();
    world.sendAnswers.push(async () => {
      await held.answer();
      throw ApplicationFailure.nonRetryable('the accounting period is closed', 'periodClosed');
    });
    await withSync(world, 'calculated', async (sync) => {
      await held.started;
      await sync.signal(billEventSignal, { kind: 'approved' });
      held.release();
      expect((await sync.result()).runs).toHaveLength(1);
    });
    expect(world.sends).toHaveLength(1);
    expect(world.statuses()).toEqual(['ACCOUNTING_PERIOD_CLOSED']);
    expect(new Set(world.reported).size).toBe(1);
  });
});
