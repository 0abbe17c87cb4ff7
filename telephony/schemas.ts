/**
 * The call API's shapes, one source for the routes (validation, serialisation, OpenAPI) and
 * for TypeScript: each schema has its type of the same name (`Static<>`), exported from
 * telephony/index.ts for the server and the desk.
 */
import { type Static, type TSchema, Type } from '@sinclair/typebox';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
export const CALL_STATES = ['ringing', 'queued', 'offered', 'answered', 'held', 'transferring', 'ended'] as const;
/** The states an agent may choose on the desk (offline is the state of an agent never seen). */
export const AGENT_STATES = ['available', 'on_call', 'after_call', 'paused'] as const;

/** A call as lists show it; registered as `Call` (referenced by the list). */
export const Call = Type.Object(
  {
    id: Type.Integer(),
    channel: Type.String({ description: 'sip, twilio, audio_fork or outbound' }),
    direction: Type.String(),
    callerNumber: Nullable(
      Type.String({ description: "masked in lists; whole on GET /api/calls/:id for the call's agent and supervisors" }),
    ),
    calledNumber: Nullable(Type.String({ description: 'on an outbound call the citizen called: masked as callerNumber is' })),
    state: Type.Union(CALL_STATES.map((s) => Type.Literal(s))),
    emergency: Type.Boolean(),
    arrivedAt: Type.String({ format: 'date-time' }),
    answeredAt: Nullable(Type.String({ format: 'date-time' })),
    endedAt: Nullable(Type.String({ format: 'date-time' })),
    agentId: Nullable(Type.Integer()),
    queueWaitMs: Nullable(Type.Integer()),
    endReason: Nullable(Type.String({ description: 'answered, abandoned, transferred, failed, timeout, rejected' })),
    details: Type.Record(Type.String(), Type.Unknown(), { description: 'dtmf digits received, ...' }),
  },
  { $id: 'Call' },
);
export type Call = Static<typeof Call>;

/** One recognised stretch of a call's speech. */
export const Segment = Type.Object({
  leg: Type.Union([Type.Literal('caller'), Type.Literal('agent')]),
  seq: Type.Integer(),
  text: Type.String(),
  final: Type.Boolean(),
  startMs: Nullable(Type.Integer()),
  endMs: Nullable(Type.Integer()),
  confidence: Nullable(Type.Number()),
});
export type Segment = Static<typeof Segment>;

/** A transfer of a call to 110/119/120 or another line, and how it went. */
export const Referral = Type.Object({
  id: Type.Integer(),
  line: Type.String({ description: '110, 119, 120 or other' }),
  target: Type.String(),
  mode: Type.String(),
  reason: Nullable(Type.String()),
  transcriptExcerpt: Nullable(Type.String()),
  agentId: Nullable(Type.Integer()),
  outcome: Type.Union([Type.Literal('pending'), Type.Literal('connected'), Type.Literal('failed')]),
  sipStatus: Nullable(Type.Integer()),
  detail: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  completedAt: Nullable(Type.String({ format: 'date-time' })),
});
export type Referral = Static<typeof Referral>;

/** What a live call adds: its place in the queue, whom it is offered to, the DTMF heard. */
export const LiveCallInfo = Type.Object(
  { queuePosition: Nullable(Type.Integer()), offeredTo: Nullable(Type.Integer()), dtmf: Type.String() },
  { description: 'while the call is live' },
);
export type LiveCallInfo = Static<typeof LiveCallInfo>;

/** GET /api/calls/:id. */
export const CallDetail = Type.Intersect([
  Type.Omit(Call, []),
  Type.Object({
    transcript: Type.Array(Segment),
    referrals: Type.Array(Referral),
    live: Nullable(LiveCallInfo),
    piiMasked: Type.Boolean({ description: 'numbers masked and no transcript: you are not on this call' }),
  }),
]);
export type CallDetail = Static<typeof CallDetail>;

/** GET/POST /api/agents/me/state: an agent's phone state and the call they are on or offered. */
export const AgentState = Type.Object({
  state: Type.String(),
  since: Type.String({ format: 'date-time' }),
  callId: Nullable(Type.Integer()),
  offeredCallId: Nullable(Type.Integer()),
});
export type AgentState = Static<typeof AgentState>;

export const AgentStateBody = Type.Object({ state: Type.Union(AGENT_STATES.map((s) => Type.Literal(s))) });
export type AgentStateBody = Static<typeof AgentStateBody>;

export const CallListQuery = Type.Object({
  state: Type.Optional(Type.Union(CALL_STATES.map((s) => Type.Literal(s)))),
  from: Type.Optional(Type.String({ format: 'date-time', description: 'arrived at or after' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'arrived before' })),
  agentId: Type.Optional(Type.Integer({ minimum: 1 })),
  channel: Type.Optional(Type.Union(['sip', 'twilio', 'audio_fork', 'outbound'].map((s) => Type.Literal(s)))),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
});
export type CallListQuery = Static<typeof CallListQuery>;

export const TransferBody = Type.Object({
  target: Type.String({ minLength: 1, maxLength: 256, description: '"110", "119", "120" or a SIP URI' }),
  mode: Type.Union([Type.Literal('blind'), Type.Literal('bridge')], {
    description: 'blind = SIP REFER; bridge = a new leg bridged through the hotline',
  }),
  reason: Type.Optional(Type.String({ maxLength: 500 })),
});
export type TransferBody = Static<typeof TransferBody>;

export const HoldBody = Type.Object({
  hold: Type.Boolean({ default: true, description: 'true = hold (caller hears the queue audio), false = resume' }),
});
export type HoldBody = Static<typeof HoldBody>;

/** The PBX ingress WebSockets' query. */
export const IngressQuery = Type.Object({
  token: Type.Optional(Type.String({ maxLength: 256 })),
  sampleRate: Type.Optional(Type.Integer({ description: 'audio-fork only: 8000 or 16000 when the start frame does not say' })),
});
export type IngressQuery = Static<typeof IngressQuery>;

export const Ok = Type.Object({ ok: Type.Literal(true) });
export type Ok = Static<typeof Ok>;
