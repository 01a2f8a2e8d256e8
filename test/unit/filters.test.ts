import type { AccountView } from '../../domain/account';
import { configDataSchema, type ConfigDataInput } from '../../domain/configData';
import { evaluateFilters, type FilterInput } from '../../domain/filters';

const account: AccountView = {
  id: 'acc-uuid-1',
  code: 'ACME',
  name: 'Acme Ltd',
  emailAddress: 'billing@acme.example',
  currency: 'GBP',
  parentAccountId: null,
  customFields: { country: 'UK' },
  address: null,
};

function input(config: Partial<ConfigDataInput> = {}, overrides: Partial<FilterInput> = {}): FilterInput {
  return {
    config: configDataSchema.parse({ netsuiteDefaultItemId: '10', ...config }),
    enabled: true,
    disabledReason: null,
    credentialConnected: true,
    account,
    billStatus: 'APPROVED',
    lineItemTypes: ['USAGE', 'STANDING_CHARGE'],
    accountFilterMatches: () => true,
    ...overrides,
  };
}

const summary = (checks: { filter: string; passed: boolean }[]) => checks.map((c) => `${c.filter}:${c.passed ? 'pass' : 'FAIL'}`);

describe('evaluateFilters', () => {
  it('sends a bill that passes every filter, listing each check with a reason', () => {
    const verdict = evaluateFilters(input());
    expect(verdict.outcome).toBe('SEND');
    expect(summary(verdict.checks)).toEqual(['configEnabled:pass', 'credentialConnected:pass', 'accountIds:pass', 'approval:pass', 'lineItems:pass']);
    for (const check of verdict.checks) expect(check.reason.length).toBeGreaterThan(0);
    expect(verdict.checks.find((c) => c.filter === 'accountIds')?.reason).toBe('no account restriction');
    expect(verdict.checks.find((c) => c.filter === 'approval')?.reason).toBe('approval not required');
  });

  it('DISABLED when the config is disabled, with the reason given', () => {
    const verdict = evaluateFilters(input({}, { enabled: false, disabledReason: 'credential revoked', credentialConnected: false }));
    expect(verdict.outcome).toBe('DISABLED');
    expect(summary(verdict.checks)).toEqual(['configEnabled:FAIL']);
    expect(verdict.checks[0]?.reason).toContain('disabled');
    expect(verdict.checks[0]?.reason).toContain('credential revoked');
  });

  it('DISABLED without a stored reason still explains how to fix it', () => {
    const verdict = evaluateFilters(input({}, { enabled: false }));
    expect(verdict.outcome).toBe('DISABLED');
    expect(verdict.checks[0]?.reason).toMatch(/Enable it on its page/);
    expect(verdict.checks[0]?.reason).not.toContain('(');
  });

  it('WAIT without a credential: not an error, the bill goes once one is connected', () => {
    const verdict = evaluateFilters(input({}, { credentialConnected: false }));
    expect(verdict.outcome).toBe('WAIT');
    expect(summary(verdict.checks)).toEqual(['configEnabled:pass', 'credentialConnected:FAIL']);
    expect(verdict.checks[1]?.reason).toContain('credential');
  });

  it.each([
    ['id', account.id],
    ['code', account.code],
  ])('SKIP when the account is in restrictedAccountIds (by %s), even when accountIds lists it', (_by, ref) => {
    const verdict = evaluateFilters(input({ restrictedAccountIds: [ref], accountIds: [account.id, account.code] }));
    expect(verdict.outcome).toBe('SKIP');
    expect(summary(verdict.checks)).toEqual(['configEnabled:pass', 'credentialConnected:pass', 'accountIds:FAIL']);
    expect(verdict.checks[2]?.reason).toContain('Restricted account ids');
    expect(verdict.checks[2]?.reason).toContain('ACME');
  });

  it('SKIP when accountIds is set and the account is not in it', () => {
    const verdict = evaluateFilters(input({ accountIds: ['someone-else'] }));
    expect(verdict.outcome).toBe('SKIP');
    expect(summary(verdict.checks)).toEqual(['configEnabled:pass', 'credentialConnected:pass', 'accountIds:FAIL']);
    expect(verdict.checks[2]?.reason).toBe("Account ACME is not one of the integration's Account ids, so its bills are not sent here.");
  });

  it.each([
    ['id', account.id],
    ['code', account.code],
  ])('passes accountIds when it lists the account (by %s)', (_by, ref) => {
    const verdict = evaluateFilters(input({ accountIds: ['other', ref] }));
    expect(verdict.outcome).toBe('SEND');
    expect(verdict.checks.find((c) => c.filter === 'accountIds')).toEqual({ filter: 'accountIds', passed: true, reason: 'account ACME is in accountIds' });
  });

  it('a restriction on another account does not hold this one back', () => {
    expect(evaluateFilters(input({ restrictedAccountIds: ['other'] })).outcome).toBe('SEND');
  });

  it('SKIP when the accountFilter is false for the account, quoting the filter', () => {
    const seen: AccountView[] = [];
    const verdict = evaluateFilters(
      input({ accountFilter: 'customFields.country == US' }, { accountFilterMatches: (a) => (seen.push(a), false) }),
    );
    expect(seen).toEqual([account]);
    expect(verdict.outcome).toBe('SKIP');
    expect(summary(verdict.checks)).toEqual(['configEnabled:pass', 'credentialConnected:pass', 'accountIds:pass', 'accountFilter:FAIL']);
    expect(verdict.checks[3]?.reason).toContain('customFields.country == US');
  });

  it('lists the accountFilter check as passed when it matches', () => {
    const verdict = evaluateFilters(input({ accountFilter: 'customFields.country == UK' }));
    expect(verdict.outcome).toBe('SEND');
    expect(summary(verdict.checks)).toContain('accountFilter:pass');
  });

  it('ignores the filter predicate when accountFilter is blank', () => {
    const verdict = evaluateFilters(input({ accountFilter: '   ' }, { accountFilterMatches: () => false }));
    expect(verdict.outcome).toBe('SEND');
    expect(verdict.checks.map((c) => c.filter)).not.toContain('accountFilter');
  });

  it('WAIT when onlySendBillOnApproval is on and the bill is pending', () => {
    const verdict = evaluateFilters(input({ onlySendBillOnApproval: true }, { billStatus: 'PENDING' }));
    expect(verdict.outcome).toBe('WAIT');
    expect(summary(verdict.checks)).toEqual(['configEnabled:pass', 'credentialConnected:pass', 'accountIds:pass', 'approval:FAIL']);
    expect(verdict.checks[3]?.reason).toMatch(/approv/);
  });

  it('sends an approved bill when onlySendBillOnApproval is on', () => {
    const verdict = evaluateFilters(input({ onlySendBillOnApproval: true }, { billStatus: 'APPROVED' }));
    expect(verdict.outcome).toBe('SEND');
    expect(verdict.checks.find((c) => c.filter === 'approval')?.reason).toBe('the bill is approved');
  });

  it('sends a pending bill when approval is not required', () => {
    expect(evaluateFilters(input({}, { billStatus: 'PENDING' })).outcome).toBe('SEND');
  });

  it('SKIP a bill without line items', () => {
    const verdict = evaluateFilters(input({}, { lineItemTypes: [] }));
    expect(verdict.outcome).toBe('SKIP');
    expect(verdict.checks.at(-1)).toEqual({ filter: 'lineItems', passed: false, reason: 'The bill has no line items: nothing to send.' });
    expect(summary(verdict.checks).slice(0, -1)).toEqual(['configEnabled:pass', 'credentialConnected:pass', 'accountIds:pass', 'approval:pass']);
  });

  it('SKIP when every line item type is excluded', () => {
    const verdict = evaluateFilters(input({ excludedLineItemTypes: ['USAGE', 'STANDING_CHARGE'] }));
    expect(verdict.outcome).toBe('SKIP');
    expect(verdict.checks.at(-1)?.filter).toBe('lineItems');
    expect(verdict.checks.at(-1)?.reason).toContain('Excluded line item type');
  });

  it('SEND when some line item types survive the exclusions', () => {
    expect(evaluateFilters(input({ excludedLineItemTypes: ['USAGE'] })).outcome).toBe('SEND');
  });

  it('stops at the first failing filter in the guide order', () => {
    // Everything fails: only the first check is reported.
    const verdict = evaluateFilters(
      input(
        { accountIds: ['nobody'], onlySendBillOnApproval: true, accountFilter: 'code == X' },
        { credentialConnected: false, billStatus: 'PENDING', lineItemTypes: [], accountFilterMatches: () => false },
      ),
    );
    expect(verdict.outcome).toBe('WAIT');
    expect(verdict.checks.at(-1)?.filter).toBe('credentialConnected');
    // accountFilter before approval
    const v2 = evaluateFilters(input({ onlySendBillOnApproval: true, accountFilter: 'code == X' }, { billStatus: 'PENDING', accountFilterMatches: () => false }));
    expect(v2.outcome).toBe('SKIP');
    expect(v2.checks.at(-1)?.filter).toBe('accountFilter');
    // approval before line items
    const v3 = evaluateFilters(input({ onlySendBillOnApproval: true }, { billStatus: 'PENDING', lineItemTypes: [] }));
    expect(v3.outcome).toBe('WAIT');
  });

  it('every verdict ends with exactly one failing check unless it is SEND', () => {
    const verdicts = [
      evaluateFilters(input({}, { enabled: false })),
      evaluateFilters(input({}, { credentialConnected: false })),
      evaluateFilters(input({ accountIds: ['x'] })),
      evaluateFilters(input({ onlySendBillOnApproval: true }, { billStatus: 'PENDING' })),
      evaluateFilters(input({}, { lineItemTypes: [] })),
      evaluateFilters(input()),
    ];
    for (const v of verdicts) {
      const failed = v.checks.filter((c) => !c.passed);
      if (v.outcome === 'SEND') expect(failed).toHaveLength(0);
      else {
        expect(failed).toHaveLength(1);
        expect(v.checks.at(-1)?.passed).toBe(false);
      }
    }
  });
});
