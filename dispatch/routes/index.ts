/**
 * dispatch's HTTP API: one plugin per resource, registered under one parent that declares
 * the shared WorkOrder schema (the children's Type.Ref('WorkOrder') resolve against it).
 * Open311 is mounted on its own prefix by registerDispatch.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { WorkOrderSchema } from '../schemas.js';
import { calendarRoutes } from './calendar.js';
import { knowledgeRoutes } from './knowledge.js';
import { routingRoutes } from './routing.js';
import type { DispatchRouteOptions } from './shared.js';
import { supervisionRoutes } from './supervision.js';
import { transitionRoutes } from './transitions.js';
import { workOrderRoutes } from './work-orders.js';

export { open311Routes } from './open311.js';
export type { DispatchRouteOptions } from './shared.js';

export const dispatchRoutes: FastifyPluginAsyncTypebox<DispatchRouteOptions> = async (app, opts) => {
  app.addSchema(WorkOrderSchema);
  // In the order the single plugin declared them, so /docs lists the operations as before.
  await app.register(workOrderRoutes, opts);
  await app.register(transitionRoutes, opts);
  await app.register(supervisionRoutes, opts);
  await app.register(calendarRoutes, opts);
  await app.register(routingRoutes, opts);
  await app.register(knowledgeRoutes, opts);
};
