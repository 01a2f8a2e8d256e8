import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { projectDir } from '../stack/projectDir';

/**
 * The ES modules the console imports by bare name (through its import map), served from the installed
 * packages so there is no build step and no copy to keep in step with package-lock.json. A Map, not an
 * object literal: the name comes from the URL, and `constructor` or `__proto__` must find nothing.
 */
const VENDOR_MODULES = new Map<string, string>([
  ['preact.mjs', require.resolve('preact')],
  ['preact-hooks.mjs', require.resolve('preact/hooks')],
  ['htm.mjs', path.join(path.dirname(require.resolve('htm')), 'htm.mjs')],
  ['htm-preact.mjs', path.join(path.dirname(require.resolve('htm/preact')), 'index.mjs')],
]);

/**
 * The web console under /console: static files only. It is a client of the same HTTP API as m3ter's
 * SDKs (it reaches nothing else), so it needs no authentication of its own here.
 */
export async function registerConsole(app: FastifyInstance): Promise<void> {
  await app.register(fastifyStatic, { root: path.join(projectDir(), 'console'), prefix: '/console/', index: 'index.html' });
  app.get('/console', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/console/'));
  app.get<{ Params: { name: string } }>('/console/vendor/:name', { schema: { hide: true } }, async (request, reply) => {
    const file = VENDOR_MODULES.get(request.params.name);
    if (!file) return reply.code(404).send({ message: `no console module ${request.params.name}` });
    return reply.type('text/javascript; charset=utf-8').sendFile(path.basename(file), path.dirname(file));
  });
}
