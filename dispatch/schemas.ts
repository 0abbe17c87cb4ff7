/**
 * TypeBox shapes of dispatch's HTTP API: they make the OpenAPI document at /docs, and the
 * TypeScript types of what the API answers are derived from them (Static<>), so the server's
 * code, the route schemas and the desk (which imports these types) cannot drift apart.
 */
import { type Static, type TObject, type TSchema, Type } from '@sinclair/typebox';
import { ACTIONS, CALLBACK_OUTCOMES, CHANNELS, PRIORITIES, STATES } from './states.js';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
// The values as one TLiteral of their union: Static<> gives the union of the values.
const literals = <const T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));
const Time = Type.String({ format: 'date-time' });

/** A work order as lists and transitions answer it. */
const workOrderFields = {
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
};

export const PendingExtensionSchema = Type.Object(
  { requestedDeadline: Time, reason: Type.String(), requestedAt: Time },
  { description: 'detail view: the extension request awaiting a decision' },
);

/** What GET /api/work-orders/:id adds to a work order. */
const detailFields = {
  allowedActions: Type.Array(Type.String(), { description: 'detail view: actions the current user may take now' }),
  transcript: Nullable(Type.String({ description: "detail view: the linked call's final transcript" })),
  piiMasked: Type.Boolean({
    description:
      "detail view: true when the caller's name, number, address and the transcript are masked because you do not work on this case",
  }),
  pendingExtension: Nullable(PendingExtensionSchema),
};

/** The one registered WorkOrder schema (Type.Ref('WorkOrder')): list items and the detail view, detail fields optional. */
export const WorkOrderSchema = Type.Object(
  {
    ...workOrderFields,
    allowedActions: Type.Optional(detailFields.allowedActions),
    transcript: Type.Optional(detailFields.transcript),
    piiMasked: Type.Optional(detailFields.piiMasked),
    pendingExtension: Type.Optional(detailFields.pendingExtension),
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

/** POST /api/work-orders's body, for clients (the desk) to build it against. */
export type CreateWorkOrderRequest = Static<typeof CreateBody>;

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

export const DeadlineCheckSchema = Type.Object({ checked: Type.Integer(), nearDeadline: Type.Integer(), overdue: Type.Integer() });

export const RouteSchema = Type.Object({
  place: Nullable(Type.Object({ unitId: Type.Integer(), kind: Type.String(), name: Type.String() })),
  departmentId: Nullable(Type.Integer()),
  deadline: Deadline,
  source: Type.Union([Type.Literal('override'), Type.Literal('category'), Type.Literal('none')]),
  overrideId: Nullable(Type.Integer()),
});

export const WorkOrderPageSchema = Type.Object({
  items: Type.Array(Type.Ref('WorkOrder')),
  total: Type.Integer(),
  page: Type.Integer(),
  pageSize: Type.Integer(),
});
export const CreatedWorkOrderSchema = Type.Object({ workOrder: Type.Ref('WorkOrder'), related: Type.Array(RelatedCaseSchema) });
export const TransitionResponseSchema = Type.Object({
  workOrder: Type.Ref('WorkOrder'),
  eventId: Type.Integer(),
  fromState: Type.String(),
  toState: Type.String(),
});

// What the API answers, as TypeScript types (exported from index.ts for the desk's `import type`).
/** A work order in a list, a transition's answer or a created case (caller's data masked as the viewer may see it). */
export type WorkOrder = Static<TObject<typeof workOrderFields>>;
/** GET /api/work-orders/:id: a work order with what the viewer may do and the linked call's transcript. */
export type WorkOrderDetail = Static<TObject<typeof workOrderFields & typeof detailFields>>;
export type PendingExtension = Static<typeof PendingExtensionSchema>;
export type RelatedCase = Static<typeof RelatedCaseSchema>;
/** One entry of GET /api/work-orders/:id/history (a supervise entry's data carries the notice: noticeId, message). */
export type HistoryEntry = Static<typeof HistorySchema>;
export type KnowledgeArticle = Static<typeof ArticleSchema>;
export type CalendarDayView = Static<typeof CalendarDaySchema>;
export type RoutingOverrideView = Static<typeof OverrideSchema>;
export type RouteResolution = Static<typeof RouteSchema>;
export type DeadlineCheckResult = Static<typeof DeadlineCheckSchema>;
/** GET /api/work-orders and GET /api/supervision/overdue. */
export type WorkOrderPage = { items: WorkOrder[] } & Omit<Static<typeof WorkOrderPageSchema>, 'items'>;
export type CreatedWorkOrder = { workOrder: WorkOrder; related: RelatedCase[] };
export type TransitionResponse = { workOrder: WorkOrder } & Omit<Static<typeof TransitionResponseSchema>, 'workOrder'>;
