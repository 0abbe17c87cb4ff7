import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { ModuleContext } from '../core/index.js';
import { protectedErrors } from '../core/index.js';
import { addCategory, listCategories, listOrgUnits, updateCategory } from './queries.js';
import { CategorySchema, OrgUnitSchema } from './schemas.js';

const Keywords = Type.Array(Type.String({ minLength: 1, maxLength: 20 }), { maxItems: 100 });
const CategoryCreate = Type.Object({
  code: Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9_.-]+$' }),
  name: Type.String({ minLength: 1, maxLength: 100 }),
  parentId: Type.Union([Type.Integer(), Type.Null()]),
  description: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
  keywords: Type.Optional(Type.Union([Keywords, Type.Null()])),
});
const CategoryPatch = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  description: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
  keywords: Type.Optional(Type.Union([Keywords, Type.Null()])),
  active: Type.Optional(Type.Boolean()),
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

  app.post(
    '/api/categories',
    {
      config: { roles: [] },
      schema: {
        tags: ['organisation'],
        summary: "Add a category to the site's catalogue (事项清单); the classifier proposes it from the next request on",
        body: CategoryCreate,
        response: { 201: CategorySchema, ...protectedErrors },
      },
    },
    async (req, reply) => {
      const c = await ctx.db.tx((q) => addCategory(q, req.body));
      return reply.code(201).send(c);
    },
  );

  app.patch(
    '/api/categories/:id',
    {
      config: { roles: [] },
      schema: {
        tags: ['organisation'],
        summary: "Edit a category's name, description, keywords (the classifier's words for it) or active flag",
        params: Type.Object({ id: Type.Integer() }),
        body: CategoryPatch,
        response: { 200: CategorySchema, ...protectedErrors },
      },
    },
    async (req) => ctx.db.tx((q) => updateCategory(q, req.params.id, req.body)),
  );
};
