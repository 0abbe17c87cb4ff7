/**
 * The shapes callback's routes answer: the one source of the server's types and the desk's
 * (`import type { Callback } from 'callback/index.js'`).
 */
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { CALLBACK_OUTCOMES } from '../dispatch/index.js';

const STATE_DESCRIPTION =
  'scheduled 待回访 (in the queue, due at dueAt), claimed 回访中 (taken by claimedBy), done 已完成 (outcome recorded), ' +
  'unreachable 联系不上 (last attempt unanswered), cancelled 已取消, ' +
  'failed 失败/需人工 (an automated callback whose result could not be written or whose attempts ran out without one: failureReason says why; retry or take it over)';
export const STATES = ['scheduled', 'claimed', 'done', 'unreachable', 'cancelled', 'failed'] as const;

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const CallbackSchema = Type.Object(
  {
    id: Type.Integer(),
    workOrderId: Type.Integer(),
    workOrderNumber: Type.String(),
    departmentId: Nullable(Type.Integer()),
    departmentName: Nullable(Type.String()),
    callerName: Nullable(Type.String()),
    callerPhone: Nullable(Type.String({ description: 'masked, except for the staff member who claimed it' })),
    description: Type.String(),
    replyText: Nullable(Type.String()),
    mode: Type.Union([Type.Literal('manual'), Type.Literal('auto')]),
    state: Type.Union(
      STATES.map((s) => Type.Literal(s)),
      { description: STATE_DESCRIPTION },
    ),
    dueAt: Type.String({ format: 'date-time' }),
    attempts: Type.Integer(),
    maxAttempts: Type.Integer(),
    claimedBy: Nullable(Type.Integer()),
    claimedAt: Nullable(Type.String()),
    outcome: Nullable(Type.Union(CALLBACK_OUTCOMES.map((o) => Type.Literal(o)))),
    note: Nullable(Type.String()),
    attemptLog: Type.Array(Type.Object({ at: Type.String(), result: Type.String(), by: Nullable(Type.Integer()) })),
    completedAt: Nullable(Type.String()),
    failureReason: Nullable(Type.String({ description: 'why the automated survey last stopped (失败/需人工)' })),
    failedAt: Nullable(Type.String()),
  },
  { $id: 'Callback' },
);

/** POST /api/callbacks/:id/call: the call placed, ringing. */
export const CallbackCallSchema = Type.Object({
  callId: Type.Integer({ description: 'GET /api/calls/:callId follows it' }),
  callbackId: Type.Integer(),
  workOrderId: Type.Integer(),
  state: Type.Literal('ringing'),
});

/** A callback of the queue (GET /api/callbacks and every action on one). */
export type Callback = Static<typeof CallbackSchema>;
export type CallbackCall = Static<typeof CallbackCallSchema>;
