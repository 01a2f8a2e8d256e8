import { X509Certificate } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { normaliseAccountId } from './accountId';
import type { AccountDetail, AccountSummary, EmulatorStats } from './adminTypes';
import { resetPeak } from './concurrency';
import { type EmulatorContext, accountBaseUrl, tokenUrl } from './context';
import { normaliseFault } from './faults';
import type { FaultSpec } from './faultTypes';
import { RECORD_OPERATIONS } from './requestKinds';
import { type Account, CLOSED_PERIOD_CREATES, type ClosedPeriodCreates, type EmulatorState, type ReferenceTarget, accountRng, newAccount } from './state';

/**
 * Test-only control plane: seeds accounts and master data, scripts faults, and exposes what the service
 * under test actually did (invoices with write counts, concurrency peaks). No authentication on purpose.
 */
export const ADMIN_PREFIX = '/_admin';

export class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function isAdminError(error: unknown): error is AdminError {
  return error instanceof AdminError;
}

type AccountParams = { Params: { accountId: string }; Body: string };

const nonNegativeInt = z.number().int().min(0);
const accountInput = z.object({
  accountId: z.string(),
  concurrencyLimit: nonNegativeInt.optional(),
  latencyMs: nonNegativeInt.optional(),
});
const settingsInput = z.object({
  concurrencyLimit: nonNegativeInt.optional(),
  latencyMs: nonNegativeInt.optional(),
  revokeTokensEveryN: z.number().int().min(1).nullable().optional(),
  closedPeriodCreates: z.enum(CLOSED_PERIOD_CREATES).optional(),
});
const certificateInput = z.object({ certificateId: z.string().min(1), clientId: z.string().min(1), certificatePem: z.string().min(1) });
const referenceInput = z.object({
  id: z.union([z.string().regex(/^\d+$/), z.number().int().min(1)]).optional(),
  externalId: z.string().min(1).optional(),
  name: z.string().min(1),
});
const customFieldInput = z.object({ scriptId: z.string().regex(/^custcol[a-z0-9_]+$/, 'expected a scriptId like custcol_m3ter_line') });
const faultTarget = z.enum(['token', 'record']);
const faultInput = z.object({
  faults: z.array(
    z.union([
      z.string(),
      z.object({ kind: z.string(), target: faultTarget.optional(), operation: z.enum(RECORD_OPERATIONS).optional() }),
    ]),
  ),
});
const rate = z.number().min(0).max(1).optional();
const ratesInput = z.object({
  error500Rate: rate,
  error429Rate: rate,
  dropRate: rate,
  lostAnswerRate: rate,
  seed: z.number().int().optional(),
});

export function parse<T>(schema: z.ZodType<T>, raw: unknown): T {
  let value: unknown = {};
  if (typeof raw === 'string' && raw.trim() !== '') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new AdminError(400, 'request body is not valid JSON');
    }
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new AdminError(400, result.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; '));
  }
  return result.data;
}

function ids(raw: string) {
  try {
    return normaliseAccountId(raw);
  } catch (error) {
    throw new AdminError(400, (error as Error).message);
  }
}

/** The account an admin path names, in either id form; 404 when it was never created. */
export function adminAccount(state: EmulatorState, rawAccountId: string): Account {
  const found = state.findAccount(ids(rawAccountId));
  if (found === undefined) throw new AdminError(404, `account ${rawAccountId} does not exist`);
  return found;
}

export function registerAdminRoutes(app: FastifyInstance, context: EmulatorContext): void {
  const { state } = context;

  const account = (request: FastifyRequest<AccountParams>): Account => adminAccount(state, request.params.accountId);

  const summary = (acc: Account): AccountSummary => ({
    accountId: acc.id,
    hostForm: acc.hostForm,
    baseUrl: accountBaseUrl(context, acc.hostForm),
    tokenUrl: tokenUrl(context, acc.hostForm),
    concurrencyLimit: acc.concurrencyLimit,
    latencyMs: acc.latencyMs,
    revokeTokensEveryN: acc.revokeTokensEveryN ?? null,
    closedPeriodCreates: acc.closedPeriodCreates,
  });

  const stats = (acc: Account): EmulatorStats => ({
    ...structuredClone(acc.stats),
    pendingFaults: acc.faultQueue.length,
  });

  app.post(`${ADMIN_PREFIX}/reset`, async (_request, reply) => {
    state.reset();
    return reply.code(204).send();
  });

  app.get(`${ADMIN_PREFIX}/accounts`, async () => [...state.accounts.values()].map(summary));

  app.post<{ Body: string }>(`${ADMIN_PREFIX}/accounts`, async (request, reply) => {
    const input = parse(accountInput, request.body);
    const accountIds = ids(input.accountId);
    const existing = state.findAccount(accountIds);
    if (existing !== undefined) {
      // Idempotent so suites sharing one emulator can all "create" the same account.
      applySettings(existing, input);
      return reply.code(200).send(summary(existing));
    }
    const created = newAccount(accountIds, state.seed, input);
    state.accounts.set(created.id, created);
    return reply.code(201).send(summary(created));
  });

  app.get<AccountParams>(`${ADMIN_PREFIX}/accounts/:accountId`, async (request): Promise<AccountDetail> => {
    const acc = account(request);
    return {
      ...summary(acc),
      certificates: [...acc.certificates.values()].map(({ certificateId, clientId }) => ({ certificateId, clientId })),
      customers: [...acc.customers.values()],
      items: [...acc.items.values()],
      customFields: [...acc.customFields],
    };
  });

  app.patch<AccountParams>(`${ADMIN_PREFIX}/accounts/:accountId/settings`, async (request) => {
    const acc = account(request);
    applySettings(acc, parse(settingsInput, request.body));
    return summary(acc);
  });

  app.post<AccountParams>(`${ADMIN_PREFIX}/accounts/:accountId/certificates`, async (request, reply) => {
    const acc = account(request);
    const input = parse(certificateInput, request.body);
    try {
      new X509Certificate(input.certificatePem);
    } catch (error) {
      throw new AdminError(400, `certificatePem is not an x.509 certificate: ${(error as Error).message}`);
    }
    acc.certificates.set(input.certificateId, input);
    return reply.code(201).send({ certificateId: input.certificateId, clientId: input.clientId });
  });

  app.delete<{ Params: { accountId: string; certificateId: string }; Body: string }>(
    `${ADMIN_PREFIX}/accounts/:accountId/certificates/:certificateId`,
    async (request, reply) => {
      const acc = account(request);
      if (!acc.certificates.delete(request.params.certificateId)) throw new AdminError(404, 'no such certificate');
      return reply.code(204).send();
    },
  );

  for (const [path, pick] of [
    ['customers', (acc: Account) => acc.customers],
    ['items', (acc: Account) => acc.items],
  ] as const) {
    app.post<AccountParams>(`${ADMIN_PREFIX}/accounts/:accountId/${path}`, async (request, reply) => {
      const acc = account(request);
      const input = parse(referenceInput, request.body);
      const target = addReference(acc, pick(acc), input);
      return reply.code(201).send(target);
    });
  }

  app.post<AccountParams>(`${ADMIN_PREFIX}/accounts/:accountId/customFields`, async (request, reply) => {
    const acc = account(request);
    const { scriptId } = parse(customFieldInput, request.body);
    acc.customFields.add(scriptId);
    return reply.code(201).send({ scriptId });
  });

  app.get<AccountParams>(`${ADMIN_PREFIX}/accounts/:accountId/stats`, async (request) => stats(account(request)));

  app.post<AccountParams>(`${ADMIN_PREFIX}/accounts/:accountId/stats/resetPeak`, async (request) => {
    const acc = account(request);
    resetPeak(acc);
    return stats(acc);
  });

  app.get<AccountParams>(`${ADMIN_PREFIX}/accounts/:accountId/faults`, async (request) => account(request).faultQueue);

  app.post<AccountParams>(`${ADMIN_PREFIX}/accounts/:accountId/faults`, async (request) => {
    const acc = account(request);
    const { faults } = parse(faultInput, request.body);
    let scripted;
    try {
      scripted = faults.map((fault) => normaliseFault(fault as FaultSpec));
    } catch (error) {
      throw new AdminError(400, (error as Error).message);
    }
    acc.faultQueue.push(...scripted);
    return { pendingFaults: acc.faultQueue.length };
  });

  app.delete<AccountParams>(`${ADMIN_PREFIX}/accounts/:accountId/faults`, async (request, reply) => {
    account(request).faultQueue.length = 0;
    return reply.code(204).send();
  });

  app.put<AccountParams>(`${ADMIN_PREFIX}/accounts/:accountId/faultRates`, async (request) => {
    const acc = account(request);
    const { seed, ...rates } = parse(ratesInput, request.body);
    const total = Object.values(rates).reduce<number>((sum, value) => sum + (value ?? 0), 0);
    if (total > 1) throw new AdminError(400, 'fault rates add up to more than 1');
    acc.faultRates = rates;
    if (seed !== undefined) acc.rng = accountRng(seed, acc.id);
    return acc.faultRates;
  });

  app.post<AccountParams>(`${ADMIN_PREFIX}/accounts/:accountId/revokeTokens`, async (request) => ({
    revoked: state.revokeTokens(account(request).id),
  }));

  // Every access token ever issued for the account, so tests can prove none leaked into logs or history.
  app.get<AccountParams>(`${ADMIN_PREFIX}/accounts/:accountId/issuedTokens`, async (request) => {
    const id = account(request).id;
    return [...state.tokens.entries()].filter(([, token]) => token.accountId === id).map(([value]) => value);
  });
}

function applySettings(
  acc: Account,
  settings: { concurrencyLimit?: number; latencyMs?: number; revokeTokensEveryN?: number | null; closedPeriodCreates?: ClosedPeriodCreates },
): void {
  if (settings.concurrencyLimit !== undefined) acc.concurrencyLimit = settings.concurrencyLimit;
  if (settings.latencyMs !== undefined) acc.latencyMs = settings.latencyMs;
  if (settings.revokeTokensEveryN !== undefined) {
    acc.revokeTokensEveryN = settings.revokeTokensEveryN ?? undefined;
    // Count from the moment it is switched on, so "every N" means the next N requests from here.
    acc.recordRequestCount = 0;
  }
  if (settings.closedPeriodCreates !== undefined) acc.closedPeriodCreates = settings.closedPeriodCreates;
}

function addReference(
  acc: Account,
  targets: Map<string, ReferenceTarget>,
  input: { id?: string | number; externalId?: string; name: string },
): ReferenceTarget {
  let id = input.id === undefined ? undefined : String(input.id);
  if (id !== undefined && targets.has(id)) throw new AdminError(409, `id ${id} is already registered`);
  if (input.externalId !== undefined) {
    const lower = input.externalId.toLowerCase();
    if ([...targets.values()].some((target) => target.externalId?.toLowerCase() === lower)) {
      throw new AdminError(409, `externalId ${input.externalId} is already registered`);
    }
  }
  while (id === undefined || targets.has(id)) id = String(acc.nextReferenceId++);
  const target: ReferenceTarget = { id, name: input.name, ...(input.externalId === undefined ? {} : { externalId: input.externalId }) };
  targets.set(id, target);
  return target;
}

export function sendAdminError(reply: FastifyReply, error: AdminError): FastifyReply {
  return reply.code(error.status).type('application/json').send(JSON.stringify({ error: error.message }));
}
