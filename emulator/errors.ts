/**
 * NetSuite's REST error envelope. Every REST refusal the emulator produces goes through here so that the
 * client under test only ever sees the shapes the real service documents.
 */
export interface ErrorDetail {
  detail: string;
  'o:errorCode': string;
  'o:errorPath'?: string;
}

export interface RestErrorBody {
  type: string;
  title: string;
  status: number;
  'o:errorCode'?: string;
  'o:errorDetails': ErrorDetail[];
}

export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly body: RestErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(body['o:errorDetails'][0]?.detail ?? body.title);
  }
}

const TYPES: Record<number, { type: string; title: string }> = {
  400: { type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1', title: 'Bad Request' },
  401: { type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.2', title: 'Unauthorized' },
  404: { type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.5', title: 'Not Found' },
  405: { type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.6', title: 'Method Not Allowed' },
  413: { type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.14', title: 'Content Too Large' },
  415: { type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.16', title: 'Unsupported Media Type' },
  500: { type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.6.1', title: 'Internal Server Error' },
};

export function restError(status: number, errorCode: string, detail: string, errorPath?: string): RestError {
  const kind = TYPES[status] ?? { type: 'https://www.rfc-editor.org/rfc/rfc9110.html', title: 'Error' };
  const entry: ErrorDetail = { detail, 'o:errorCode': errorCode };
  if (errorPath !== undefined) entry['o:errorPath'] = errorPath;
  return new RestError(status, { type: kind.type, title: kind.title, status, 'o:errorDetails': [entry] });
}

export function invalidContent(detail: string, errorPath: string): RestError {
  return restError(400, 'INVALID_CONTENT', detail, errorPath);
}

export function invalidRequest(detail: string): RestError {
  return restError(400, 'INVALID_REQUEST', detail);
}

export function nonexistentId(detail: string): RestError {
  return restError(404, 'NONEXISTENT_ID', detail);
}

export function unexpectedError(): RestError {
  return restError(500, 'UNEXPECTED_ERROR', 'An unexpected error occurred. Error ID: emulator-injected-fault');
}

export function invalidLogin(realm: string): RestError {
  const error = restError(
    401,
    'INVALID_LOGIN',
    'Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.',
  );
  return new RestError(401, error.body, { 'www-authenticate': `Bearer realm="${realm}", error="invalid_token"` });
}

/** The 429 body deviates from the others (rfc6585 type, a top-level o:errorCode, title "Bad Request"). */
export function concurrencyLimitExceeded(): RestError {
  return new RestError(429, {
    type: 'https://www.rfc-editor.org/rfc/rfc6585.html#section-4',
    title: 'Bad Request',
    status: 429,
    'o:errorCode': 'USER_ERROR',
    'o:errorDetails': [
      { detail: 'Concurrent request limit exceeded. Request blocked.', 'o:errorCode': 'CONCURRENCY_LIMIT_EXCEEDED' },
    ],
  });
}

/** OAuth 2.0 token endpoint refusals use RFC 6749's flat shape, not the REST envelope. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unsupported_grant_type'
  | 'invalid_scope';

export class OAuthError extends Error {
  constructor(
    readonly status: 400 | 401,
    readonly error: OAuthErrorCode,
    readonly description?: string,
  ) {
    super(description ?? error);
  }

  toBody(): { error: OAuthErrorCode; error_description?: string } {
    return this.description === undefined ? { error: this.error } : { error: this.error, error_description: this.description };
  }
}
