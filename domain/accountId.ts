/**
 * NetSuite account ids come in two spellings: the account form used in NetSuite's UI and in the
 * `realm` of its 401s (`1234567_SB1`), and the host form used in URLs (`1234567-sb1`). Users type
 * either (m3ter's own guide asks for both), so every boundary normalises once, here.
 */
export interface NetSuiteAccountId {
  /** Account form: upper case, underscore before the sandbox suffix, e.g. `1234567_SB1`. */
  readonly account: string;
  /** Host form: lower case, hyphenated, e.g. `1234567-sb1`. */
  readonly host: string;
}

const ACCOUNT_FORM = /^[A-Z0-9]+(?:_[A-Z0-9]+)?$/;

export class InvalidAccountIdError extends Error {
  constructor(readonly input: string) {
    super(
      `accountId "${input.length > 80 ? `${input.slice(0, 80)}…` : input}" is not a NetSuite account id: use the id from Setup > Company > Company Information, ` +
        `e.g. 1234567, or for a sandbox 1234567_SB1 (1234567-sb1 is accepted too)`,
    );
    this.name = 'InvalidAccountIdError';
  }
}

export function parseAccountId(input: string): NetSuiteAccountId {
  // Users paste URLs from the browser: keep only the host.
  const raw = input.trim();
  const trimmed = /^[a-z]+:\/\//i.test(raw) ? (raw.replace(/^[a-z]+:\/\//i, '').split('/')[0] ?? '') : raw;
  // A pasted URL prefix ("1234567-sb1.app.netsuite.com") is what the guide tells users to copy.
  const firstLabel = trimmed.includes('.') ? trimmed.split('.')[0] ?? '' : trimmed;
  const account = firstLabel.toUpperCase().replace(/-/g, '_');
  if (!ACCOUNT_FORM.test(account) || account.length > 64) throw new InvalidAccountIdError(input);
  return { account, host: account.toLowerCase().replace(/_/g, '-') };
}

export function isAccountId(input: string): boolean {
  try {
    parseAccountId(input);
    return true;
  } catch {
    return false;
  }
}
