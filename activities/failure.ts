import { ApplicationFailure, Context } from '@temporalio/activity';
import type { FailureKind } from '../domain/failure';
import { NetSuiteAuthError, NetSuiteError, NetSuiteUnavailableError, NetSuiteValidationError } from '../netsuite/errors';
import { InvalidPrivateKeyError } from '../netsuite/privateKey';
import { retryDelayMs, type RetryPolicy } from '../netsuite/throttling';
import { CredentialDecryptionError } from '../secrets/credentialCipher';

/** A failure that ends the run: not retried, its type the failure kind the workflow reads back. */
export function runFailure(kind: FailureKind, message: string, details?: unknown): ApplicationFailure {
  return details === undefined ? ApplicationFailure.nonRetryable(message, kind) : ApplicationFailure.nonRetryable(message, kind, details);
}

function formatMinutes(ms: number): string {
  const minutes = ms / 60_000;
  return minutes >= 1 ? `${Math.round(minutes * 10) / 10} minutes` : `${Math.round(ms / 1000)} seconds`;
}

/**
 * The failure that ends the run when retrying cannot help — a refused credential, refused content, an
 * unreadable key, one of our own run failures — or undefined when NetSuite was only throttled or away,
 * or something of ours failed that a retry may mend.
 */
export function finalFailure(error: unknown): ApplicationFailure | undefined {
  if (error instanceof NetSuiteAuthError) return runFailure('authRefused', error.message, { status: error.status, error: error.oauthError });
  if (error instanceof NetSuiteValidationError) return runFailure('contentRefused', error.message, { details: error.details });
  if (error instanceof CredentialDecryptionError || error instanceof InvalidPrivateKeyError) return runFailure('credentialUnreadable', error.message);
  if (error instanceof ApplicationFailure) return error;
  if (error instanceof NetSuiteError && !error.retryable) return runFailure('netsuiteRefused', error.message);
  return undefined;
}

/**
 * Turns what went wrong in a NetSuite step into what Temporal should do: stop at once when retrying
 * cannot help (finalFailure), otherwise retry after the policy's growing, jittered delay — so many
 * workers don't hit NetSuite's shared limit in lockstep — and give up after its attempts. The policy
 * is the only retry budget: the workflow's own retry options set no attempt limit, so a crashed
 * worker's call is retried however often it takes.
 */
export function toActivityFailure(error: unknown, retry: RetryPolicy): unknown {
  const final = finalFailure(error);
  if (final) return final;
  const { attempt, scheduledTimestampMs } = Context.current().info;
  // NetSuite throttled or away, or anything else (our database restarting, say): retry, then give up.
  const message = error instanceof Error ? error.message : String(error);
  const giveUpAs: FailureKind = error instanceof NetSuiteError ? 'netsuiteUnavailable' : 'unexpected';
  // A 5xx, a timeout or a dropped connection can come after NetSuite wrote the record (a 429 never
  // does): finance must look before keying the bill in by hand, or NetSuite holds it twice.
  const mayBeRecorded =
    error instanceof NetSuiteUnavailableError
      ? '; NetSuite may have recorded the last attempt without answering: look the record up by its External ID before entering the bill by hand (a re-run updates that record, never adds a second)'
      : '';
  if (attempt >= retry.maxAttempts) return runFailure(giveUpAs, `${message} (gave up after ${attempt} attempts${mayBeRecorded})`);
  // The next try would start past the run's time limit, counted from its first attempt.
  const elapsedMs = Date.now() - scheduledTimestampMs;
  if (elapsedMs >= retry.timeLimitMs) {
    return runFailure('timeLimitExceeded', `NetSuite did not take the bill within the run's time limit of ${formatMinutes(retry.timeLimitMs)} (${attempt} attempts; the last: ${message}); re-run it when NetSuite answers again${mayBeRecorded}`);
  }
  return ApplicationFailure.create({ message, type: error instanceof Error ? error.name : 'Error', nextRetryDelay: retryDelayMs(attempt, retry) });
}
