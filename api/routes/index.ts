import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../deps';
import { registerUserRoutes } from './users';

/** Every resource of the API, one module each. */
export function registerRoutes(app: FastifyInstance, deps: ApiDeps): void {
  registerUserRoutes(app, deps);
}
