/**
 * The classifier's HTTP API, one plugin per resource: classification for the desk
 * (routes/classify.ts), model versions (routes/models.ts), the site's emergency rules
 * (routes/emergency-rules.ts) and general contexts (routes/emergency-contexts.ts). Their
 * shapes are in schemas.ts. Registered in this order, the OpenAPI document lists them so.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ModuleContext } from '../core/index.js';
import { classifyRoutes } from './routes/classify.js';
import { emergencyContextRoutes } from './routes/emergency-contexts.js';
import { emergencyRuleRoutes } from './routes/emergency-rules.js';
import { modelRoutes } from './routes/models.js';
import type { Classifier } from './service.js';

export const classifierRoutes: FastifyPluginAsyncTypebox<{ ctx: ModuleContext; classifier: Classifier }> = async (
  app,
  { ctx, classifier },
) => {
  await app.register(classifyRoutes, { classifier });
  await app.register(modelRoutes, { ctx, classifier });
  await app.register(emergencyRuleRoutes, { ctx });
  await app.register(emergencyContextRoutes, { ctx });
};
