import { INTEGRATION_EVENT_NAMES } from '../../domain/eventNames';
import { countsTowardsDisable, eventNameOfFailure, FAILURE_KINDS, failureKindOf, runStatusOfFailure } from '../../domain/failure';
import { stoppedRun } from '../../domain/filters';
import { isRunStatus, M3TER_RUN_STATUSES, RUN_STATUSES, TERMINAL_STATUSES } from '../../domain/runStatus';
import { coalesceTriggers } from '../../domain/syncTrigger';

describe('how a run ends', () => {
  it('a refused credential ends AUTH_FAILED with the authentication event; refused content ERROR with the validation event', () => {
    expect([runStatusOfFailure('authRefused'), eventNameOfFailure('authRefused')]).toEqual(['AUTH_FAILED', 'integration.authentication.error']);
    expect([runStatusOfFailure('contentRefused'), eventNameOfFailure('contentRefused')]).toEqual(['ERROR', 'integration.validation.error']);
    expect(eventNameOfFailure('missingAccountMapping')).toBe('integration.missingaccountmapping.error');
    expect(eventNameOfFailure('notConnected')).toBe('integration.authentication.error');
    expect(eventNameOfFailure('netsuiteUnavailable')).toBe('integration.perform.error');
  });

  it('every failure kind ends in a terminal status and raises one of m3ter\'s failure events (never the disabled one)', () => {
    for (const kind of FAILURE_KINDS) {
      expect(TERMINAL_STATUSES).toContain(runStatusOfFailure(kind));
      expect(INTEGRATION_EVENT_NAMES.filter((n) => n !== 'integration.disabled.error')).toContain(eventNameOfFailure(kind));
    }
  });

  it("NetSuite's refusals finance settles end with m3ter's own statuses and don't count towards auto-disable; running out of time does", () => {
    expect([runStatusOfFailure('periodClosed'), eventNameOfFailure('periodClosed'), countsTowardsDisable('periodClosed')]).toEqual(['ACCOUNTING_PERIOD_CLOSED', 'integration.validation.error', false]);
    expect([runStatusOfFailure('invoiceAlreadyPaid'), eventNameOfFailure('invoiceAlreadyPaid'), countsTowardsDisable('invoiceAlreadyPaid')]).toEqual(['INVOICE_ALREADY_PAID', 'integration.perform.error', false]);
    expect([runStatusOfFailure('timeLimitExceeded'), eventNameOfFailure('timeLimitExceeded'), countsTowardsDisable('timeLimitExceeded')]).toEqual(['TIMEOUT_LIMIT_EXCEEDED', 'integration.perform.error', true]);
    expect(countsTowardsDisable('contentRefused')).toBe(true);
  });

  it('an activity failure of an unknown type is `unexpected`, not silently another kind', () => {
    expect(failureKindOf('authRefused')).toBe('authRefused');
    expect(failureKindOf('NetSuiteAuthError')).toBe('unexpected');
    expect(failureKindOf(undefined)).toBe('unexpected');
  });

  it('filters that stop the send: a disabled integration records DISABLED, a skipped bill SKIPPED, neither a failure', () => {
    expect(stoppedRun('DISABLED')).toEqual({ status: 'DISABLED' });
    expect(stoppedRun('SKIP')).toEqual({ status: 'SKIPPED' });
  });

  it("m3ter's statuses come first and in m3ter's order, SKIPPED last; the API accepts exactly these", () => {
    expect(RUN_STATUSES.slice(0, M3TER_RUN_STATUSES.length)).toEqual([...M3TER_RUN_STATUSES]);
    expect(RUN_STATUSES.at(-1)).toBe('SKIPPED');
    expect(isRunStatus('RATE_LIMIT_RETRY')).toBe(true);
    expect(isRunStatus('complete')).toBe(false);
  });
});

describe('events that arrive together', () => {
  it('become one run labelled by the most telling: a re-run, else an approval, else the latest', () => {
    expect(coalesceTriggers(['calculated', 'approved', 'calculated'])).toEqual({ trigger: 'approved', requested: false });
    expect(coalesceTriggers(['approved', 'rerun'])).toEqual({ trigger: 'rerun', requested: true });
    expect(coalesceTriggers(['calculated', 'manual'])).toEqual({ trigger: 'manual', requested: true });
    expect(coalesceTriggers(['calculated'])).toEqual({ trigger: 'calculated', requested: false });
    expect(coalesceTriggers([])).toBeUndefined();
  });
});
