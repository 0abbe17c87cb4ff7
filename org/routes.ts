import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { ModuleContext } from '../core/context.js';
import { protectedErrors } from '../core/http.js';
import { listCategories, listOrgUnits } from './queries.js';

const Nullable = <T extends ReturnType<typeof Type.Integer>>(t: T) => Type.Union([t, Type.Null()]);

const OrgUnitSchema = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  parentId: Nullable(Type.Integer()),
  aliases: Type.Array(Type.String()),
  active: Type.Boolean(),
});

const CategorySchema = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  name: Type.String(),
  parentId: Nullable(Type.Integer()),
  level: Type.Integer(),
  defaultDepartmentId: Nullable(Type.Integer()),
  deadlineValue: Nullable(Type.Integer()),
  deadlineUnit: Type.Union([Type.Literal('hours'), Type.Literal('workdays'), Type.Null()]),
  active: Type.Boolean(),
});

export const orgRoutes: FastifyPluginAsyncTypebox<{ ctx: ModuleContext }> = async (app, { ctx }) => {
  app.get(
    '/api/org-units',
    {
      config: { roles: 'any' },
      schema: {
        tags: ['organisation'],
        summary: 'Organisation units (district, streets, communities, grids, departments) as a flat list with parent ids',
        querystring: Type.Object({
          kind: Type.Optional(Type.Union(['centre', 'district', 'street', 'community', 'grid', 'department'].map((k) => Type.Literal(k)))),
        }),
        response: { 200: Type.Array(OrgUnitSchema), ...protectedErrors },
      },
    },
    async (req) => listOrgUnits(ctx.db, req.query),
  );

  app.get(
    '/api/categories',
    {
      config: { roles: 'any' },
      schema: {
        tags: ['organisation'],
        summary: 'Case categories as a flat list with parent ids, default department and deadline',
        querystring: Type.Object({ level: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })) }),
        response: { 200: Type.Array(CategorySchema), ...protectedErrors },
      },
    },
    async (req) => listCategories(ctx.db, req.query),
  );
};
