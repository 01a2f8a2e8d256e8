import type { FastifyInstance } from 'fastify';
import { ADMIN_PREFIX, adminAccount } from './admin';
import type { AdminTransaction } from './adminTypes';
import type { EmulatorContext } from './context';
import { renderTransaction } from './render';
import type { Account, StoredTransaction, TransactionType } from './state';
import { transactionsOf } from './transactions';

/**
 * The admin commands about transactions: list invoices and credit memos as stored. Kept apart from
 * `admin.ts` (accounts, credentials, faults) so each concern can change without touching the other.
 */
type AccountParams = { Params: { accountId: string }; Body: string };

/** The REST rendering with the sublist expanded, plus what only a test needs to see. */
export function adminTransactionView(context: EmulatorContext, account: Account, transaction: StoredTransaction): AdminTransaction {
  return {
    type: transaction.type,
    ...renderTransaction(context, account, transaction, true),
    writes: transaction.writes,
  } as unknown as AdminTransaction;
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
}
