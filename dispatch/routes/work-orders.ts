/** Work orders as a resource: create, list, read one, its history and related cases. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { logPiiRead } from '../../audit/index.js';
import { IdParams, protectedErrors } from '../../core/index.js';
import { DispatchErrors } from '../errors.js';
import { CreateBody, CreatedWorkOrderSchema, HistorySchema, ListQuery, RelatedCaseSchema } from '../schemas.js';
import { STATES } from '../states.js';
import { assertMayView, createWorkOrder, findRelated, getWorkOrder, listWorkOrders, loadRow, workOrderHistory } from '../workorders.js';
import { actorOf, type DispatchRouteOptions, ListResponse, refusals } from './shared.js';

export const workOrderRoutes: FastifyPluginAsyncTypebox<DispatchRouteOptions> = async (app, { ctx, settings }) => {
  const { db, bus } = ctx;

  app.post(
    '/api/work-orders',
    {
      config: { roles: ['agent', 'dispatcher'] },
      schema: {
        tags: ['work orders'],
        summary: 'Create a work order (工单) from the desk or a confirmed proposal; returns related open cases',
        body: CreateBody,
        response: { 201: CreatedWorkOrderSchema, ...refusals },
      },
    },
    async (req, reply) => {
      const body = req.body;
      const created = await createWorkOrder(db, bus, { ...body, description: body.description }, actorOf(req), settings);
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/api/work-orders',
    {
      config: { roles: 'any' },
      schema: {
        tags: ['work orders'],
        summary:
          'Work orders with filters, paging and sort (phones, names, addresses and numbers in the text masked); handlers see their unit only',
        querystring: ListQuery,
        response: { 200: ListResponse, ...protectedErrors },
      },
    },
    async (req) => {
      const { state, ...rest } = req.query;
      const states = state
        ? state
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : undefined;
      const unknown = states?.filter((s) => !(STATES as readonly string[]).includes(s));
      if (unknown?.length) throw DispatchErrors.WORK_ORDER_STATE_UNKNOWN({ states: unknown.join(', '), allowed: STATES.join(', ') });
      return listWorkOrders(db, { ...rest, state: states }, actorOf(req));
    },
  );

  app.get(
    '/api/work-orders/:id',
    {
      config: { roles: 'any' },
      schema: {
        tags: ['work orders'],
        summary: 'One work order, with the actions the current user may take',
        description:
          "The caller's name, number, address, location, the description and the call's transcript are in clear only for those working on the case " +
          '(the agent who took it, a dispatcher while it is in the dispatch queue or after they dispatched it, the handling unit, the callback staff member who claimed its callback, supervisors and admins); ' +
          'everyone else gets them masked (piiMasked: true) and no transcript. Every read in clear is written to the access log (GET /api/audit/pii-access).',
        params: IdParams,
        response: { 200: Type.Ref('WorkOrder'), ...refusals },
      },
    },
    async (req) =>
      getWorkOrder(db, req.params.id, actorOf(req), (fields, row) =>
        logPiiRead(db, req, { type: 'work_order', id: row.id, ref: row.number }, fields),
      ),
  );

  app.get(
    '/api/work-orders/:id/history',
    {
      config: { roles: 'any' },
      schema: {
        tags: ['work orders'],
        summary: 'The audit trail of a work order: every action, by whom, when',
        params: IdParams,
        response: { 200: Type.Array(HistorySchema), ...refusals },
      },
    },
    async (req) => workOrderHistory(db, req.params.id, actorOf(req)),
  );

  app.get(
    '/api/work-orders/:id/related',
    {
      config: { roles: ['agent', 'dispatcher', 'supervisor'] },
      schema: {
        tags: ['work orders'],
        summary: 'Open cases of the same caller, and similar cases at the same place, to merge instead of dispatching twice',
        params: IdParams,
        response: { 200: Type.Array(RelatedCaseSchema), ...refusals },
      },
    },
    async (req) => {
      const row = await loadRow(db, req.params.id);
      await assertMayView(db, row, actorOf(req));
      return findRelated(db, row, settings.relatedDays);
    },
  );
};
