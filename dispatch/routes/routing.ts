/** The routing catalogue (事项清单): place overrides, a category's default route, and resolving a route. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { IdParams, protectedErrors } from '../../core/index.js';
import { addOverride, deleteOverride, listOverrides, resolvePlace, resolveRoute, setCategoryRoute } from '../routing.js';
import { DeadlineSchema, OverrideBody, OverrideSchema, RouteSchema } from '../schemas.js';
import { type DispatchRouteOptions, refusals } from './shared.js';

export const routingRoutes: FastifyPluginAsyncTypebox<DispatchRouteOptions> = async (app, { ctx, settings }) => {
  const { db } = ctx;

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
};
