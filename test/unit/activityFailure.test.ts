import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { toActivityFailure } from '../../activities/failure';
import { NetSuiteThrottledError, NetSuiteUnavailableError } from '../../netsuite/errors';

const retry = { baseDelayMs: 10, maxDelayMs: 10, maxAttempts: 3, timeLimitMs: 3_600_000 };

/** What the last allowed attempt ends the run with, after this error. */
async function lastAttempt(error: Error): Promise<ApplicationFailure> {
  const failure = await new MockActivityEnvironment({ attempt: retry.maxAttempts }).run(async () => toActivityFailure(error, retry));
  if (!(failure instanceof ApplicationFailure)) throw new Error(`expected an ApplicationFailure, got ${String(failure)}`);
  return failure;
}

describe('a run NetSuite never answered in time', () => {
  it('says NetSuite may hold the record when the last answer was lost (a 5xx or timeout), so nobody keys the bill in twice', async () => {
    const failure = await lastAttempt(new NetSuiteUnavailableError('no answer within 60 s'));
    expect([failure.type, failure.nonRetryable]).toEqual(['netsuiteUnavailable', true]);
    expect(failure.message).toContain('NetSuite may have recorded the last attempt without answering: look the record up by its External ID before entering the bill by hand');
  });

  it('says nothing of the kind after a 429, which NetSuite refuses before writing anything', async () => {
    const failure = await lastAttempt(new NetSuiteThrottledError('too many requests'));
    expect(failure.type).toBe('netsuiteUnavailable');
    expect(failure.message).toMatch(/gave up after 3 attempts\)$/);
  });
});
