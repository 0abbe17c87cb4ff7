/**
 * HTTP routes: classification for the desk, model versions (list, promote, rollback)
 * and the site's emergency rules with their context exceptions and general contexts.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { currentUser } from '../auth/index.js';
import type { ModuleContext } from '../core/index.js';
import { protectedErrors } from '../core/index.js';
import {
  addEmergencyContext,
  addEmergencyRule,
  deleteEmergencyContext,
  deleteEmergencyRule,
  listEmergencyContexts,
  listEmergencyRules,
  updateEmergencyContext,
  updateEmergencyRule,
} from './emergency.js';
import { listVersions, promote, rollback } from './registry.js';
import type { Classifier } from './service.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const ref = Type.Ref('ErrorResponse');
const PathStep = Type.Object({ code: Type.String(), name: Type.String() });
const Line = Type.Union([Type.Literal('110'), Type.Literal('119'), Type.Literal('120')]);

export const ClassifyResultSchema = Type.Object(
  {
    id: Nullable(Type.String()),
    category: Nullable(Type.String({ description: 'code of the proposed leaf category of the catalogue, e.g. U06029 (露天烧烤)' })),
    categoryName: Nullable(Type.String()),
    categoryId: Nullable(Type.Integer()),
    path: Type.Array(PathStep, { description: 'the category and its parents, from the top of the catalogue' }),
    department: Nullable(Type.String({ description: 'org unit code of the proposed department, e.g. dept.urban' })),
    departmentName: Nullable(Type.String()),
    departmentId: Nullable(Type.Integer()),
    departmentSource: Type.Union([Type.Literal('override'), Type.Literal('category'), Type.Literal('correction'), Type.Literal('none')], {
      description:
        "override: a place override for the address's street/community/grid; category: the category's routing; correction: a dispatcher's decision on a similar text",
    }),
    place: Nullable(Type.Object({ unitId: Type.Integer(), kind: Type.String(), name: Type.String() })),
    emergency: Type.Object({
      is: Type.Boolean(),
      line: Nullable(Line),
      reason: Nullable(Type.String()),
      score: Nullable(Type.Number({ description: "The model's emergency probability; rules stand whatever it is" })),
    }),
    top: Type.Array(Type.Object({ category: Type.String(), name: Nullable(Type.String()), p: Type.Number(), path: Type.Array(PathStep) }), {
      description: 'leaf categories, most likely first, with calibrated probabilities',
    }),
    topLevel: Nullable(
      Type.Object(
        { category: Type.String(), name: Nullable(Type.String()), p: Type.Number() },
        { description: "the top-level model's class (e.g. M01 城乡建设), the prior of the leaf proposal" },
      ),
    ),
    evidence: Type.Object({
      keywords: Type.Array(Type.String(), { description: "the category's keywords found in the text" }),
      corrections: Type.Integer({ description: 'similar texts a dispatcher filed under this category' }),
    }),
    model: Nullable(Type.String({ description: 'model version that made the proposal' })),
  },
  { description: 'Proposed category and department, emergency verdict, and the model version' },
);

const Metrics = Type.Object({ n: Type.Integer(), accuracy: Type.Number(), macroF1: Type.Number() });
const VersionSchema = Type.Object({
  version: Type.String(),
  path: Type.String(),
  metrics: Type.Object(
    { natural: Type.Optional(Metrics), segmented: Type.Optional(Metrics), all: Type.Optional(Metrics) },
    { additionalProperties: true },
  ),
  active: Type.Boolean(),
  notes: Nullable(Type.String()),
  createdAt: Type.Unknown(),
  promotedAt: Type.Unknown(),
});
const SwitchResult = Type.Object({ version: Type.String(), from: Nullable(Type.String()), changed: Type.Boolean() });

const RuleSchema = Type.Object({
  id: Type.Integer(),
  pattern: Type.String(),
  kind: Type.Union([Type.Literal('keyword'), Type.Literal('regex')]),
  line: Line,
  reason: Type.String(),
  priority: Type.Integer(),
  active: Type.Boolean(),
  except: Type.Array(Type.String(), {
    description: 'regular expressions (a plain phrase is one) that silence the rule within 8 characters of its match, e.g. 火灾隐患',
  }),
});
const ExceptInput = Type.Array(Type.String({ maxLength: 200 }), {
  maxItems: 50,
  description: 'regular expressions (a plain phrase is one) that silence the rule within 8 characters of its match, e.g. 火灾隐患',
});
const RuleInput = Type.Object({
  pattern: Type.String({ minLength: 1, maxLength: 200 }),
  kind: Type.Optional(Type.Union([Type.Literal('keyword'), Type.Literal('regex')])),
  line: Line,
  reason: Type.String({ minLength: 1, maxLength: 200 }),
  priority: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
  active: Type.Optional(Type.Boolean()),
  except: Type.Optional(ExceptInput),
});
const Role = Type.Union([Type.Literal('before'), Type.Literal('after'), Type.Literal('now')], {
  description:
    'before/after: a general "not happening now" context looked for just before (10 characters) or after (6) a match; now: a word that cancels them when it stands between',
});
const ContextSchema = Type.Object({
  id: Type.Integer(),
  pattern: Type.String(),
  role: Role,
  note: Type.String(),
  active: Type.Boolean(),
});
const ContextInput = Type.Object({
  pattern: Type.String({ minLength: 1, maxLength: 400, description: 'a regular expression, e.g. 去年|上个月' }),
  role: Role,
  note: Type.Optional(Type.String({ maxLength: 200 })),
  active: Type.Optional(Type.Boolean()),
});

export const classifierRoutes: FastifyPluginAsyncTypebox<{ ctx: ModuleContext; classifier: Classifier }> = async (
  app,
  { ctx, classifier },
) => {
  app.post(
    '/api/classify',
    {
      config: { roles: ['agent', 'dispatcher', 'supervisor'] },
      schema: {
        tags: ['classifier'],
        summary: 'Propose category, department and emergency line for a case description',
        body: Type.Object({
          text: Type.String({ description: `case description in Chinese, at most 10,000 characters` }),
          id: Type.Optional(Type.String({ maxLength: 200 })),
          topK: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
          address: Type.Optional(
            Type.String({ maxLength: 500, description: "the caller's address: its street/community/grid picks place overrides" }),
          ),
        }),
        response: { 200: ClassifyResultSchema, 503: ref, ...protectedErrors },
      },
    },
    async (req) => classifier.classify(req.body.text, { id: req.body.id ?? null, topK: req.body.topK, address: req.body.address ?? null }),
  );

  app.get(
    '/api/classifier/models',
    {
      config: { roles: ['supervisor'] },
      schema: {
        tags: ['classifier'],
        summary: 'Classifier model versions with their holdout metrics, newest first',
        response: { 200: Type.Array(VersionSchema), ...protectedErrors },
      },
    },
    async () => listVersions(ctx.db),
  );

  app.post(
    '/api/classifier/models/:version/promote',
    {
      config: { roles: [] },
      schema: {
        tags: ['classifier'],
        summary: 'Make a model version the active classifier (admin); refused when worse than the active one unless force',
        params: Type.Object({ version: Type.String() }),
        body: Type.Optional(Type.Object({ force: Type.Optional(Type.Boolean()) })),
        response: { 200: SwitchResult, 404: ref, 409: ref, ...protectedErrors },
      },
    },
    async (req) => {
      const r = await promote(ctx.db, req.params.version, { force: req.body?.force === true, userId: currentUser(req).id });
      classifier.refresh();
      return r;
    },
  );

  app.post(
    '/api/classifier/rollback',
    {
      config: { roles: [] },
      schema: {
        tags: ['classifier'],
        summary: 'Re-activate the classifier version that was active before the current one (admin)',
        response: { 200: SwitchResult, 409: ref, ...protectedErrors },
      },
    },
    async (req) => {
      const r = await rollback(ctx.db, { userId: currentUser(req).id });
      classifier.refresh();
      return r;
    },
  );

  app.get(
    '/api/classifier/emergency-rules',
    {
      config: { roles: ['supervisor', 'agent', 'dispatcher'] },
      schema: {
        tags: ['classifier'],
        summary: 'Emergency keyword and regex rules with their line (110/119/120) and reason',
        response: { 200: Type.Array(RuleSchema), ...protectedErrors },
      },
    },
    async () => listEmergencyRules(ctx.db),
  );

  app.post(
    '/api/classifier/emergency-rules',
    {
      config: { roles: ['supervisor'] },
      schema: {
        tags: ['classifier'],
        summary: 'Add an emergency rule (takes effect at once)',
        body: RuleInput,
        response: { 201: RuleSchema, ...protectedErrors },
      },
    },
    async (req, reply) => {
      const rule = await addEmergencyRule(ctx.db, { ...req.body, kind: req.body.kind ?? 'keyword' }, currentUser(req).id);
      return reply.code(201).send(rule);
    },
  );

  app.patch(
    '/api/classifier/emergency-rules/:id',
    {
      config: { roles: ['supervisor'] },
      schema: {
        tags: ['classifier'],
        summary: 'Change an emergency rule (e.g. deactivate it)',
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        body: Type.Partial(RuleInput),
        response: { 200: RuleSchema, 404: ref, ...protectedErrors },
      },
    },
    async (req) => updateEmergencyRule(ctx.db, req.params.id, req.body, currentUser(req).id),
  );

  app.delete(
    '/api/classifier/emergency-rules/:id',
    {
      config: { roles: ['supervisor'] },
      schema: {
        tags: ['classifier'],
        summary: 'Delete an emergency rule',
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        response: { 204: Type.Null(), 404: ref, ...protectedErrors },
      },
    },
    async (req, reply) => {
      await deleteEmergencyRule(ctx.db, req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/classifier/emergency-contexts',
    {
      config: { roles: ['supervisor', 'agent', 'dispatcher'] },
      schema: {
        tags: ['classifier'],
        summary: 'General contexts that keep every emergency rule quiet in a past, hypothetical or administrative sense',
        response: { 200: Type.Array(ContextSchema), ...protectedErrors },
      },
    },
    async () => listEmergencyContexts(ctx.db),
  );

  app.post(
    '/api/classifier/emergency-contexts',
    {
      config: { roles: ['supervisor'] },
      schema: {
        tags: ['classifier'],
        summary: 'Add a general context (takes effect at once)',
        body: ContextInput,
        response: { 201: ContextSchema, ...protectedErrors },
      },
    },
    async (req, reply) => {
      const c = await addEmergencyContext(ctx.db, { ...req.body, note: req.body.note ?? '' }, currentUser(req).id);
      return reply.code(201).send(c);
    },
  );

  app.patch(
    '/api/classifier/emergency-contexts/:id',
    {
      config: { roles: ['supervisor'] },
      schema: {
        tags: ['classifier'],
        summary: 'Change a general context (e.g. deactivate it)',
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        body: Type.Partial(ContextInput),
        response: { 200: ContextSchema, 404: ref, ...protectedErrors },
      },
    },
    async (req) => updateEmergencyContext(ctx.db, req.params.id, req.body, currentUser(req).id),
  );

  app.delete(
    '/api/classifier/emergency-contexts/:id',
    {
      config: { roles: ['supervisor'] },
      schema: {
        tags: ['classifier'],
        summary: 'Delete a general context',
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        response: { 204: Type.Null(), 404: ref, ...protectedErrors },
      },
    },
    async (req, reply) => {
      await deleteEmergencyContext(ctx.db, req.params.id);
      return reply.code(204).send(null);
    },
  );
};
