/** TypeBox shapes of dispatch's HTTP API (they make the OpenAPI document at /docs). */
import { type TLiteral, type TSchema, Type } from '@sinclair/typebox';
import { ACTIONS, STATES } from './states.js';
import { CALLBACK_OUTCOMES } from './transitions.js';
import { CHANNELS, PRIORITIES } from './workorders.js';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
type LiteralsOf<T extends readonly string[]> = { -readonly [K in keyof T]: TLiteral<T[K]> };
const literals = <const T extends readonly string[]>(values: T) =>
  Type.Union(values.map((v) => Type.Literal(v)) as unknown as LiteralsOf<T>);
const Time = Type.String({ format: 'date-time' });

export const WorkOrderSchema = Type.Object(
  {
    id: Type.Integer(),
    number: Type.String({ description: 'readable number YYYYMMDD-NNNNNN' }),
    channel: literals(CHANNELS),
    state: literals(STATES),
    stateName: Type.String({ description: 'state in Chinese' }),
    callerName: Nullable(Type.String({ description: 'masked (张*) in lists and for those not working on the case' })),
    callerPhone: Nullable(
      Type.String({ description: 'masked (138****8000) in lists; whole in the detail view for those working on the case (see piiMasked)' }),
    ),
    anonymous: Type.Boolean(),
    contactAllowed: Type.Boolean(),
    address: Nullable(Type.String({ description: 'masked (东湖街道湖滨***) in lists and for those not working on the case' })),
    placeUnitId: Nullable(Type.Integer()),
    placeName: Nullable(Type.String()),
    lat: Nullable(Type.Number()),
    lng: Nullable(Type.Number()),
    mediaUrl: Nullable(Type.String()),
    description: Type.String(),
    callId: Nullable(Type.Integer()),
    categoryId: Nullable(Type.Integer()),
    categoryName: Nullable(Type.String()),
    departmentId: Nullable(Type.Integer()),
    departmentName: Nullable(Type.String()),
    priority: literals(PRIORITIES),
    emergency: Type.Boolean(),
    proposal: Nullable(
      Type.Object({ categoryId: Nullable(Type.Integer()), departmentId: Nullable(Type.Integer()), modelVersion: Nullable(Type.String()) }),
    ),
    instructions: Nullable(Type.String()),
    deadlineAt: Nullable(Time),
    deadlinePaused: Type.Boolean({ description: 'the clock is stopped while an extension request waits' }),
    nearDeadline: Type.Boolean(),
    overdue: Type.Boolean(),
    replyText: Nullable(Type.String()),
    callbackOutcome: Nullable(Type.String()),
    closeReason: Nullable(Type.String()),
    reopenCount: Type.Integer(),
    supervisionCount: Type.Integer(),
    mergedIntoId: Nullable(Type.Integer()),
    kbArticleId: Nullable(Type.Integer()),
    createdAt: Time,
    updatedAt: Time,
    closedAt: Nullable(Time),
    version: Type.Integer({ description: 'send it back with a transition to detect concurrent changes' }),
    allowedActions: Type.Optional(Type.Array(Type.String(), { description: 'detail view: actions the current user may take now' })),
    transcript: Type.Optional(Nullable(Type.String({ description: "detail view: the linked call's final transcript" }))),
    piiMasked: Type.Optional(
      Type.Boolean({
        description:
          "detail view: true when the caller's name, number, address and the transcript are masked because you do not work on this case",
      }),
    ),
    pendingExtension: Type.Optional(
      Nullable(
        Type.Object(
          { requestedDeadline: Time, reason: Type.String(), requestedAt: Time },
          { description: 'detail view: the extension request awaiting a decision' },
        ),
      ),
    ),
  },
  { $id: 'WorkOrder' },
);

export const RelatedCaseSchema = Type.Object({
  id: Type.Integer(),
  number: Type.String(),
  state: Type.String(),
  reason: Type.Union([Type.Literal('same_phone'), Type.Literal('similar_text')]),
  similarity: Nullable(Type.Number()),
  description: Type.String(),
  createdAt: Time,
});

const Deadline = Type.Object({
  value: Type.Integer({ minimum: 1, maximum: 1000 }),
  unit: Type.Union([Type.Literal('hours'), Type.Literal('workdays')]),
});
export const DeadlineSchema = Deadline;

export const CreateBody = Type.Object({
  channel: Type.Optional(literals(CHANNELS)),
  callerName: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  callerPhone: Type.Optional(Nullable(Type.String({ maxLength: 30 }))),
  anonymous: Type.Optional(Type.Boolean()),
  contactAllowed: Type.Optional(Type.Boolean({ description: 'the caller agrees to be called back by the department' })),
  address: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
  placeUnitId: Type.Optional(
    Nullable(Type.Integer({ minimum: 1, description: 'street/community/grid; resolved from the address when left out' })),
  ),
  lat: Type.Optional(Nullable(Type.Number({ minimum: -90, maximum: 90 }))),
  lng: Type.Optional(Nullable(Type.Number({ minimum: -180, maximum: 180 }))),
  description: Type.String({ minLength: 1, maxLength: 10000 }),
  callId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  categoryId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  departmentId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  priority: Type.Optional(literals(PRIORITIES)),
  emergency: Type.Optional(Type.Boolean()),
  proposal: Type.Optional(
    Nullable(
      Type.Object(
        {
          categoryId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
          departmentId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
          modelVersion: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
          scores: Type.Optional(Type.Unknown()),
        },
        { description: "the classifier's proposal, kept to learn from the dispatcher's decision" },
      ),
    ),
  ),
  submit: Type.Optional(Type.Boolean({ description: 'send straight to the dispatch queue (提交派单)' })),
});

export const TransitionBody = Type.Object({
  action: literals(ACTIONS),
  version: Type.Optional(Type.Integer({ minimum: 1, description: 'the version you loaded: a newer one is refused with 409' })),
  categoryId: Type.Optional(Type.Integer({ minimum: 1 })),
  departmentId: Type.Optional(Type.Integer({ minimum: 1 })),
  instructions: Type.Optional(Type.String({ maxLength: 2000 })),
  deadlineAt: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601' })),
  priority: Type.Optional(literals(PRIORITIES)),
  unitId: Type.Optional(Type.Integer({ minimum: 1 })),
  targetId: Type.Optional(Type.Integer({ minimum: 1 })),
  result: Type.Optional(Type.String({ maxLength: 10000 })),
  reason: Type.Optional(Type.String({ maxLength: 2000 })),
  decision: Type.Optional(Type.Union([Type.Literal('accept'), Type.Literal('reject')])),
  message: Type.Optional(Type.String({ maxLength: 2000 })),
  callbackOutcome: Type.Optional(literals(CALLBACK_OUTCOMES)),
  articleId: Type.Optional(Type.Integer({ minimum: 1 })),
  note: Type.Optional(Type.String({ maxLength: 2000 })),
});

export const ListQuery = Type.Object({
  state: Type.Optional(Type.String({ description: 'one state or several, comma-separated' })),
  categoryId: Type.Optional(Type.Integer({ minimum: 1 })),
  departmentId: Type.Optional(Type.Integer({ minimum: 1 })),
  callId: Type.Optional(Type.Integer({ minimum: 1, description: 'the cases of one call' })),
  channel: Type.Optional(literals(CHANNELS)),
  overdue: Type.Optional(Type.Boolean()),
  nearDeadline: Type.Optional(Type.Boolean()),
  from: Type.Optional(Type.String({ description: 'created at or after (ISO 8601)' })),
  to: Type.Optional(Type.String({ description: 'created before (ISO 8601)' })),
  q: Type.Optional(
    Type.String({ maxLength: 200, description: 'a work order number, a phone number (any spacing), or text in description or address' }),
  ),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, default: 1 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20 })),
  sort: Type.Optional(literals(['createdAt', 'updatedAt', 'deadlineAt', 'number'])),
  order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
});

export const HistorySchema = Type.Object({
  id: Type.Integer(),
  action: Type.String(),
  fromState: Nullable(Type.String()),
  toState: Nullable(Type.String()),
  actorId: Nullable(Type.Integer()),
  actorName: Nullable(Type.String()),
  data: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Time,
});

export const ArticleSchema = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  body: Type.String(),
  tags: Type.Array(Type.String()),
  active: Type.Boolean(),
  updatedAt: Time,
  score: Type.Optional(Type.Number()),
});

export const ArticleBody = Type.Object({
  title: Type.String({ minLength: 1, maxLength: 200 }),
  body: Type.String({ minLength: 1, maxLength: 20000 }),
  tags: Type.Optional(Type.Array(Type.String({ maxLength: 50 }), { maxItems: 30 })),
  active: Type.Optional(Type.Boolean()),
});

export const CalendarDaySchema = Type.Object({
  day: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
  kind: Type.Union([Type.Literal('holiday'), Type.Literal('workday')]),
  name: Type.Optional(Nullable(Type.String({ maxLength: 50 }))),
});

export const OverrideSchema = Type.Object({
  id: Type.Integer(),
  categoryId: Type.Integer(),
  placeUnitId: Type.Integer(),
  departmentId: Type.Integer(),
  deadline: Nullable(Deadline),
  note: Nullable(Type.String()),
});

export const OverrideBody = Type.Object({
  categoryId: Type.Integer({ minimum: 1 }),
  placeUnitId: Type.Integer({ minimum: 1, description: 'a street, community or grid' }),
  departmentId: Type.Integer({ minimum: 1 }),
  deadline: Type.Optional(Nullable(Deadline)),
  note: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
});

export const RouteSchema = Type.Object({
  place: Nullable(Type.Object({ unitId: Type.Integer(), kind: Type.String(), name: Type.String() })),
  departmentId: Nullable(Type.Integer()),
  deadline: Deadline,
  source: Type.Union([Type.Literal('override'), Type.Literal('category'), Type.Literal('none')]),
  overrideId: Nullable(Type.Integer()),
});
