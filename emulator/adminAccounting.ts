import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ADMIN_PREFIX, AdminError, adminAccount, parse } from './admin';
import type { AdminTransaction } from './adminTypes';
import type { EmulatorContext } from './context';
import { PaymentRefused, recordPayment } from './payments';
import { sameExternalId } from './references';
import { renderTransaction } from './render';
import type { Account, StoredTransaction, TransactionType } from './state';
import { findTransaction, transactionsOf } from './transactions';

/**
 * The admin commands about transactions: list invoices and credit memos as stored, and record customer
 * payments. Kept apart from `admin.ts` (accounts, credentials, faults) so each concern can change
 * without touching the other.
 */
type AccountParams = { Params: { accountId: string }; Body: string };

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
