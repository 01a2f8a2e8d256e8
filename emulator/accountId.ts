/**
 * Users write sandbox account ids both as `1234567_SB1` and `1234567-sb1`; the emulator keys everything on
 * one canonical pair so either spelling reaches the same account.
 */
export interface AccountIds {
  /** `1234567_SB1`: the form NetSuite puts in the WWW-Authenticate realm. */
  id: string;
  /** `1234567-sb1`: the form used in hostnames, and here as the URL path prefix. */
  hostForm: string;
}

const ACCOUNT_PATTERN = /^[A-Za-z0-9]+(?:[_-][A-Za-z0-9]+)*$/;

export function normaliseAccountId(raw: string): AccountIds {
  const trimmed = raw.trim();
  if (!ACCOUNT_PATTERN.test(trimmed)) {
    throw new Error(`"${raw}" is not a NetSuite account id (expected e.g. 1234567 or 1234567_SB1)`);
  }
  return { id: trimmed.toUpperCase().replace(/-/g, '_'), hostForm: trimmed.toLowerCase().replace(/_/g, '-') };
}

/** Same as normaliseAccountId but for untrusted path segments, where a bad value simply matches nothing. */
export function tryNormaliseAccountId(raw: string): AccountIds | undefined {
  try {
    return normaliseAccountId(raw);
  } catch {
    return undefined;
  }
}
