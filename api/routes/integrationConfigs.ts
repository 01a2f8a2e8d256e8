import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../deps';

/** Placeholder until this resource's routes land. */
export function registerIntegrationConfigRoutes(_app: FastifyInstance, _deps: ApiDeps): void {}
