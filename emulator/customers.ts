import type { FastifyInstance } from 'fastify';
import { type EmulatorContext, RECORD_PATH, recordUrl } from './context';
import { nonexistentId } from './errors';
import { parseRef, recordRoute } from './records';
import { resolveReference } from './references';
import { SINGULAR_CONTENT_TYPE, selfLinks } from './render';

/**
 * `GET customer/{id}` and `customer/eid:{externalId}` (the look-up Oracle documents), so a client can
 * check that a customer exists before it sends a bill for it. Customers are seeded through the admin
 * API; `entityId` (the "Customer ID" in NetSuite's UI) is the name, as when auto-numbering is off.
 */
export function registerCustomerRoutes(app: FastifyInstance, context: EmulatorContext): void {
  app.get(
    `/:account${RECORD_PATH}/customer/:ref`,
    recordRoute(
      context,
      'read',
      (account, request) => {
        const ref = request.params.ref;
        // Same matching as a reference in a body: by id, or by external id case-insensitively.
        const customer = resolveReference(parseRef(ref), account.customers);
        if (customer === undefined) {
          throw nonexistentId(`The record instance does not exist. Provide a valid record instance ID (customer ${ref}).`);
        }
        return {
          status: 200,
          body: {
            links: selfLinks(recordUrl(context, account.hostForm, 'customer', customer.id)),
            id: customer.id,
            ...(customer.externalId === undefined ? {} : { externalId: customer.externalId }),
            companyName: customer.name,
            entityId: customer.name,
          },
        };
      },
      SINGULAR_CONTENT_TYPE,
    ),
  );
}
