import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { logPiiRead } from '../audit/index.js';
import { currentUser } from '../auth/index.js';
import type { ModuleContext } from '../core/index.js';
import { IdParams, protectedErrors } from '../core/index.js';
import { listCalendarYear, replaceCalendarYear } from './calendar-store.js';
import { checkDeadlines } from './deadlines.js';
import { DispatchErrors } from './errors.js';
import { createArticle, getArticle, searchArticles, updateArticle } from './knowledge.js';
import { addOverride, deleteOverride, listOverrides, resolvePlace, resolveRoute, setCategoryRoute } from './routing.js';
import {
  ArticleBody,
  ArticleSchema,
  CalendarDaySchema,
  CreateBody,
  DeadlineSchema,
  HistorySchema,
  ListQuery,
  OverrideBody,
  OverrideSchema,
  RelatedCaseSchema,
  RouteSchema,
  TransitionBody,
  WorkOrderSchema,
} from './schemas.js';
import type { DispatchSettings } from './settings.js';
import { CLOCK_STATES, STATES } from './states.js';
import { applyTransition } from './transitions.js';
import {
  type Actor,
  assertMayView,
  createWorkOrder,
  findRelated,
  getWorkOrder,
  listWorkOrders,
  loadRow,
  workOrderHistory,
} from './workorders.js';

const E = Type.Ref('ErrorResponse');
const refusals = { ...protectedErrors, 404: E, 409: E } as const;

const actorOf = (req: FastifyRequest): Actor => {
  const u = currentUser(req);
  return { id: u.id, role: u.role, orgUnitId: u.orgUnitId };
};

const ListResponse = Type.Object({
  items: Type.Array(Type.Ref('WorkOrder')),
  total: Type.Integer(),
  page: Type.Integer(),
  pageSize: Type.Integer(),
});

export const dispatchRoutes: FastifyPluginAsyncTypebox<{ ctx: ModuleContext; settings: DispatchSettings }> = async (
  app,
  { ctx, settings },
) => {
  const { db, bus } = ctx;
  app.addSchema(WorkOrderSchema);

  app.post(
    '/api/work-orders',
    {
      config: { roles: ['agent', 'dispatcher'] },
      schema: {
        tags: ['work orders'],
        summary: 'Create a work order (工单) from the desk or a confirmed proposal; returns related open cases',
        body: CreateBody,
        response: { 201: Type.Object({ workOrder: Type.Ref('WorkOrder'), related: Type.Array(RelatedCaseSchema) }), ...refusals },
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

  app.post(
    '/api/work-orders/:id/transitions',
    {
      config: { roles: ['agent', 'dispatcher', 'handler', 'callback', 'supervisor'] },
      // Forms send null for fields left empty; an absent field means the same here.
      preValidation: async (req) => {
        const body = req.body as Record<string, unknown> | null;
        if (body && typeof body === 'object') for (const k of Object.keys(body)) if (body[k] === null) delete body[k];
      },
      schema: {
        tags: ['work orders'],
        summary:
          'Move a work order: one action (dispatch, accept, reply, return, review, close, reopen, ...) checked against role and state',
        description:
          'Actions: resolve_on_call, submit, dispatch, merge, accept, reply, return, request_extension, approve_extension, reject_extension, forward, review, supervise, close, reopen, refer_110. Wrong role: 403; wrong state or a stale version: 409; nothing changes when refused.',
        params: IdParams,
        body: TransitionBody,
        response: {
          200: Type.Object({ workOrder: Type.Ref('WorkOrder'), eventId: Type.Integer(), fromState: Type.String(), toState: Type.String() }),
          ...refusals,
        },
      },
    },
    async (req) => applyTransition(db, bus, { ...req.body, workOrderId: req.params.id, actor: actorOf(req) }, settings),
  );

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
        response: {
          200: Type.Object({ checked: Type.Integer(), nearDeadline: Type.Integer(), overdue: Type.Integer() }),
          ...protectedErrors,
        },
      },
    },
    async () => checkDeadlines(db, bus, settings),
  );

  const Year = Type.Object({ year: Type.Integer({ minimum: 2000, maximum: 2100 }) });
  app.get(
    '/api/calendar/:year',
    {
      config: { roles: 'any' },
      schema: {
        tags: ['calendar'],
        summary: "A year's public holidays and make-up workdays (调休); other weekdays work, weekends rest",
        params: Year,
        response: { 200: Type.Array(CalendarDaySchema), ...protectedErrors },
      },
    },
    async (req) => listCalendarYear(db, req.params.year),
  );

  app.put(
    '/api/calendar/:year',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['calendar'],
        summary: "Replace a year's holidays and make-up workdays",
        params: Year,
        body: Type.Object({ days: Type.Array(CalendarDaySchema, { maxItems: 366 }) }),
        response: { 200: Type.Array(CalendarDaySchema), ...protectedErrors },
      },
    },
    async (req) =>
      replaceCalendarYear(
        db,
        req.params.year,
        req.body.days.map((d) => ({ ...d, name: d.name ?? null })),
      ),
  );

  app.get(
    '/api/routing/overrides',
    {
      config: { roles: ['dispatcher', 'supervisor'] },
      schema: {
        tags: ['routing'],
        summary: 'Place-based overrides of the routing catalogue (事项清单); defaults are on GET /api/categories',
        response: { 200: Type.Array(OverrideSchema), ...protectedErrors },
      },
    },
    async () => listOverrides(db),
  );

  app.post(
    '/api/routing/overrides',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['routing'],
        summary: "Route a category at a place (street, community, grid) to another unit, e.g. this street's roads to the street office",
        body: OverrideBody,
        response: { 201: OverrideSchema, ...refusals },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await addOverride(db, { ...req.body, deadline: req.body.deadline ?? null, note: req.body.note ?? null })),
  );

  app.delete(
    '/api/routing/overrides/:id',
    {
      config: { roles: ['admin'] },
      schema: { tags: ['routing'], summary: 'Remove a place override', params: IdParams, response: { 204: Type.Null(), ...refusals } },
    },
    async (req, reply) => {
      await deleteOverride(db, req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.put(
    '/api/routing/categories/:id',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['routing'],
        summary: "Set a category's default department and deadline (null = inherit from the parent category)",
        params: IdParams,
        body: Type.Object({
          departmentId: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
          deadline: Type.Union([DeadlineSchema, Type.Null()]),
        }),
        response: { 204: Type.Null(), ...refusals },
      },
    },
    async (req, reply) => {
      await setCategoryRoute(db, req.params.id, req.body);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/routing/resolve',
    {
      config: { roles: ['agent', 'dispatcher', 'supervisor'] },
      schema: {
        tags: ['routing'],
        summary: 'The place an address falls in, and the department and deadline the catalogue gives a category there',
        querystring: Type.Object({
          categoryId: Type.Integer({ minimum: 1 }),
          address: Type.Optional(Type.String({ maxLength: 500 })),
          placeUnitId: Type.Optional(Type.Integer({ minimum: 1 })),
        }),
        response: { 200: RouteSchema, ...refusals },
      },
    },
    async (req) => {
      const place = req.query.placeUnitId ? null : await resolvePlace(db, req.query.address);
      const placeUnitId = req.query.placeUnitId ?? place?.unitId ?? null;
      const route = await resolveRoute(db, { categoryId: req.query.categoryId, placeUnitId }, settings);
      return { ...route, place };
    },
  );

  app.get(
    '/api/knowledge',
    {
      config: { roles: 'any' },
      schema: {
        tags: ['knowledge'],
        summary: 'Search the knowledge base (知识库) during a call; best matches first',
        querystring: Type.Object({
          q: Type.Optional(Type.String({ maxLength: 200 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
        }),
        response: { 200: Type.Array(ArticleSchema), ...protectedErrors },
      },
    },
    async (req) => searchArticles(db, req.query.q ?? '', req.query.limit),
  );

  app.get(
    '/api/knowledge/:id',
    {
      config: { roles: 'any' },
      schema: { tags: ['knowledge'], summary: 'One knowledge article', params: IdParams, response: { 200: ArticleSchema, ...refusals } },
    },
    async (req) => getArticle(db, req.params.id),
  );

  app.post(
    '/api/knowledge',
    {
      config: { roles: ['supervisor'] },
      schema: {
        tags: ['knowledge'],
        summary: 'Add a knowledge article',
        body: ArticleBody,
        response: { 201: ArticleSchema, ...protectedErrors },
      },
    },
    async (req, reply) => reply.code(201).send(await createArticle(db, req.body, currentUser(req).id)),
  );

  app.put(
    '/api/knowledge/:id',
    {
      config: { roles: ['supervisor'] },
      schema: {
        tags: ['knowledge'],
        summary: 'Change a knowledge article (active: false hides it from search)',
        params: IdParams,
        body: ArticleBody,
        response: { 200: ArticleSchema, ...refusals },
      },
    },
    async (req) => updateArticle(db, req.params.id, req.body),
  );
};
