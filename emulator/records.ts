import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type EmulatorContext, RECORD_PATH, recordUrl } from './context';
import { invalidRequest, nonexistentId, restError } from './errors';
import { type Outcome, governed } from './pipeline';
import { isValidExternalId, sameExternalId } from './references';
import { COLLECTION_CONTENT_TYPE, SINGULAR_CONTENT_TYPE, renderItemSublist, renderTransaction } from './render';
import type { RequestKind } from './requestKinds';
import { type Account, type StoredTransaction, TRANSACTION_TYPES, type TransactionType } from './state';
import {
  createTransaction,
  deleteTransaction,
  duplicateExternalId,
  findByExternalId,
  findTransaction,
  parseBody,
  updateTransaction,
} from './transactions';

/** The transaction endpoints of the REST record service: the same routes for `invoice` and `creditMemo`. */
type Params = { account: string; ref: string };
export type RecordRequest = FastifyRequest<{ Params: Params; Body: string; Querystring: Record<string, string | undefined> }>;

/** A record route behind the governance pipeline; only a 200 carries the resource's own media type. */
export function recordRoute(
  context: EmulatorContext,
  kind: RequestKind,
  handle: (account: Account, request: RecordRequest) => Outcome,
  contentType?: string,
) {
  return (request: RecordRequest, reply: FastifyReply) =>
    governed(
      context,
      request,
      reply,
      { kind, authenticate: true, contentType: (outcome) => (outcome.status === 200 && contentType ? contentType : 'application/json') },
      async (account) => handle(account, request),
    );
}

export function registerRecordRoutes(app: FastifyInstance, context: EmulatorContext): void {
  for (const type of TRANSACTION_TYPES) registerTransactionRoutes(app, context, type);
}

function registerTransactionRoutes(app: FastifyInstance, context: EmulatorContext, type: TransactionType): void {
  const collection = `/:account${RECORD_PATH}/${type}`;
  const single = `${collection}/:ref`;
  const route = (kind: RequestKind, handle: (account: Account, request: RecordRequest) => Outcome, contentType?: string) =>
    recordRoute(context, kind, handle, contentType);
  const lookup = (account: Account, ref: string): StoredTransaction => {
    const found = findTransaction(account, type, parseRef(ref));
    if (found === undefined) {
      throw nonexistentId(`The record instance does not exist. Provide a valid record instance ID (${type} ${ref}).`);
    }
    return found;
  };

  app.post(collection, route('create', (account, request) => {
    const body = readJson(request);
    if (typeof body.externalId === 'string' && findByExternalId(account, body.externalId) !== undefined) {
      throw duplicateExternalId(body.externalId);
    }
    return written(context, account, createTransaction(account, type, body, context.now()));
  }));

  app.put(single, route('upsert', (account, request) => {
    const externalId = parseRef(request.params.ref).externalId;
    if (externalId === undefined) {
      throw invalidRequest(`Upsert (PUT) addresses the record by external ID: use /${type}/eid:<externalId>.`);
    }
    const body = readJson(request);
    if (body.externalId !== undefined && !(typeof body.externalId === 'string' && sameExternalId(body.externalId, externalId))) {
      throw restError(400, 'INVALID_CONTENT', 'The externalId in the body differs from the one in the URL.', 'externalId');
    }
    const existing = findByExternalId(account, externalId);
    if (existing === undefined) return written(context, account, createTransaction(account, type, { ...body, externalId }, context.now()));
    // One namespace for all transactions: an invoice's external id cannot become a credit memo's.
    if (existing.type !== type) throw duplicateExternalId(externalId);
    // References are case-insensitive, so a differently cased URL must not rename the stored id.
    updateTransaction(account, existing, { ...body, externalId: existing.externalId }, replacesItems(request), context.now());
    return written(context, account, existing);
  }));

  app.patch(single, route('update', (account, request) => {
    const transaction = lookup(account, request.params.ref);
    updateTransaction(account, transaction, readJson(request), replacesItems(request), context.now());
    return written(context, account, transaction);
  }));

  app.delete(single, route('delete', (account, request) => {
    deleteTransaction(account, lookup(account, request.params.ref));
    return { status: 204 };
  }));

  app.get(single, route('read', (account, request) => {
    const transaction = lookup(account, request.params.ref);
    return { status: 200, body: renderTransaction(context, account, transaction, request.query.expandSubResources === 'true') };
  }, SINGULAR_CONTENT_TYPE));

  app.get(`${single}/item`, route('read', (account, request) => {
    const transaction = lookup(account, request.params.ref);
    return { status: 200, body: renderItemSublist(context, account, transaction) };
  }, COLLECTION_CONTENT_TYPE));
}

function written(context: EmulatorContext, account: Account, transaction: StoredTransaction): Outcome {
  return { status: 204, headers: { location: recordUrl(context, account.hostForm, transaction.type, transaction.id) } };
}

export function readJson(request: RecordRequest) {
  const contentType = (request.headers['content-type'] ?? '').toLowerCase();
  if (!contentType.startsWith('application/json')) {
    throw restError(415, 'INVALID_REQUEST', `Content-Type must be application/json, got "${contentType}".`);
  }
  return parseBody(request.body);
}

function replacesItems(request: RecordRequest): boolean {
  return (request.query.replace ?? '').split(',').map((part) => part.trim()).includes('item');
}

/** `123` or `eid:acme-1`, the two ways a record is addressed in a URL. */
export function parseRef(ref: string): { id?: string; externalId?: string } {
  if (ref.toLowerCase().startsWith('eid:')) {
    const externalId = ref.slice(4);
    if (!isValidExternalId(externalId)) {
      throw invalidRequest(`Invalid external ID "${externalId}": use only letters, digits, "_" and "-".`);
    }
    return { externalId };
  }
  return { id: ref };
}
