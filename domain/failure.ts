import type { IntegrationEventName } from './eventNames';
import type { RunStatus } from './runStatus';

/**
 * Why a run failed, in one vocabulary that the activities (as the `type` of the ApplicationFailure they
 * throw), the invoice builder, the workflow, the run's event and the failure counter all share.
 */
export const FAILURE_KINDS = [
  /** No credential is connected to the integration, or it was deleted. */
  'notConnected',
  /** The stored private key can't be decrypted or parsed. */
  'credentialUnreadable',
  /** NetSuite's token endpoint refused the credential. */
  'authRefused',
  /** NetSuite refused the invoice's content (with its o:errorPath). */
  'contentRefused',
  /** The customer is mapped through external mappings and the account has none. */
  'missingAccountMapping',
  /** Every line was excluded: nothing to invoice. */
  'noLines',
  /** A usage line's pricing bands don't add up to its subtotal, so an invoice split by band would not match the bill. */
  'bandsDisagree',
  /** NetSuite stayed throttled or unavailable through every retry. */
  'netsuiteUnavailable',
  /** NetSuite's retries outlasted the run's time limit (NETSUITE_RUN_TIME_LIMIT_MINUTES). */
  'timeLimitExceeded',
  /** The bill's date falls in an accounting period NetSuite has closed (or locked for A/R). */
  'periodClosed',
  /** The invoice is paid, in full or in part, in NetSuite: it is left as it is. */
  'invoiceAlreadyPaid',
  /** NetSuite refused the request for another reason that retrying can't change. */
  'netsuiteRefused',
  /** The run, its bill, config or invoice body is gone (deleted meanwhile). */
  'subjectMissing',
  /** Anything else: a fault of ours, with its message. */
  'unexpected',
] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

/** The kind an activity's failure names; anything unrecognised is `unexpected`. */
export function failureKindOf(type: string | undefined | null): FailureKind {
  return (FAILURE_KINDS as readonly string[]).includes(type ?? '') ? (type as FailureKind) : 'unexpected';
}

/** The status a run that failed this way ends with: m3ter's own where it has one. */
export function runStatusOfFailure(kind: FailureKind): RunStatus {
  switch (kind) {
    case 'authRefused':
      return 'AUTH_FAILED';
    case 'periodClosed':
      return 'ACCOUNTING_PERIOD_CLOSED';
    case 'invoiceAlreadyPaid':
      return 'INVOICE_ALREADY_PAID';
    case 'timeLimitExceeded':
      return 'TIMEOUT_LIMIT_EXCEEDED';
    default:
      return 'ERROR';
  }
}

/**
 * Whether a run that failed this way counts towards disabling the integration. A closed period or a
 * paid invoice is finance's decision, made in NetSuite, not a fault of the integration: a month of
 * bills dated in a closed period must not switch it off. Everything else counts.
 */
export function countsTowardsDisable(kind: FailureKind): boolean {
  return kind !== 'periodClosed' && kind !== 'invoiceAlreadyPaid';
}

/** Which of m3ter's integration events a run that failed this way raises. */
export function eventNameOfFailure(kind: FailureKind): IntegrationEventName {
  switch (kind) {
    case 'missingAccountMapping':
      return 'integration.missingaccountmapping.error';
    case 'contentRefused':
    case 'noLines':
    case 'bandsDisagree':
    case 'periodClosed':
      return 'integration.validation.error';
    case 'authRefused':
    case 'notConnected':
    case 'credentialUnreadable':
      return 'integration.authentication.error';
    case 'netsuiteUnavailable':
    case 'timeLimitExceeded':
    case 'invoiceAlreadyPaid':
    case 'netsuiteRefused':
    case 'subjectMissing':
    case 'unexpected':
      return 'integration.perform.error';
  }
}
