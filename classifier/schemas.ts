/**
 * The classifier API's shapes, one source for the routes (validation, serialisation, the
 * OpenAPI document) and for TypeScript: each schema has its `Static` type of the same name,
 * which the server's code and the desk import instead of declaring the shape again. Only
 * TypeBox here, so the desk's browser build can import this file.
 *
 * Where the module's own code has a type of the same name with another meaning (the rule
 * `EmergencyRule` it matches with, whose id and flags are optional), the API's shape is named
 * `...Response`.
 */
import { type Static, type TSchema, Type } from '@sinclair/typebox';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

const EmergencyLine = Type.Union([Type.Literal('110'), Type.Literal('119'), Type.Literal('120')]);

const PathStep = Type.Object({ code: Type.String(), name: Type.String() });

export const ClassifyRequest = Type.Object({
  text: Type.String({ description: `case description in Chinese, at most 10,000 characters` }),
  id: Type.Optional(Type.String({ maxLength: 200 })),
  topK: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
  address: Type.Optional(
    Type.String({ maxLength: 500, description: "the caller's address: its street/community/grid picks place overrides" }),
  ),
});
export type ClassifyRequest = Static<typeof ClassifyRequest>;

export const ClassifyResult = Type.Object(
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
      line: Nullable(EmergencyLine),
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
/** What POST /api/classify answers; also the type `Classifier.classify` returns. */
export type ClassifyResult = Static<typeof ClassifyResult>;

const HoldoutMetrics = Type.Object({ n: Type.Integer(), accuracy: Type.Number(), macroF1: Type.Number() });
export const ModelVersionResponse = Type.Object({
  version: Type.String(),
  path: Type.String(),
  metrics: Type.Object(
    { natural: Type.Optional(HoldoutMetrics), segmented: Type.Optional(HoldoutMetrics), all: Type.Optional(HoldoutMetrics) },
    { additionalProperties: true },
  ),
  active: Type.Boolean(),
  notes: Nullable(Type.String()),
  createdAt: Type.Unknown(),
  promotedAt: Type.Unknown(),
});
/** One entry of GET /api/classifier/models (the registry's row, as JSON). */
export type ModelVersionResponse = Static<typeof ModelVersionResponse>;

export const ModelSwitch = Type.Object({ version: Type.String(), from: Nullable(Type.String()), changed: Type.Boolean() });
/** What promote and rollback answer: the version now active, the one before, and whether it changed. */
export type ModelSwitch = Static<typeof ModelSwitch>;

export const PromoteRequest = Type.Optional(Type.Object({ force: Type.Optional(Type.Boolean()) }));
export const VersionParams = Type.Object({ version: Type.String() });
export const RuleIdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

const RuleKind = Type.Union([Type.Literal('keyword'), Type.Literal('regex')]);
const EXCEPT_DESCRIPTION =
  'regular expressions (a plain phrase is one) that silence the rule within 8 characters of its match, e.g. 火灾隐患';

export const EmergencyRuleResponse = Type.Object({
  id: Type.Integer(),
  pattern: Type.String(),
  kind: RuleKind,
  line: EmergencyLine,
  reason: Type.String(),
  priority: Type.Integer(),
  active: Type.Boolean(),
  except: Type.Array(Type.String(), { description: EXCEPT_DESCRIPTION }),
});
/** A stored emergency rule, as GET/POST/PATCH /api/classifier/emergency-rules answer it. */
export type EmergencyRuleResponse = Static<typeof EmergencyRuleResponse>;

export const EmergencyRuleInput = Type.Object({
  pattern: Type.String({ minLength: 1, maxLength: 200 }),
  kind: Type.Optional(RuleKind),
  line: EmergencyLine,
  reason: Type.String({ minLength: 1, maxLength: 200 }),
  priority: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
  active: Type.Optional(Type.Boolean()),
  except: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 50, description: EXCEPT_DESCRIPTION })),
});
export type EmergencyRuleInput = Static<typeof EmergencyRuleInput>;

const ContextRole = Type.Union([Type.Literal('before'), Type.Literal('after'), Type.Literal('now')], {
  description:
    'before/after: a general "not happening now" context looked for just before (10 characters) or after (6) a match; now: a word that cancels them when it stands between',
});

export const EmergencyContextResponse = Type.Object({
  id: Type.Integer(),
  pattern: Type.String(),
  role: ContextRole,
  note: Type.String(),
  active: Type.Boolean(),
});
/** A stored general context, as GET/POST/PATCH /api/classifier/emergency-contexts answer it. */
export type EmergencyContextResponse = Static<typeof EmergencyContextResponse>;

export const EmergencyContextInput = Type.Object({
  pattern: Type.String({ minLength: 1, maxLength: 400, description: 'a regular expression, e.g. 去年|上个月' }),
  role: ContextRole,
  note: Type.Optional(Type.String({ maxLength: 200 })),
  active: Type.Optional(Type.Boolean()),
});
export type EmergencyContextInput = Static<typeof EmergencyContextInput>;
