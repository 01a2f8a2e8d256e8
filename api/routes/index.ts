import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../deps';
import { registerAccountRoutes } from './accounts';
import { registerBillRoutes } from './bills';
import { registerCredentialRoutes } from './credentials';
import { registerEventRoutes } from './events';
import { registerExternalMappingRoutes } from './externalMappings';
import { registerIntegrationConfigRoutes } from './integrationConfigs';
import { registerIntegrationRunRoutes } from './integrationRuns';
import { registerM3terSourceRoutes } from './m3terSource';
import { registerUserRoutes } from './users';

/** Every resource of the API, one module each. */
export function registerRoutes(app: FastifyInstance, deps: ApiDeps): void {
  registerUserRoutes(app, deps);
  registerAccountRoutes(app, deps);
  registerBillRoutes(app, deps);
  registerIntegrationConfigRoutes(app, deps);
  registerCredentialRoutes(app, deps);
  registerExternalMappingRoutes(app, deps);
  registerIntegrationRunRoutes(app, deps);
  registerEventRoutes(app, deps);
  registerM3terSourceRoutes(app, deps);
}
