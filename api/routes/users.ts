import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createUser, listUsers, userInputSchema } from '../../db/users';
import { orgOf } from '../auth';
import type { ApiDeps } from '../deps';
import { notFound } from '../errors';
import { commaList, decodeNextToken, listEnvelope, page, pageQuery } from '../pagination';
import { commonFields, errorResponses, iso, orgIdParams, orgParams } from '../schemas';

const userSchema = z.object({ ...commonFields, email: z.string(), firstName: z.string().nullish(), lastName: z.string().nullish() });

type UserRow = Awaited<ReturnType<typeof listUsers>>[number];
const toUser = (u: UserRow) => ({ id: u.id, version: u.version, email: u.email, firstName: u.firstName, lastName: u.lastName, dtCreated: iso(u.dtCreated), dtLastModified: iso(u.dtLastModified) });

/** m3ter's users (list, get) plus our own create: m3ter invites users through its console. */
export function registerUserRoutes(app: FastifyInstance, _deps: ApiDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/organizations/:orgId/users', { schema: { tags: ['users'], params: orgParams, querystring: z.object({ ids: commaList, ...pageQuery() }), response: { 200: listEnvelope(userSchema), ...errorResponses } } }, async (request) => {
    const org = orgOf(request);
    const offset = decodeNextToken(request.query.nextToken);
    const pageSize = request.query.pageSize ?? 200;
    let users = await listUsers(_deps.db, org);
    if (request.query.ids?.length) users = users.filter((u) => request.query.ids!.includes(u.id));
    return page(users.slice(offset, offset + pageSize + 1).map(toUser), offset, pageSize);
  });
  r.get('/organizations/:orgId/users/:id', { schema: { tags: ['users'], params: orgIdParams, response: { 200: userSchema, ...errorResponses } } }, async (request) => {
    const user = (await listUsers(_deps.db, orgOf(request))).find((u) => u.id === request.params.id);
    if (!user) throw notFound(`user ${request.params.id}`);
    return toUser(user);
  });
  r.post('/organizations/:orgId/users', { schema: { tags: ['users'], summary: 'Add a user (our extension: m3ter invites users in its console)', params: orgParams, body: userInputSchema, response: { 200: userSchema, ...errorResponses } } }, async (request) => toUser(await createUser(_deps.db, orgOf(request), request.body)));
}
