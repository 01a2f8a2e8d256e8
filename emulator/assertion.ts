import { decodeProtectedHeader, errors as joseErrors, importX509, jwtVerify, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import { OAuthError } from './errors';
import type { Account, Certificate } from './state';

/**
 * Checks a client assertion the way NetSuite's Login Audit Trail describes it. Each refusal carries the
 * audit-trail reason in `error_description`, which the real service hides from the caller; that makes
 * client bugs diagnosable in tests without weakening any check.
 */
export const ALLOWED_ALGORITHMS = ['PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'] as const;
export const KNOWN_SCOPES = ['restlets', 'rest_webservices', 'suite_analytics'] as const;
export const MAX_ASSERTION_VALIDITY_SECONDS = 3600;

export type RefusalReason =
  | 'MalformedAssertion'
  | 'InvalidHeader'
  | 'UnsupportedAlgo'
  | 'MissingKeyId'
  | 'MissingKey'
  | 'InvalidSignature'
  | 'InvalidIssuer'
  | 'InvalidAudience'
  | 'ScopeMismatched'
  | 'TokenValidityTooBroad'
  | 'TokenExpired'
  | 'TokenNotYetValid';

/** Problems with who signed the assertion are client authentication failures (401); the rest are grant problems. */
const CLIENT_REASONS: ReadonlySet<RefusalReason> = new Set(['MissingKeyId', 'MissingKey', 'InvalidSignature', 'InvalidIssuer']);

export function refuse(reason: RefusalReason, sentence: string): OAuthError {
  const description = `${reason}: ${sentence}`;
  if (reason === 'MalformedAssertion' || reason === 'InvalidHeader') return new OAuthError(400, 'invalid_request', description);
  if (CLIENT_REASONS.has(reason)) return new OAuthError(401, 'invalid_client', description);
  return new OAuthError(400, 'invalid_grant', description);
}

export interface VerifiedAssertion {
  certificate: Certificate;
  payload: JWTPayload;
}

export async function verifyAssertion(
  jwt: string,
  account: Account,
  expectedAudience: string,
  nowMs: number,
): Promise<VerifiedAssertion> {
  const header = readHeader(jwt);
  if (header.typ !== 'JWT') throw refuse('InvalidHeader', `the JWT header "typ" must be "JWT", got ${JSON.stringify(header.typ)}.`);
  const alg = header.alg;
  if (alg === undefined || !(ALLOWED_ALGORITHMS as readonly string[]).includes(alg)) {
    throw refuse('UnsupportedAlgo', `algorithm ${JSON.stringify(alg)} is not accepted; use one of ${ALLOWED_ALGORITHMS.join(', ')}.`);
  }
  if (typeof header.kid !== 'string' || header.kid === '') {
    throw refuse('MissingKeyId', 'the JWT header has no "kid"; set it to the certificate ID from the M2M setup page.');
  }
  const certificate = account.certificates.get(header.kid);
  if (certificate === undefined) {
    throw refuse('MissingKey', `no certificate with ID "${header.kid}" is registered for account ${account.id}.`);
  }

  let key: Awaited<ReturnType<typeof importX509>>;
  try {
    key = await importX509(certificate.certificatePem, alg);
  } catch {
    throw refuse('InvalidSignature', `certificate "${certificate.certificateId}" holds a key that cannot verify ${alg} signatures.`);
  }

  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(jwt, key, {
      algorithms: [alg],
      issuer: certificate.clientId,
      audience: expectedAudience,
      requiredClaims: ['iat', 'exp'],
      currentDate: new Date(nowMs),
    }));
  } catch (error) {
    throw mapVerifyError(error, certificate, expectedAudience);
  }

  checkValidityWindow(payload);
  checkScope(payload.scope);
  return { certificate, payload };
}

function readHeader(jwt: string): ProtectedHeaderParameters {
  try {
    if (jwt.split('.').length !== 3) throw new Error('not compact');
    return decodeProtectedHeader(jwt);
  } catch {
    throw refuse('MalformedAssertion', 'client_assertion is not a compact JWS (header.payload.signature).');
  }
}

function mapVerifyError(error: unknown, certificate: Certificate, audience: string): OAuthError {
  if (error instanceof joseErrors.JWTExpired) {
    return refuse('TokenExpired', 'the assertion "exp" is in the past.');
  }
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'iss':
        return refuse('InvalidIssuer', `"iss" must be the client ID "${certificate.clientId}" that the certificate is mapped to.`);
      case 'aud':
        return refuse('InvalidAudience', `"aud" must be the token endpoint URL ${audience}.`);
      case 'nbf':
        return refuse('TokenNotYetValid', 'the assertion "nbf" is in the future.');
      default:
        return refuse('TokenValidityTooBroad', `the assertion needs numeric "iat" and "exp" claims (${error.message}).`);
    }
  }
  if (error instanceof joseErrors.JWTInvalid) {
    return refuse('MalformedAssertion', 'the assertion payload is not a JSON object of claims.');
  }
  return refuse('InvalidSignature', `the signature does not verify against certificate "${certificate.certificateId}".`);
}

function checkValidityWindow(payload: JWTPayload): void {
  const { iat, exp } = payload;
  if (typeof iat !== 'number' || typeof exp !== 'number') {
    throw refuse('TokenValidityTooBroad', 'the assertion needs numeric "iat" and "exp" claims.');
  }
  if (exp - iat > MAX_ASSERTION_VALIDITY_SECONDS) {
    throw refuse('TokenValidityTooBroad', `"exp" is ${exp - iat} s after "iat"; at most ${MAX_ASSERTION_VALIDITY_SECONDS} s is allowed.`);
  }
}

/** Oracle's text asks for a comma-separated string while its own sample sends an array, so both count. */
function checkScope(scope: unknown): void {
  let values: unknown[];
  if (typeof scope === 'string') values = scope.split(',').map((part) => part.trim());
  else if (Array.isArray(scope)) values = scope;
  else throw refuse('ScopeMismatched', '"scope" is missing; send "rest_webservices" as a comma-separated string or a JSON array.');

  const unknown = values.filter((value) => typeof value !== 'string' || !(KNOWN_SCOPES as readonly string[]).includes(value));
  if (unknown.length > 0) {
    throw refuse('ScopeMismatched', `unknown scope value(s) ${JSON.stringify(unknown)}; allowed: ${KNOWN_SCOPES.join(', ')}.`);
  }
  if (!values.includes('rest_webservices')) {
    throw refuse('ScopeMismatched', '"scope" does not include "rest_webservices".');
  }
}
