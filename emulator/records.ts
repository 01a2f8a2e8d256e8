import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type EmulatorContext, CUSTOMER_PATH, INVOICE_PATH, SUITEQL_PATH, accountBaseUrl, invoiceUrl } from './context';
import { invalidRequest, nonexistentId, restError } from './errors';
import { createInvoice, duplicateExternalId, findByExternalId, parseBody, updateInvoice } from './invoices';
import { type Outcome, governed } from './pipeline';
import { isValidExternalId, resolveReference, sameExternalId } from './references';
import { runSuiteQl } from './suiteql';
import { COLLECTION_CONTENT_TYPE, SINGULAR_CONTENT_TYPE, renderInvoice, renderItemSublist } from './render';
import type { Account, RequestKind, StoredInvoice } from './state';

/** The invoice endpoints of the REST record service. */
type Params = { account: string; ref: string };
type RecordRequest = FastifyRequest<{ Params: Params; Body: string; Querystring: Record<string, string | undefined> }>;

export function registerRecordRoutes(app: FastifyInstance, context: EmulatorContext): void {
  const collection = `/:account${INVOICE_PATH}`;
  const single = `${collection}/:ref`;

  const route = (kind: RequestKind, handle: (account: Account, request: RecordRequest) => Outcome, contentType?: string) =>
    (request: RecordRequest, reply: FastifyReply) =>
      governed(
        context,
        request,
        reply,
        { kind, authenticate: true, contentType: (outcome) => (outcome.status === 200 && contentType ? contentType : 'application/json') },
        async (account) => handle(account, request),
      );

  app.post(collection, route('create', (account, request) => {
    const body = readJson(request);
    if (typeof body.externalId === 'string' && findByExternalId(account, body.externalId) !== undefined) {
      throw duplicateExternalId(body.externalId);
    }
    return written(context, account, createInvoice(account, body, context.now()));
  }));

  app.put(single, route('upsert', (account, request) => {
    const externalId = parseRef(request.params.ref).externalId;
    if (externalId === undefined) {
      throw invalidRequest('Upsert (PUT) addresses the record by external ID: use /invoice/eid:<externalId>.');
    }
    const body = readJson(request);
    if (body.externalId !== undefined && !(typeof body.externalId === 'string' && sameExternalId(body.externalId, externalId))) {
      throw restError(400, 'INVALID_CONTENT', 'The externalId in the body differs from the one in the URL.', 'externalId');
    }
    const existing = findByExternalId(account, externalId);
    if (existing === undefined) return written(context, account, createInvoice(account, { ...body, externalId }, context.now()));
    // References are case-insensitive, so a differently cased URL must not rename the stored id.
    updateInvoice(account, existing, { ...body, externalId: existing.externalId }, replacesItems(request), context.now());
    return written(context, account, existing);
  }));

  app.patch(single, route('update', (account, request) => {
    const invoice = lookup(account, request.params.ref);
    updateInvoice(account, invoice, readJson(request), replacesItems(request), context.now());
    return written(context, account, invoice);
  }));

  app.get(single, route('read', (account, request) => {
    const invoice = lookup(account, request.params.ref);
    return { status: 200, body: renderInvoice(context, account, invoice, request.query.expandSubResources === 'true') };
  }, SINGULAR_CONTENT_TYPE));

  app.get(`${single}/item`, route('read', (account, request) => {
    const invoice = lookup(account, request.params.ref);
    return { status: 200, body: renderItemSublist(context, account, invoice) };
  }, COLLECTION_CONTENT_TYPE));

  // Read-only look-ups a configuration check makes: a customer by internal or external id, and SuiteQL.
  app.get(`/:account${CUSTOMER_PATH}/:ref`, route('read', (account, request) => {
    const { id, externalId } = parseRef(request.params.ref);
    const customer = externalId === undefined ? account.customers.get(id ?? '') : resolveReference({ externalId }, account.customers);
    if (customer === undefined) throw nonexistentId(`The record instance does not exist. Provide a valid record instance ID (customer ${request.params.ref}).`);
    const self = `${accountBaseUrl(context, account.hostForm)}${CUSTOMER_PATH}/${customer.id}`;
    return { status: 200, body: { links: [{ rel: 'self', href: self }], id: customer.id, entityId: customer.name, companyName: customer.name, ...(customer.externalId ? { externalId: customer.externalId } : {}) } };
  }, SINGULAR_CONTENT_TYPE));

  app.post(`/:account${SUITEQL_PATH}`, route('read', (account, request) => {
    // NetSuite runs SuiteQL over REST only as a transient request.
    if (!/\btransient\b/i.test(String(request.headers.prefer ?? ''))) throw invalidRequest('SuiteQL requests need the header "Prefer: transient".');
    const body = readJson(request);
    return { status: 200, body: runSuiteQl(account, body.q) };
  }));
}

function written(context: EmulatorContext, account: Account, invoice: StoredInvoice): Outcome {
  return { status: 204, headers: { location: invoiceUrl(context, account.hostForm, invoice.id) } };
}

function readJson(request: RecordRequest) {
  const contentType = (request.headers['content-type'] ?? '').toLowerCase();
  if (!contentType.startsWith('application/json')) {
    throw restError(415, 'INVALID_REQUEST', `Content-Type must be application/json, got "${contentType}".`);
  }
  return parseBody(request.body);
}

function replacesItems(request: RecordRequest): boolean {
  return (request.query.replace ?? '').split(',').map((part) => part.trim()).includes('item');
}

function parseRef(ref: string): { id?: string; externalId?: string } {
  if (ref.toLowerCase().startsWith('eid:')) {
    const externalId = ref.slice(4);
    if (!isValidExternalId(externalId)) {
      throw invalidRequest(`Invalid external ID "${externalId}": use only letters, digits, "_" and "-".`);
    }
    return { externalId };
  }
  return { id: ref };
}

function lookup(account: Account, ref: string): StoredInvoice {
  const { id, externalId } = parseRef(ref);
  const invoice = externalId === undefined ? account.invoices.get(id ?? '') : findByExternalId(account, externalId);
  if (invoice === undefined) {
    throw nonexistentId(`The record instance does not exist. Provide a valid record instance ID (invoice ${ref}).`);
  }
  return invoice;
}
