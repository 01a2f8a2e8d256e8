import type { AccountView } from './account';
import type { ConfigData } from './configData';
import type { RunStatus } from './runStatus';

export type FilterName = 'configEnabled' | 'credentialConnected' | 'accountIds' | 'accountFilter' | 'approval' | 'lineItems';

export interface FilterCheck {
  filter: FilterName;
  passed: boolean;
  reason: string;
}

/**
 * SEND: go ahead. SKIP: this integration is not for this bill (not an error). WAIT: send once the bill
 * is approved, or once a credential is connected. DISABLED: the integration sends nothing until a user
 * enables it again.
 */
export type FilterOutcome = 'SEND' | 'SKIP' | 'WAIT' | 'DISABLED';

export interface FilterVerdict {
  outcome: FilterOutcome;
  checks: FilterCheck[];
}

export interface FilterInput {
  config: ConfigData;
  enabled: boolean;
  disabledReason: string | null;
  credentialConnected: boolean;
  account: AccountView;
  billStatus: 'PENDING' | 'APPROVED';
  lineItemTypes: readonly string[];
  /** The parsed accountFilter, evaluated by the caller's filter language. */
  accountFilterMatches: (account: AccountView) => boolean;
}

/**
 * The filters of the guide, in a fixed order; evaluation stops at the first that fails so the run
 * can say exactly which one held the bill back.
 */
export function evaluateFilters(input: FilterInput): FilterVerdict {
  const checks: FilterCheck[] = [];
  const stop = (outcome: FilterOutcome, filter: FilterName, reason: string): FilterVerdict => {
    checks.push({ filter, passed: false, reason });
    return { outcome, checks };
  };
  const pass = (filter: FilterName, reason: string) => checks.push({ filter, passed: true, reason });
  const { config, account } = input;

  if (!input.enabled) return stop('DISABLED', 'configEnabled', `The integration is disabled${input.disabledReason ? ` (${input.disabledReason})` : ''}. Enable it on its page to send bills again.`);
  pass('configEnabled', 'the integration is enabled');

  // The guide lets authentication be set up later: until then the bill waits (not an error, so nothing
  // counts towards auto-disable), and connecting a credential sends it.
  if (!input.credentialConnected) return stop('WAIT', 'credentialConnected', 'Not connected: no NetSuite credential is connected yet. The bill is sent once one is: add one with Add credential on the integration\'s page.');
  pass('credentialConnected', 'a NetSuite credential is connected');

  const ids = [account.id, account.code];
  if (config.restrictedAccountIds.some((id) => ids.includes(id))) return stop('SKIP', 'accountIds', `Account ${account.code} is one of the integration's Restricted account ids, so its bills are not sent here.`);
  if (config.accountIds.length > 0 && !config.accountIds.some((id) => ids.includes(id))) return stop('SKIP', 'accountIds', `Account ${account.code} is not one of the integration's Account ids, so its bills are not sent here.`);
  pass('accountIds', config.accountIds.length > 0 ? `account ${account.code} is in accountIds` : 'no account restriction');

  if (config.accountFilter.trim() !== '') {
    if (!input.accountFilterMatches(account)) return stop('SKIP', 'accountFilter', `The Account filter ${config.accountFilter} is false for account ${account.code}, so its bills are not sent here.`);
    pass('accountFilter', `accountFilter "${config.accountFilter}" is true`);
  }

  if (config.onlySendBillOnApproval && input.billStatus !== 'APPROVED') return stop('WAIT', 'approval', 'Waiting for approval: this integration has Only send bill on approval on. Approve the bill to send it.');
  pass('approval', config.onlySendBillOnApproval ? 'the bill is approved' : 'approval not required');

  if (input.lineItemTypes.length === 0) return stop('SKIP', 'lineItems', 'The bill has no line items: nothing to send.');
  const excluded = new Set<string>(config.excludedLineItemTypes);
  if (input.lineItemTypes.every((t) => excluded.has(t))) return stop('SKIP', 'lineItems', 'Every line of the bill is of an Excluded line item type: nothing to send.');
  pass('lineItems', 'the bill has lines to send');

  return { outcome: 'SEND', checks };
}

/** A verdict that stops the send for good (WAIT only pauses it, SEND goes on). */
export type StoppingOutcome = Exclude<FilterOutcome, 'SEND' | 'WAIT'>;

/** What a run records when the filters stop the send: its status (none of these is a failure). */
export function stoppedRun(outcome: StoppingOutcome): { status: RunStatus } {
  switch (outcome) {
    case 'DISABLED':
      return { status: 'DISABLED' };
    case 'SKIP':
      return { status: 'SKIPPED' };
  }
}
