import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  BillStateError,
  type BillWithAccountCode,
  deleteBill,
  existingBillIds,
  getBillWithAccountCode,
  countCurrentLineItems,
  getCurrentLineItems,
  getLatestBill,
  getLineItems,
  listBills,
  lockBill,
  reopenBill,
} from '../../db/bills';
import { BILL_STATUSES, BILLING_FREQUENCIES, billInputSchema, billsWithinLineBudget, isoDate, storedLineItemSchema, type LineItem } from '../../domain/bill';
import { approveAndHandOff, saveAndHandOff } from '../../usecases/bills';
import { refuseMirrored } from '../../usecases/ownership';
import { actorOf, orgOf } from '../auth';
import type { ApiDeps } from '../deps';
import { BODY_LIMITS } from '../bodyLimits';
import { ApiError, notFound } from '../errors';
import { commaList, decodeNextToken, listEnvelope, page, pageQuery } from '../pagination';
import { commonFields, errorResponses, iso, orgIdParams, orgParams, queryBoolean } from '../schemas';

/**
 * Adds an issue for every string that PostgreSQL can't store (text and jsonb refuse U+0000), naming
 * its field, so such input is a 400 rather than a database error.
 */
export function refuseNulCharacters(value: unknown, ctx: z.RefinementCtx, path: (string | number)[] = []): void {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) ctx.addIssue({ code: 'custom', path, message: 'must not contain the NUL character (U+0000)' });
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => refuseNulCharacters(item, ctx, [...path, index]));
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes('\u0000')) ctx.addIssue({ code: 'custom', path: [...path, key], message: 'field names must not contain the NUL character (U+0000)' });
      refuseNulCharacters(item, ctx, [...path, key]);
    }
  }
}

/** The bill the billing engine sends; the id comes from the path. */
const billBody = billInputSchema.omit({ id: true }).superRefine((bill, ctx) => refuseNulCharacters(bill, ctx));

/** A stored line item, as the domain defines it. */
const lineItemResponse = storedLineItemSchema.extend({ billId: z.string() });


const billSchema = z.object({
  ...commonFields,
  accountId: z.string(),
  accountCode: z.string().optional(),
  billDate: z.string(),
  dueDate: z.string().optional(),
  startDate: z.string().optional(),
  endDate: z.string().optional(),
  billingFrequency: z.enum(BILLING_FREQUENCIES).optional(),
  billTotal: z.number(),
  currency: z.string(),
  status: z.enum(BILL_STATUSES),
  locked: z.boolean(),
  dtApproved: z.string().optional(),
  approvedBy: z.string().optional(),
  externalInvoiceDate: z.string().optional(),
  externalInvoiceReference: z.string().optional(),
  sequentialInvoiceNumber: z.string().optional(),
  purchaseOrderNumber: z.string().optional(),
  timezone: z.string().optional(),
  lastCalculatedDate: z.string().optional(),
  lineItems: z.array(lineItemResponse).optional(),
});

const toLineItem = (billId: string, l: LineItem) => ({ ...l, billId });

const toBill = (b: BillWithAccountCode, lineItems?: LineItem[]) => ({
  id: b.id,
  version: b.version,
  accountId: b.accountId,
  accountCode: b.accountCode ?? undefined,
  billDate: b.billDate,
  dueDate: b.dueDate ?? undefined,
  startDate: b.startDate ?? undefined,
  endDate: b.endDate ?? undefined,
  billingFrequency: (b.billingFrequency ?? undefined) as (typeof BILLING_FREQUENCIES)[number] | undefined,
  billTotal: Number(b.billTotal),
  currency: b.currency,
  status: b.status,
  locked: b.locked,
  dtApproved: iso(b.dtApproved),
  approvedBy: b.approvedBy ?? undefined,
  externalInvoiceDate: b.externalInvoiceDate ?? undefined,
  externalInvoiceReference: b.externalInvoiceReference ?? undefined,
  sequentialInvoiceNumber: b.sequentialInvoiceNumber ?? undefined,
  purchaseOrderNumber: b.purchaseOrderNumber ?? undefined,
  timezone: b.timezone ?? undefined,
  lastCalculatedDate: iso(b.lastCalculatedDate),
  lineItems: lineItems?.map((l) => toLineItem(b.id, l)),
  dtCreated: iso(b.dtCreated),
  dtLastModified: iso(b.dtLastModified),
});

const billParams = z.object({ orgId: z.string().uuid(), billId: z.string().uuid() });
const accountParams = z.object({ orgId: z.string().uuid(), accountId: z.string().uuid() });
const lineItemParams = z.object({ orgId: z.string().uuid(), billId: z.string().uuid(), id: z.string() });


/**
 * m3ter's bills (list, get, delete, latest, approve, status, lock, line items) plus our documented
 * extension `PUT /bills/{id}`, through which the billing engine upstream creates or recalculates a bill.
 */
export function registerBillRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['bills'];

  async function billView(org: string, id: string) {
    const bill = await getBillWithAccountCode(deps.db, org, id);
    if (!bill) throw notFound(`bill ${id}`);
    return toBill(bill, await getLineItems(deps.db, bill.id, bill.version));
  }

  function refuseState<T>(work: () => Promise<T>): Promise<T> {
    return work().catch((error: unknown) => {
      throw error instanceof BillStateError ? new ApiError(409, error.message) : error;
    });
  }

  r.get(
    '/organizations/:orgId/bills',
    {
      schema: {
        tags,
        summary: 'List bills',
        params: orgParams,
        querystring: z.object({
          accountId: z.string().optional().refine((v) => !v?.includes('\u0000'), 'must not contain the NUL character (U+0000)'),
          billDate: isoDate.optional(),
          billDateStart: isoDate.optional().describe('inclusive'),
          billDateEnd: isoDate.optional().describe('exclusive'),
          ids: commaList,
          status: z.enum(BILL_STATUSES).optional(),
          billingFrequency: z.enum(BILLING_FREQUENCIES).optional(),
          locked: queryBoolean,
          excludeLineItems: queryBoolean,
          ...pageQuery(200),
        }),
        response: { 200: listEnvelope(billSchema), ...errorResponses },
      },
    },
    async (request) => {
      const { nextToken, pageSize: size, excludeLineItems, ...filter } = request.query;
      const offset = decodeNextToken(nextToken);
      const pageSize = size ?? 200;
      const bills = await listBills(deps.db, orgOf(request), { ...filter, offset, limit: pageSize + 1 });
      if (excludeLineItems) return page(bills.map((b) => toBill(b)), offset, pageSize);
      // With their lines, a page ends early (its nextToken goes on from there) rather than grow past
      // one bill's worth of lines, whatever the page size asked for.
      const candidates = bills.slice(0, pageSize);
      const counts = await countCurrentLineItems(deps.db, candidates);
      const fit = billsWithinLineBudget(candidates.map((b) => counts.get(b.id) ?? 0));
      const lineItems = await getCurrentLineItems(deps.db, candidates.slice(0, fit));
      return page(
        bills.slice(0, fit + 1).map((b) => toBill(b, lineItems.get(b.id))),
        offset,
        fit,
      );
    },
  );

  r.get(
    '/organizations/:orgId/bills/latest/:accountId',
    { schema: { tags, summary: "An account's bill with the latest bill date", params: accountParams, response: { 200: billSchema, ...errorResponses } } },
    async (request) => {
      const bill = await getLatestBill(deps.db, orgOf(request), request.params.accountId);
      if (!bill) throw notFound(`bill for account ${request.params.accountId}`);
      return toBill(bill, await getLineItems(deps.db, bill.id, bill.version));
    },
  );

  r.post(
    '/organizations/:orgId/bills/approve',
    {
      schema: {
        tags,
        summary: 'Approve bills; each approval is sent to the NetSuite integrations',
        params: orgParams,
        body: z.object({ billIds: z.array(z.string().uuid()).min(1).max(1000) }),
        response: { 200: z.object({ message: z.string() }), ...errorResponses },
      },
    },
    async (request) => {
      const org = orgOf(request);
      const billIds = [...new Set(request.body.billIds)];
      const found = new Set(await existingBillIds(deps.db, org, billIds));
      const missing = billIds.filter((id) => !found.has(id));
      if (missing.length > 0) throw new ApiError(404, `billIds: no bill ${missing.join(', ')} in this organization; nothing was approved`);
      const { approved } = await approveAndHandOff(deps.db, org, billIds, actorOf(request));
      return { message: `Approved ${approved.length} bill${approved.length === 1 ? '' : 's'}` };
    },
  );

  r.get('/organizations/:orgId/bills/:id', { schema: { tags, summary: 'Retrieve a bill with its line items', params: orgIdParams, response: { 200: billSchema, ...errorResponses } } }, async (request) =>
    billView(orgOf(request), request.params.id),
  );

  r.put(
    '/organizations/:orgId/bills/:id',
    {
      bodyLimit: BODY_LIMITS.bill,
      schema: {
        tags,
        summary: 'Create or recalculate a bill (our extension: m3ter has no public endpoint for this)',
        description:
          'The billing engine upstream sends the whole bill with its line items. The id comes from the path: an unknown id creates the bill (version 1), a known one ' +
          'recalculates it (a new version; an APPROVED bill goes back to PENDING; a locked bill is refused with 409). An id that is not free for this organization is refused with 409 too. ' +
          'Either way the NetSuite integrations hear of it.',
        params: orgIdParams,
        body: billBody,
        response: { 200: billSchema, ...errorResponses },
      },
    },
    async (request) => {
      const org = orgOf(request);
      const { bill } = await saveAndHandOff(deps.db, org, { ...request.body, id: request.params.id }, actorOf(request));
      const saved = await getBillWithAccountCode(deps.db, org, bill.id);
      // Between our save and this read only a delete can intervene.
      if (!saved) throw notFound(`bill ${bill.id}`);
      return toBill(saved, saved.version === bill.version ? bill.lineItems : await getLineItems(deps.db, saved.id, saved.version));
    },
  );

  r.delete(
    '/organizations/:orgId/bills/:id',
    { schema: { tags, summary: 'Delete a bill (refused once locked); returns it', params: orgIdParams, response: { 200: billSchema, ...errorResponses } } },
    async (request) => {
      await refuseMirrored(deps.db, 'bill', orgOf(request), [request.params.id]);
      const deleted = await refuseState(() => deleteBill(deps.db, orgOf(request), request.params.id));
      if (!deleted) throw notFound(`bill ${request.params.id}`);
      return toBill(deleted, deleted.lineItems);
    },
  );

  r.put(
    '/organizations/:orgId/bills/:id/status',
    {
      schema: {
        tags,
        summary: "Change a bill's status; APPROVED is sent to the NetSuite integrations like an approval",
        params: orgIdParams,
        body: z.object({ status: z.enum(BILL_STATUSES) }),
        response: { 200: billSchema, ...errorResponses },
      },
    },
    async (request) => {
      const org = orgOf(request);
      const id = request.params.id;
      await refuseMirrored(deps.db, 'bill', org, [id]);
      if (request.body.status === 'APPROVED') {
        const { approved } = await approveAndHandOff(deps.db, org, [id], actorOf(request));
        if (approved.length === 0) throw notFound(`bill ${id}`);
      } else if (!(await refuseState(() => reopenBill(deps.db, org, id)))) {
        throw notFound(`bill ${id}`);
      }
      return billView(org, id);
    },
  );

  r.put(
    '/organizations/:orgId/bills/:id/lock',
    { schema: { tags, summary: 'Lock an approved bill: it can no longer be recalculated, reopened or deleted', params: orgIdParams, response: { 200: billSchema, ...errorResponses } } },
    async (request) => {
      const org = orgOf(request);
      await refuseMirrored(deps.db, 'bill', org, [request.params.id]);
      if (!(await refuseState(() => lockBill(deps.db, org, request.params.id)))) throw notFound(`bill ${request.params.id}`);
      return billView(org, request.params.id);
    },
  );

  r.get(
    '/organizations/:orgId/bills/:billId/lineitems',
    {
      schema: {
        tags,
        summary: "The line items of a bill's current version",
        params: billParams,
        querystring: z.object({ ...pageQuery(200) }),
        response: { 200: listEnvelope(lineItemResponse), ...errorResponses },
      },
    },
    async (request) => {
      const bill = await getBillWithAccountCode(deps.db, orgOf(request), request.params.billId);
      if (!bill) throw notFound(`bill ${request.params.billId}`);
      const offset = decodeNextToken(request.query.nextToken);
      const pageSize = request.query.pageSize ?? 200;
      const lineItems = await getLineItems(deps.db, bill.id, bill.version);
      return page(
        lineItems.slice(offset, offset + pageSize + 1).map((l) => toLineItem(bill.id, l)),
        offset,
        pageSize,
      );
    },
  );

  r.get(
    '/organizations/:orgId/bills/:billId/lineitems/:id',
    { schema: { tags, summary: "A line item of a bill's current version", params: lineItemParams, response: { 200: lineItemResponse, ...errorResponses } } },
    async (request) => {
      const bill = await getBillWithAccountCode(deps.db, orgOf(request), request.params.billId);
      if (!bill) throw notFound(`bill ${request.params.billId}`);
      const lineItem = (await getLineItems(deps.db, bill.id, bill.version)).find((l) => l.id === request.params.id);
      if (!lineItem) throw notFound(`line item ${request.params.id} of bill ${bill.id}`);
      return toLineItem(bill.id, lineItem);
    },
  );
}
