/**
 * What can go wrong talking to NetSuite, classified by what the caller should do about it:
 * fix the credential (auth), fix the data (validation), or wait and retry (throttled, unavailable).
 * Messages quote NetSuite's own words so users can search Oracle's docs for them.
 */
export abstract class NetSuiteError extends Error {
  abstract readonly retryable: boolean;
}

/** The token endpoint refused the client assertion: the credential or the integration record is wrong. */
export class NetSuiteAuthError extends NetSuiteError {
  readonly retryable = false;
  constructor(
    readonly status: number,
    readonly oauthError: string,
    readonly description: string | undefined,
  ) {
    super(
      `NetSuite refused the credential (${status} ${oauthError}${description ? `: ${description}` : ''}). ` +
        'Check the account id, client id and certificate id, that the certificate is uploaded and active on the M2M setup page, ' +
        'and see Setup > Users/Roles > View Login Audit Trail in NetSuite for the reason.',
    );
    this.name = 'NetSuiteAuthError';
  }
}

/** A record call answered 401 INVALID_LOGIN: the access token expired or was revoked. */
export class NetSuiteLoginError extends NetSuiteError {
  readonly retryable = true;
  constructor(readonly detail: string) {
    super(`NetSuite rejected the access token (INVALID_LOGIN): ${detail}`);
    this.name = 'NetSuiteLoginError';
  }
}

export interface NetSuiteErrorDetail {
  detail: string;
  code: string;
  path?: string;
}

/** NetSuite refused the content (400): retrying the same body cannot help. */
export class NetSuiteValidationError extends NetSuiteError {
  readonly retryable = false;
  constructor(
    readonly status: number,
    readonly details: NetSuiteErrorDetail[],
  ) {
    super(`NetSuite refused the record (${status}): ${details.map((d) => `${d.code}${d.path ? ` at ${d.path}` : ''}: ${d.detail}`).join('; ')}`);
    this.name = 'NetSuiteValidationError';
  }
}

/** 429 CONCURRENCY_LIMIT_EXCEEDED: the account's shared concurrency limit is in use. */
export class NetSuiteThrottledError extends NetSuiteError {
  readonly retryable = true;
  constructor(readonly detail: string) {
    super(`NetSuite concurrency limit reached (429 CONCURRENCY_LIMIT_EXCEEDED): ${detail}`);
    this.name = 'NetSuiteThrottledError';
  }
}

/** 5xx, a dropped connection or a timeout: the request may or may not have been applied. */
export class NetSuiteUnavailableError extends NetSuiteError {
  readonly retryable = true;
  constructor(reason: string) {
    super(`NetSuite unavailable: ${reason}`);
    this.name = 'NetSuiteUnavailableError';
  }
}

/**
 * The transaction's date is in an accounting period NetSuite has closed (or locked for A/R): finance
 * decides, not a retry. NetSuite's REST code for it is not documented (SOAP's are CLOSED_TRAN_PRD and
 * DATE_PRD_MISMATCH), so it is recognised by those codes or by its words (see isPeriodClosed).
 */
export class NetSuitePeriodClosedError extends NetSuiteError {
  readonly retryable = false;
  constructor(readonly details: NetSuiteErrorDetail[]) {
    super(`NetSuite refused the date: ${details.map((d) => d.detail).join('; ')}`);
    this.name = 'NetSuitePeriodClosedError';
  }
}

/** Whether NetSuite's refusal says the accounting period is closed or locked. */
export function isPeriodClosed(details: readonly NetSuiteErrorDetail[]): boolean {
  // The words in either order ("the period … is closed", "a closed period"): REST's own wording is
  // unconfirmed, and a closed period read as refused content would count towards disabling.
  return details.some((d) => ['CLOSED_TRAN_PRD', 'DATE_PRD_MISMATCH'].includes(d.code) || (/\bperiods?\b/i.test(d.detail) && /\b(closed|locked)\b/i.test(d.detail)));
}

/** NetSuite says the record changed while this write was in flight (a retry racing the first try): wait and retry. */
export function isRecordChanged(details: readonly NetSuiteErrorDetail[]): boolean {
  return details.some((d) => d.code === 'RCRD_HAS_BEEN_CHANGED');
}

export class NetSuiteNotFoundError extends NetSuiteError {
  readonly retryable = false;
  constructor(readonly url: string) {
    super(`NetSuite has no record at ${url} (NONEXISTENT_ID)`);
    this.name = 'NetSuiteNotFoundError';
  }
}

/** Reads NetSuite's REST error body (`o:errorDetails`), tolerating anything else. */
export function parseErrorDetails(body: unknown): NetSuiteErrorDetail[] {
  if (!body || typeof body !== 'object') return [];
  const details = (body as Record<string, unknown>)['o:errorDetails'];
  if (!Array.isArray(details)) return [];
  return details.map((d: Record<string, unknown>) => ({
    detail: String(d.detail ?? ''),
    code: String(d['o:errorCode'] ?? 'UNKNOWN'),
    ...(d['o:errorPath'] ? { path: String(d['o:errorPath']) } : {}),
  }));
}
