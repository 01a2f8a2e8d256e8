import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { verifyAssertion } from './assertion';
import { type EmulatorContext, TOKEN_PATH, tokenUrl } from './context';
import { OAuthError } from './errors';
import { type Outcome, governed } from './pipeline';
import type { Account } from './state';

const GRANT_TYPE = 'client_credentials';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export function registerTokenEndpoint(app: FastifyInstance, context: EmulatorContext): void {
  app.post<{ Params: { account: string }; Body: string }>(`/:account${TOKEN_PATH}`, (request, reply) =>
    governed(context, request, reply, { kind: 'token', authenticate: false }, (account) =>
      issueToken(context, account, request.headers['content-type'], request.body),
    ),
  );
}

async function issueToken(context: EmulatorContext, account: Account, contentType: string | undefined, body: unknown): Promise<Outcome> {
  if (!(contentType ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    throw new OAuthError(400, 'invalid_request', 'the token request must be application/x-www-form-urlencoded.');
  }
  const form = new URLSearchParams(typeof body === 'string' ? body : '');
  const grantType = form.get('grant_type');
  const assertionType = form.get('client_assertion_type');
  const assertion = form.get('client_assertion');
  if (grantType !== null && grantType !== GRANT_TYPE) {
    throw new OAuthError(400, 'unsupported_grant_type', `only grant_type=${GRANT_TYPE} is supported.`);
  }
  if (grantType === null || assertionType === null || assertion === null || assertion === '') {
    throw new OAuthError(400, 'invalid_request', 'grant_type, client_assertion_type and client_assertion are all required.');
  }
  if (assertionType !== ASSERTION_TYPE) {
    throw new OAuthError(400, 'invalid_request', `client_assertion_type must be ${ASSERTION_TYPE}.`);
  }

  await verifyAssertion(assertion, account, tokenUrl(context, account.hostForm), context.now());

  const accessToken = randomBytes(32).toString('base64url');
  context.state.tokens.set(accessToken, {
    accountId: account.id,
    expiresAt: context.now() + context.tokenTtlSeconds * 1000,
    revoked: false,
  });
  account.stats.tokensIssued += 1;
  return {
    status: 200,
    headers: { 'cache-control': 'no-store' },
    body: { access_token: accessToken, expires_in: context.tokenTtlSeconds, token_type: 'Bearer' },
  };
}
