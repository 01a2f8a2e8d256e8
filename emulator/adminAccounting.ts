import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ADMIN_PREFIX, AdminError, adminAccount, parse } from './admin';
import type { AccountingPeriodView, AdminTransaction } from './adminTypes';
import type { EmulatorContext } from './context';
import { PaymentRefused, recordPayment } from './payments';
import { PERIOD_PATTERN, periodName } from './periods';
import { sameExternalId } from './references';
import { renderTransaction } from './render';
import { type Account, PERIOD_LOCKS, type StoredTransaction, type TransactionType } from './state';
import { findTransaction, transactionsOf } from './transactions';

/**
 * The admin commands about transactions and the books: list invoices and credit memos as stored,
 * close or A/R-lock accounting periods, and record customer payments. Kept apart from `admin.ts`
 * (accounts, credentials, faults) so each concern can change without touching the other.
 */
type AccountParams = { Params: { accountId: string }; Body: string };
type PeriodParams = { Params: { accountId: string; period: string }; Body: string };

const periodLockInput = z.object({ kind: z.enum(PERIOD_LOCKS) });
const paymentInput = z
  .object({
    invoiceId: z.string().regex(/^\d+$/).optional(),
    externalId: z.string().min(1).optional(),
    amount: z.number().positive(),
  })
  .refine((input) => input.invoiceId !== undefined || input.externalId !== undefined, 'name the invoice by invoiceId or externalId');

/** The REST rendering with the sublist expanded, plus what only a test needs to see. */
export function adminTransactionView(context: EmulatorContext, account: Account, transaction: StoredTransaction): AdminTransaction {
  return {
    type: transaction.type,
    // Present on credit memos too, so both lists have one shape.
    amountPaid: transaction.paidCents / 100,
    ...renderTransaction(context, account, transaction, true),
    writes: transaction.writes,
  } as unknown as AdminTransaction;
}

function periodParam(raw: string): string {
  if (!PERIOD_PATTERN.test(raw)) throw new AdminError(400, `period must be a month YYYY-MM, got "${raw}"`);
  return raw;
}

function periodViews(account: Account): AccountingPeriodView[] {
  return [...account.periods.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([period, kind]) => ({ period, refName: periodName(period), kind }));
}

function paidInvoice(account: Account, input: { invoiceId?: string; externalId?: string }): StoredTransaction {
  const byId = input.invoiceId === undefined ? undefined : findTransaction(account, 'invoice', { id: input.invoiceId });
  const byExternalId = input.externalId === undefined ? undefined : findTransaction(account, 'invoice', { externalId: input.externalId });
  const invoice = byId ?? byExternalId;
  const name = [input.invoiceId, input.externalId].filter((part) => part !== undefined).join(' / ');
  if (invoice === undefined) throw new AdminError(404, `no invoice ${name} in account ${account.id}`);
  if (input.invoiceId !== undefined && input.externalId !== undefined && !(byId !== undefined && sameExternalId(byId.externalId, input.externalId))) {
    throw new AdminError(400, `invoiceId ${input.invoiceId} and externalId ${input.externalId} do not name the same invoice`);
  }
  return invoice;
}

export function registerAccountingAdminRoutes(app: FastifyInstance, context: EmulatorContext): void {
  const accountPath = `${ADMIN_PREFIX}/accounts/:accountId`;

  const list = (type: TransactionType, segment: string) =>
    app.get<AccountParams>(`${accountPath}/${segment}`, async (request): Promise<AdminTransaction[]> => {
      const account = adminAccount(context.state, request.params.accountId);
      return transactionsOf(account, type).map((transaction) => adminTransactionView(context, account, transaction));
    });
  list('invoice', 'invoices');
  list('creditMemo', 'creditMemos');

  app.get<AccountParams>(`${accountPath}/periods`, async (request) => periodViews(adminAccount(context.state, request.params.accountId)));

  app.put<PeriodParams>(`${accountPath}/periods/:period`, async (request): Promise<AccountingPeriodView> => {
    const account = adminAccount(context.state, request.params.accountId);
    const period = periodParam(request.params.period);
    const { kind } = parse(periodLockInput, request.body);
    account.periods.set(period, kind);
    return { period, refName: periodName(period), kind };
  });

  // Reopening an open period is a no-op, so a test's cleanup can always reopen.
  app.delete<PeriodParams>(`${accountPath}/periods/:period`, async (request, reply) => {
    const account = adminAccount(context.state, request.params.accountId);
    account.periods.delete(periodParam(request.params.period));
    return reply.code(204).send();
  });

  app.post<AccountParams>(`${accountPath}/payments`, async (request, reply) => {
    const account = adminAccount(context.state, request.params.accountId);
    const input = parse(paymentInput, request.body);
    const invoice = paidInvoice(account, input);
    try {
      recordPayment(invoice, input.amount);
    } catch (error) {
      if (error instanceof PaymentRefused) throw new AdminError(400, error.message);
      throw error;
    }
    return reply.code(201).send(adminTransactionView(context, account, invoice));
  });
}
