import { ApplicationFailure, Context } from '@temporalio/activity';
import { NetSuiteAuthError, NetSuiteError, NetSuiteValidationError } from '../netsuite/errors';
import { InvalidPrivateKeyError } from '../netsuite/privateKey';
import { CredentialDecryptionError } from '../secrets/credentialCipher';
import type { RetrySettings } from './deps';

/**
 * Turns a NetSuite error into what Temporal should do: stop at once when retrying cannot help
 * (refused credential, refused content), otherwise retry after a growing, jittered delay so many
 * workers don't hit NetSuite's shared limit in lockstep, and give up after the configured attempts.
 */
export function toActivityFailure(error: unknown, retry: RetrySettings): unknown {
  const attempt = Context.current().info.attempt;
  if (error instanceof NetSuiteAuthError) return ApplicationFailure.nonRetryable(error.message, 'NetSuiteAuthError', { status: error.status, error: error.oauthError });
  if (error instanceof NetSuiteValidationError) return ApplicationFailure.nonRetryable(error.message, 'NetSuiteValidationError', { details: error.details });
  if (error instanceof CredentialDecryptionError || error instanceof InvalidPrivateKeyError) return ApplicationFailure.nonRetryable(error.message, 'CredentialError');
  if (error instanceof NetSuiteError && error.retryable) {
    if (attempt >= retry.maxAttempts) {
      return ApplicationFailure.nonRetryable(`${error.message} (gave up after ${attempt} attempts)`, 'NetSuiteUnavailable');
    }
    return ApplicationFailure.create({ message: error.message, type: error.name, nextRetryDelay: retryDelayMs(attempt, retry) });
  }
  if (error instanceof NetSuiteError) return ApplicationFailure.nonRetryable(error.message, error.name);
  return error;
}

export function retryDelayMs(attempt: number, retry: RetrySettings): number {
  const exponential = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (0.5 + Math.random()));
}
