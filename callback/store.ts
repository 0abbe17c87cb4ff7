/**
 * The callbacks table: scheduling when a reply is accepted, the staff's due list, claims,
 * outcomes and attempts. The row is the source of truth in both queue modes; every change
 * is one conditional UPDATE so two staff, or two workers, never take the same callback.
 */

import type { EventBus, Role } from '../core/index.js';
import { describeError, maskName, maskPhone, open, openNumbersInText } from '../core/index.js';
import type { Db, Queryable } from '../db/index.js';
import { applyTransition, type CallbackOutcome, type DispatchSettings, loadCalendar } from '../dispatch/index.js';
import { linkCallToCallback } from '../telephony/index.js';
import { CallbackErrors } from './errors.js';
import type { CallbackEvent } from './events.js';
import { nextCallTime, retryTime, sampled } from './policy.js';
import type { Callback, CallbackCall } from './schemas.js';
import type { CallbackSettings } from './settings.js';

export interface CallbackDeps {
  db: Db;
  bus: EventBus;
  settings: CallbackSettings;
  dispatch: DispatchSettings;
  /** Tells the queue (BullMQ or the embedded scheduler) that an automated job is due at `dueAt`. */
  enqueue?: (id: number, attempts: number, dueAt: Date) => void;
  /** Telephony's click-to-call (CallCenter.callOut), looked up per call; undefined without telephony. */
  callOut?: () => ClickToCall | undefined;
}

/**
 * Places an outbound call to `number` for desk user `userId` and returns its record at once
 * (ringing); the call becomes that user's live call when the citizen answers.
 */
export type ClickToCall = (o: { number: string; userId: number; timeoutMs: number; details: object }) => Promise<{ id: number }>;

const SELECT = `SELECT cb.id, cb.work_order_id AS "workOrderId", w.number AS "workOrderNumber", w.department_id AS "departmentId",
  d.name AS "departmentName", w.caller_name AS "callerName", w.caller_phone AS "callerPhone", w.description,
  w.reply_text AS "replyText", cb.mode, cb.state, cb.due_at AS "dueAt", cb.attempts, cb.max_attempts AS "maxAttempts",
  cb.claimed_by AS "claimedBy", cb.claimed_at AS "claimedAt", cb.outcome, cb.note, cb.attempt_log AS "attemptLog",
  cb.completed_at AS "completedAt", cb.failure_reason AS "failureReason", cb.failed_at AS "failedAt"
  FROM callbacks cb JOIN work_orders w ON w.id = cb.work_order_id LEFT JOIN org_units d ON d.id = w.department_id`;

const iso = (v: unknown) => (v == null ? null : new Date(v as string).toISOString());

function view(row: Record<string, unknown>, viewerId: number | null): Callback {
  const r = row as unknown as Callback;
  const own = viewerId !== null && r.claimedBy === viewerId && r.state === 'claimed';
  return {
    ...r,
    // Sealed at rest (core/personal-data.ts); in clear only to whoever claimed the callback.
    callerPhone: own ? open(r.callerPhone) : maskPhone(open(r.callerPhone)),
    callerName: own ? open(r.callerName) : maskName(open(r.callerName)),
    description: openNumbersInText(r.description),
    dueAt: iso(r.dueAt) as string,
    claimedAt: iso(r.claimedAt),
    completedAt: iso(r.completedAt),
    failedAt: iso(r.failedAt),
    attemptLog: typeof r.attemptLog === 'string' ? JSON.parse(r.attemptLog) : r.attemptLog,
  };
}

export async function getCallback(q: Queryable, id: number, viewerId: number | null = null): Promise<Callback> {
  const r = await q.query(`${SELECT} WHERE cb.id = $1`, [id]);
  if (!r.rows[0]) throw CallbackErrors.CALLBACK_NOT_FOUND({ id });
  return view(r.rows[0], viewerId);
}

function event(c: Callback, userId: number | null): CallbackEvent {
  return {
    callbackId: c.id,
    workOrderId: c.workOrderId,
    departmentId: c.departmentId,
    state: c.state,
    outcome: c.outcome,
    dueAt: c.dueAt,
    attempts: c.attempts,
    userId,
  };
}

const SYSTEM = { id: null, role: 'system' as const, orgUnitId: null };

export type ScheduleResult = { callback: Callback } | { skipped: string };

/**
 * The states in which a callback holds its case (at most one per case, the unique index
 * callbacks_open_per_case): a failed one waits for a person, not for a second callback.
 */
export const HOLDING = `('scheduled', 'claimed', 'failed')`;

/**
 * Schedules the callback of a case whose reply was accepted (state callback_pending), or
 * closes it at once when no call may be made. Idempotent: a case with an open callback
 * keeps it.
 */
export async function scheduleForCase(deps: CallbackDeps, workOrderId: number, now = Date.now()): Promise<ScheduleResult> {
  const { db, bus, settings } = deps;
  const r = await db.query<{
    state: string;
    anonymous: boolean;
    contact: boolean;
    phone: string | null;
    code: string | null;
    dept: number | null;
  }>(
    `SELECT w.state, w.anonymous, w.contact_allowed AS contact, w.caller_phone AS phone, c.code, w.department_id AS dept
       FROM work_orders w LEFT JOIN categories c ON c.id = w.category_id WHERE w.id = $1`,
    [workOrderId],
  );
  const wo = r.rows[0];
  if (!wo) throw CallbackErrors.CALLBACK_WORK_ORDER_NOT_FOUND({ id: workOrderId });
  wo.phone = open(wo.phone);
  if (wo.state !== 'callback_pending') throw CallbackErrors.CALLBACK_CASE_NOT_PENDING({ id: workOrderId, state: wo.state });
  let skip: string | undefined;
  if ((wo.anonymous && !wo.contact) || !wo.contact) skip = '来电人拒绝回访，不回访';
  else if (!wo.phone) skip = '无联系电话，无法回访';
  else if (!sampled(settings.sampling, wo.code, workOrderId)) skip = '未抽中回访，按答复结案';
  if (skip) {
    await applyTransition(db, bus, { workOrderId, action: 'close', actor: SYSTEM, reason: skip });
    bus.publish('callback.skipped', { workOrderId, departmentId: wo.dept, reason: skip });
    return { skipped: skip };
  }
  const cal = await loadCalendar(db, deps.dispatch);
  const due = new Date(nextCallTime(cal, settings, now));
  const ins = await db.query<{ id: number }>(
    `INSERT INTO callbacks (work_order_id, mode, due_at, max_attempts) VALUES ($1, $2, $3, $4)
     ON CONFLICT (work_order_id) WHERE state IN ${HOLDING} DO NOTHING RETURNING id`,
    [workOrderId, settings.mode, due.toISOString(), settings.maxAttempts],
  );
  if (!ins.rows[0]) {
    const open = await db.query<{ id: number }>(`SELECT id FROM callbacks WHERE work_order_id = $1 AND state IN ${HOLDING}`, [workOrderId]);
    return { callback: await getCallback(db, open.rows[0]?.id as number) };
  }
  const cb = await getCallback(db, ins.rows[0].id);
  bus.publish('callback.scheduled', event(cb, null));
  if (cb.mode === 'auto') deps.enqueue?.(cb.id, cb.attempts, due);
  return { callback: cb };
}

export interface ListQuery {
  view?: 'due' | 'mine' | 'all';
  state?: Callback['state'];
  limit?: number;
  offset?: number;
}

export async function listCallbacks(
  q: Queryable,
  userId: number,
  query: ListQuery,
  now = new Date(),
): Promise<{ items: Callback[]; total: number }> {
  const where: string[] = [];
  const args: unknown[] = [];
  const arg = (v: unknown) => {
    args.push(v);
    return `$${args.length}`;
  };
  const v = query.view ?? 'due';
  if (v === 'due') where.push(`cb.state = 'scheduled'`, `cb.mode = 'manual'`, `cb.due_at <= ${arg(now.toISOString())}`);
  if (v === 'mine') where.push(`cb.claimed_by = ${arg(userId)}`);
  if (query.state) where.push(`cb.state = ${arg(query.state)}`);
  const w = where.length ? ` WHERE ${where.join(' AND ')}` : '';
  const total = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM callbacks cb${w}`, args);
  const rows = await q.query(
    `${SELECT}${w} ORDER BY cb.due_at, cb.id LIMIT ${arg(query.limit ?? 50)} OFFSET ${arg(query.offset ?? 0)}`,
    args,
  );
  return { items: rows.rows.map((r) => view(r, userId)), total: total.rows[0]?.n ?? 0 };
}

/** Takes a scheduled callback for `userId`; exactly one of two simultaneous claims wins. */
export async function claimCallback(deps: CallbackDeps, id: number, userId: number): Promise<Callback> {
  const r = await deps.db.query<{ id: number }>(
    `UPDATE callbacks SET state = 'claimed', claimed_by = $2, claimed_at = now(), updated_at = now()
      WHERE id = $1 AND state = 'scheduled' AND (lease_until IS NULL OR lease_until < now()) RETURNING id`,
    [id, userId],
  );
  if (!r.rows[0]) {
    const cur = await getCallback(deps.db, id);
    if (cur.state === 'claimed') {
      throw cur.claimedBy === userId
        ? CallbackErrors.CALLBACK_ALREADY_YOURS({ id })
        : CallbackErrors.CALLBACK_CLAIMED_BY_OTHER({ id, claimedBy: cur.claimedBy });
    }
    if (cur.state === 'scheduled') throw CallbackErrors.CALLBACK_SURVEY_CALLING({ id });
    throw CallbackErrors.CALLBACK_NOT_CLAIMABLE({ id, state: cur.state });
  }
  const cb = await getCallback(deps.db, id, userId);
  deps.bus.publish('callback.claimed', event(cb, userId));
  return cb;
}

export const OUTCOMES = ['satisfied', 'basically_satisfied', 'unsatisfied', 'unsolved', 'unreachable'] as const;
export const OUTCOME_NAMES_ZH: Record<CallbackOutcome, string> = {
  satisfied: '满意',
  basically_satisfied: '基本满意',
  unsatisfied: '不满意',
  unsolved: '未解决',
  unreachable: '联系不上',
};

export interface ResultInput {
  outcome: CallbackOutcome;
  note?: string;
  user: { id: number | null; role: Role | 'system' };
}

/**
 * Records what the citizen said. 联系不上 before the last attempt puts the callback back in
 * the queue after the retry interval; every other outcome (or the last unanswered attempt)
 * closes the case (满意/基本满意/联系不上) or reopens it to its department (不满意/未解决)
 * through dispatch, whose transaction checks the case first: a refused transition leaves the
 * callback as it was.
 */
export async function recordResult(deps: CallbackDeps, id: number, input: ResultInput, now = Date.now()): Promise<Callback> {
  const { db, bus } = deps;
  if (!(OUTCOMES as readonly string[]).includes(input.outcome)) {
    throw CallbackErrors.CALLBACK_OUTCOME_UNKNOWN({ outcome: input.outcome, outcomes: OUTCOMES.join(', ') });
  }
  const note = input.note?.trim() || undefined;
  const cur = await getCallback(db, id);
  const staff = input.user.role === 'supervisor' || input.user.role === 'admin' || input.user.role === 'system';
  if (cur.state !== 'claimed' && !(cur.state === 'scheduled' && input.user.role === 'system')) {
    throw CallbackErrors.CALLBACK_NOT_CLAIMED({ id, state: cur.state });
  }
  if (cur.state === 'claimed' && cur.claimedBy !== input.user.id && !staff) {
    throw CallbackErrors.CALLBACK_RESULT_NOT_YOURS({ id });
  }
  const attempts = cur.attempts + (input.user.role === 'system' ? 0 : 1);
  const logEntry = { at: new Date(now).toISOString(), result: input.outcome, by: input.user.id };

  if (input.outcome === 'unreachable' && attempts < cur.maxAttempts) {
    const cal = await loadCalendar(db, deps.dispatch);
    const due = new Date(retryTime(cal, deps.settings, now));
    const r = await db.query(
      `UPDATE callbacks SET state = 'scheduled', attempts = $2, due_at = $3, claimed_by = NULL, claimed_at = NULL, lease_until = NULL,
          last_attempt_at = $4, note = $5, attempt_log = attempt_log || $6::jsonb, updated_at = now()
        WHERE id = $1 AND state = $7 RETURNING id`,
      [id, attempts, due.toISOString(), logEntry.at, note ?? null, JSON.stringify([logEntry]), cur.state],
    );
    if (!r.rows[0]) throw CallbackErrors.CALLBACK_CHANGED_WHILE_RECORDING({ id });
    const cb = await getCallback(db, id);
    bus.publish('callback.attempt', { ...event(cb, input.user.id), result: 'unreachable' });
    if (cb.mode === 'auto') deps.enqueue?.(cb.id, cb.attempts, due);
    return cb;
  }

  const actor = { id: input.user.id, role: input.user.role === 'system' ? ('system' as const) : input.user.role, orgUnitId: null };
  const reopen = input.outcome === 'unsatisfied' || input.outcome === 'unsolved';
  const final = input.outcome === 'unreachable' ? 'unreachable' : 'done';
  // The case and its callback change together: a callback left scheduled beside a closed
  // case would be called again and again, each attempt refused by the case's state.
  await applyTransition(db, bus, {
    workOrderId: cur.workOrderId,
    action: reopen ? 'reopen' : 'close',
    actor,
    callbackOutcome: input.outcome,
    reason: reopen ? (note ?? `回访${OUTCOME_NAMES_ZH[input.outcome]}，重办`) : undefined,
    note,
    inTransaction: async (q) => {
      const r = await q.query(
        `UPDATE callbacks SET state = $2, outcome = $3, note = $4, attempts = $5, last_attempt_at = $6, completed_at = $6, lease_until = NULL,
            attempt_log = attempt_log || $7::jsonb, updated_at = now() WHERE id = $1 AND state = $8 RETURNING id`,
        [id, final, input.outcome, note ?? null, attempts, logEntry.at, JSON.stringify([logEntry]), cur.state],
      );
      if (!r.rows[0]) throw CallbackErrors.CALLBACK_CHANGED_WHILE_RECORDING({ id });
    },
  });
  const cb = await getCallback(db, id, input.user.id);
  bus.publish('callback.completed', event(cb, input.user.id));
  return cb;
}

/**
 * Click-to-call: rings the citizen of a callback that `userId` has claimed, through the
 * telephony trunk. Refusals change nothing: not claimed by this user (409), no phone or no
 * trunk (400), already on a call (409). The call row names its callback (calls.callback_id).
 */
export async function callCitizen(deps: CallbackDeps, id: number, userId: number): Promise<CallbackCall> {
  const cur = await getCallback(deps.db, id, userId);
  if (cur.state !== 'claimed') {
    throw CallbackErrors.CALLBACK_CALL_NOT_CLAIMED({ id, state: cur.state });
  }
  if (cur.claimedBy !== userId) {
    throw CallbackErrors.CALLBACK_CALL_NOT_YOURS({ id, claimedBy: cur.claimedBy });
  }
  if (!cur.callerPhone?.replace(/[^\d+]/g, '')) {
    throw CallbackErrors.CALLBACK_NO_PHONE({ number: cur.workOrderNumber });
  }
  const dial = deps.callOut?.();
  if (!dial) throw CallbackErrors.CLICK_TO_CALL_UNAVAILABLE();
  const call = await dial({
    number: cur.callerPhone,
    userId,
    timeoutMs: deps.settings.answerMs,
    details: { callbackId: id, workOrderId: cur.workOrderId },
  });
  await linkCallToCallback(deps.db, call.id, id);
  deps.bus.publish('callback.calling', { ...event(cur, userId), callId: call.id });
  return { callId: call.id, callbackId: id, workOrderId: cur.workOrderId, state: 'ringing' };
}

/**
 * Puts an automated callback into the dead letter (failed, 失败/需人工) with the reason and
 * what the citizen answered, if anything; no job runs it again. Only a scheduled one: a
 * callback a person took over meanwhile stays theirs. Returns null when nothing changed.
 */
export async function failCallback(
  deps: CallbackDeps,
  id: number,
  reason: string,
  answer: { result: string } | null = null,
): Promise<Callback | null> {
  const log = answer ? [{ at: new Date().toISOString(), result: answer.result, by: null }] : [];
  const r = await deps.db.query<{ id: number }>(
    `UPDATE callbacks SET state = 'failed', failure_reason = $2, failed_at = now(), lease_until = NULL,
        attempt_log = attempt_log || $3::jsonb, updated_at = now()
      WHERE id = $1 AND state = 'scheduled' RETURNING id`,
    [id, reason.slice(0, 2000), JSON.stringify(log)],
  );
  if (!r.rows[0]) return null;
  const cb = await getCallback(deps.db, id);
  deps.bus.publish('callback.failed', { ...event(cb, null), reason: cb.failureReason ?? reason });
  return cb;
}

/**
 * Automated callbacks whose attempts are used up without a recorded result (the worker of
 * the last attempt died, or its result was never written): the lease query no longer takes
 * them, so they go to the dead letter instead of waiting silently.
 */
export async function failExhausted(deps: CallbackDeps): Promise<Callback[]> {
  const r = await deps.db.query<{ id: number }>(
    `UPDATE callbacks SET state = 'failed', failed_at = now(), lease_until = NULL, updated_at = now(),
        failure_reason = '已拨打 ' || attempts || ' 次（上限 ' || max_attempts || ' 次），最后一次的结果未能记录：请人工回访或重新排队'
      WHERE state = 'scheduled' AND mode = 'auto' AND attempts >= max_attempts AND (lease_until IS NULL OR lease_until < now())
      RETURNING id`,
  );
  const out: Callback[] = [];
  for (const row of r.rows) {
    const cb = await getCallback(deps.db, row.id);
    deps.bus.publish('callback.failed', { ...event(cb, null), reason: cb.failureReason ?? '' });
    out.push(cb);
  }
  return out;
}

async function requireFailedCase(deps: CallbackDeps, id: number): Promise<Callback> {
  const cur = await getCallback(deps.db, id);
  if (cur.state !== 'failed') throw CallbackErrors.CALLBACK_NOT_FAILED({ id, state: cur.state });
  const wo = await deps.db.query<{ state: string }>('SELECT state FROM work_orders WHERE id = $1', [cur.workOrderId]);
  const st = wo.rows[0]?.state;
  if (st !== 'callback_pending') {
    throw CallbackErrors.CALLBACK_CASE_MOVED_ON({ number: cur.workOrderNumber, state: st });
  }
  return cur;
}

/**
 * 重新排队: a failed automated callback goes back to the survey queue, due now, with a new
 * allowance of CALLBACK_MAX_ATTEMPTS attempts counted on from the ones already made.
 */
export async function retryCallback(deps: CallbackDeps, id: number, userId: number, now = Date.now()): Promise<Callback> {
  await requireFailedCase(deps, id);
  const due = new Date(nextCallTime(await loadCalendar(deps.db, deps.dispatch), deps.settings, now));
  const entry = { at: new Date(now).toISOString(), result: 'requeued', by: userId };
  const r = await deps.db.query<{ id: number }>(
    `UPDATE callbacks SET state = 'scheduled', mode = 'auto', due_at = $2, max_attempts = attempts + $3, lease_until = NULL,
        attempt_log = attempt_log || $4::jsonb, updated_at = now()
      WHERE id = $1 AND state = 'failed' RETURNING id`,
    [id, due.toISOString(), deps.settings.maxAttempts, JSON.stringify([entry])],
  );
  if (!r.rows[0]) throw CallbackErrors.CALLBACK_CHANGED_MEANWHILE({ id });
  const cb = await getCallback(deps.db, id, userId);
  deps.bus.publish('callback.scheduled', event(cb, userId));
  deps.enqueue?.(cb.id, cb.attempts, due);
  return cb;
}

/**
 * 转人工回访: a failed automated callback becomes a manual one claimed by `userId`, who
 * calls the citizen and records the outcome as for any claimed callback.
 */
export async function takeOverCallback(deps: CallbackDeps, id: number, userId: number): Promise<Callback> {
  await requireFailedCase(deps, id);
  const entry = { at: new Date().toISOString(), result: 'taken_over', by: userId };
  const r = await deps.db.query<{ id: number }>(
    `UPDATE callbacks SET state = 'claimed', mode = 'manual', claimed_by = $2, claimed_at = now(), lease_until = NULL,
        max_attempts = GREATEST(max_attempts, attempts + 1), attempt_log = attempt_log || $3::jsonb, updated_at = now()
      WHERE id = $1 AND state = 'failed' RETURNING id`,
    [id, userId, JSON.stringify([entry])],
  );
  if (!r.rows[0]) throw CallbackErrors.CALLBACK_TAKEN_BY_OTHER({ id });
  const cb = await getCallback(deps.db, id, userId);
  deps.bus.publish('callback.claimed', event(cb, userId));
  return cb;
}

/** The reason a result could not be written, for the dead letter and the log. */
export function writeFailure(outcome: string, err: unknown): string {
  return `回访结果（${OUTCOME_NAMES_ZH[outcome as CallbackOutcome] ?? outcome}）未能写入：${describeError(err)}`;
}
