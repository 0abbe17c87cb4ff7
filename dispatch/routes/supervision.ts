/** Supervision (督办): the overdue list and the deadline check on demand. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { protectedErrors } from '../../core/index.js';
import { checkDeadlines } from '../deadlines.js';
import { DeadlineCheckSchema } from '../schemas.js';
import { CLOCK_STATES } from '../states.js';
import { listWorkOrders } from '../workorders.js';
import { actorOf, type DispatchRouteOptions, ListResponse } from './shared.js';

export const supervisionRoutes: FastifyPluginAsyncTypebox<DispatchRouteOptions> = async (app, { ctx, settings }) => {
  const { db, bus } = ctx;

  app.get(
    '/api/supervision/overdue',
    {
      config: { roles: ['dispatcher', 'supervisor'] },
      schema: {
        tags: ['supervision'],
        summary: 'Overdue cases for supervision (督办), oldest deadline first',
        querystring: Type.Object({
          departmentId: Type.Optional(Type.Integer({ minimum: 1 })),
          page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
          pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
        }),
        response: { 200: ListResponse, ...protectedErrors },
      },
    },
    async (req) =>
      listWorkOrders(db, { ...req.query, overdue: true, state: [...CLOCK_STATES], sort: 'deadlineAt', order: 'asc' }, actorOf(req)),
  );

  app.post(
    '/api/supervision/check-deadlines',
    {
      config: { roles: ['supervisor'] },
      schema: {
        tags: ['supervision'],
        summary: 'Run the near-deadline and overdue check now (it also runs on a schedule)',
        response: { 200: DeadlineCheckSchema, ...protectedErrors },
      },
    },
    async () => checkDeadlines(db, bus, settings),
  );
};
