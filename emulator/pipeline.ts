import type { FastifyReply, FastifyRequest } from 'fastify';
import { tryNormaliseAccountId } from './accountId';
import { releaseSlot, tryAcquireSlot } from './concurrency';
import type { EmulatorContext } from './context';
import { OAuthError, RestError, concurrencyLimitExceeded, invalidLogin, restError, unexpectedError } from './errors';
import { countFault, parseLatency, rollFault, takeScriptedFault } from './faults';
import type { FaultAction } from './faultTypes';
import type { RequestKind } from './requestKinds';
import type { Account } from './state';

/**
 * The governance every account-scoped request goes through, in the order a client would notice it:
 * account, concurrency slot, latency, authentication, injected faults, then the real work.
 */
export interface Outcome {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export type Work = (account: Account) => Promise<Outcome>;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function errorOutcome(error: unknown): Outcome {
  if (error instanceof RestError) return { status: error.status, headers: error.headers, body: error.body };
  if (error instanceof OAuthError) return { status: error.status, body: error.toBody() };
  const unexpected = unexpectedError();
  return { status: unexpected.status, body: unexpected.body };
}

export function send(reply: FastifyReply, outcome: Outcome, contentType = 'application/json'): FastifyReply {
  reply.code(outcome.status);
  for (const [name, value] of Object.entries(outcome.headers ?? {})) reply.header(name, value);
  if (outcome.body === undefined) return reply.send();
  // A Buffer keeps Fastify from rewriting the media type (it would quote type=singular and add a charset).
  return reply.header('content-type', contentType).send(Buffer.from(JSON.stringify(outcome.body)));
}

/** Ends the exchange without any HTTP answer, as a dropped connection or a crashed proxy would. */
function destroyConnection(request: FastifyRequest, reply: FastifyReply): void {
  reply.hijack();
  request.raw.socket.destroy();
}

function unknownAccount(raw: string): RestError {
  return restError(404, 'INVALID_ACCOUNT', `Account "${raw}" is not known to this NetSuite emulator; create it through /_admin/accounts first.`);
}

export function resolveAccount(context: EmulatorContext, raw: string): Account | undefined {
  return context.state.findAccount(tryNormaliseAccountId(raw));
}

interface Options {
  kind: RequestKind;
  /** Record requests need a bearer token; the token endpoint is the one place that hands them out. */
  authenticate: boolean;
  contentType?: (outcome: Outcome) => string;
}

export async function governed(
  context: EmulatorContext,
  request: FastifyRequest<{ Params: { account: string } }>,
  reply: FastifyReply,
  options: Options,
  work: Work,
): Promise<FastifyReply | void> {
  const account = resolveAccount(context, request.params.account);
  if (account === undefined) return send(reply, errorOutcome(unknownAccount(request.params.account)));
  account.stats.requests[options.kind] += 1;

  if (!tryAcquireSlot(account)) return send(reply, errorOutcome(concurrencyLimitExceeded()));
  try {
    if (options.authenticate) {
      if (account.latencyMs > 0) await sleep(account.latencyMs);
      maybeRevokePeriodically(context, account);
      if (!isAuthorised(context, account, request.headers.authorization)) {
        account.stats.unauthorized += 1;
        return send(reply, errorOutcome(invalidLogin(account.id)));
      }
    }

    const action = await pickFault(account, options.kind, options.authenticate);
    if (action !== undefined) countFault(account, action);
    switch (action) {
      case 'drop':
        return destroyConnection(request, reply);
      case 'error500':
        return send(reply, errorOutcome(unexpectedError()));
      case 'error429':
        return send(reply, errorOutcome(concurrencyLimitExceeded()));
      case 'revokeTokens':
        context.state.revokeTokens(account.id);
        return send(
          reply,
          options.kind === 'token'
            ? errorOutcome(new OAuthError(401, 'invalid_client', 'TokensRevoked: every token of this account was revoked by an injected fault.'))
            : errorOutcome(invalidLogin(account.id)),
        );
      default:
        break;
    }

    let outcome: Outcome;
    try {
      outcome = await work(account);
    } catch (error) {
      outcome = errorOutcome(error);
    }
    // The write has happened; the client just never hears about it (a timeout at a proxy, a reset).
    if (action === 'lostAnswer') return destroyConnection(request, reply);
    return send(reply, outcome, options.contentType?.(outcome));
  } finally {
    releaseSlot(account);
  }
}

async function pickFault(account: Account, kind: RequestKind, rateEligible: boolean): Promise<FaultAction | undefined> {
  const scripted = takeScriptedFault(account, kind);
  if (scripted !== undefined) {
    const delay = parseLatency(scripted.kind);
    if (delay === undefined) return scripted.kind as FaultAction;
    countFault(account, 'latency');
    await sleep(delay);
    return undefined;
  }
  return rateEligible ? rollFault(account) : undefined;
}

function maybeRevokePeriodically(context: EmulatorContext, account: Account): void {
  account.recordRequestCount += 1;
  const every = account.revokeTokensEveryN;
  if (every !== undefined && every > 0 && account.recordRequestCount % every === 0) {
    countFault(account, 'revokeTokensEveryN');
    context.state.revokeTokens(account.id);
  }
}

function isAuthorised(context: EmulatorContext, account: Account, header: string | undefined): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  const token = match?.[1] === undefined ? undefined : context.state.tokens.get(match[1]);
  return token !== undefined && token.accountId === account.id && !token.revoked && token.expiresAt > context.now();
}
