import crypto from 'node:crypto';
import fs from 'node:fs';
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
 * What a browser may do with the console's pages: scripts, styles and requests from this origin only
 * (and the one inline script, the import map, by its hash), never inside another site's frame, no
 * guessing of content types, no referrer. Its text is all rendered as text (Preact escapes it), so
 * this is the second line: a script that got in anyway could neither load more nor send the token
 * elsewhere, and a framing page can't trick a user into clicking Approve.
 */
export function consoleSecurityHeaders(indexHtml: string): Record<string, string> {
  const importMap = /<script type="importmap">([\s\S]*?)<\/script>/.exec(indexHtml)?.[1];
  if (importMap === undefined) throw new Error('console/index.html has no import map: the console could not load its modules');
  const importMapHash = crypto.createHash('sha256').update(importMap).digest('base64');
  return {
    'content-security-policy': [
      "default-src 'self'",
      `script-src 'self' 'sha256-${importMapHash}'`,
      "style-src 'self'",
      "img-src 'self' data:",
      "connect-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join('; '),
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
}

/**
 * The web console under /console: static files only. It is a client of the same HTTP API as m3ter's
 * SDKs (it reaches nothing else), so it needs no authentication of its own here.
 */
export async function registerConsole(app: FastifyInstance): Promise<void> {
  const root = path.join(projectDir(), 'console');
  const headers = consoleSecurityHeaders(fs.readFileSync(path.join(root, 'index.html'), 'utf8'));
  app.addHook('onRequest', async (request, reply) => {
    if (request.url === '/console' || request.url.startsWith('/console/')) reply.headers(headers);
  });
  await app.register(fastifyStatic, { root, prefix: '/console/', index: 'index.html' });
  app.get('/console', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/console/'));
  app.get<{ Params: { name: string } }>('/console/vendor/:name', { schema: { hide: true } }, async (request, reply) => {
    const file = VENDOR_MODULES.get(request.params.name);
    if (!file) return reply.code(404).send({ message: `no console module ${request.params.name}` });
    return reply.type('text/javascript; charset=utf-8').sendFile(path.basename(file), path.dirname(file));
  });
}
