/**
 * Every state change of a work order: one function, one transaction that checks the
 * actor's role and unit, the case's state and version, writes the new state and the audit
 * row (plus the action's own records: extension requests, supervision notices, referrals,
 * classifier feedback), and publishes `workorder.changed` after the commit.
 */

import { recordFeedback } from '../classifier/index.js';
import type { EventBus } from '../core/index.js';
import { maskText, parseRequestTime, ROLE_NAMES_ZH } from '../core/index.js';
import type { Db, Queryable } from '../db/index.js';
import { insertCaseReferral } from '../telephony/index.js';
import { computeDeadline, type DeadlineRule, resumeDeadline, resumeStart, type WorkCalendar } from './calendar.js';
import { loadCalendar } from './calendar-store.js';
import { DispatchErrors } from './errors.js';
import type { WorkOrderChanged } from './events.js';
import { requireHandlingUnit, resolveRoute, routeWithCategory, unitChain } from './routing.js';
import { DEFAULT_DISPATCH_SETTINGS, type DispatchSettings } from './settings.js';
import { ACTIONS, type Action, type CallbackOutcome, FINAL_STATES, RULES, roleRefusal, STATE_NAMES_ZH, type State } from './states.js';
import { type Actor, isOwnCase, openRow, ROW_KEY_OF, selectForChange, toView, type WorkOrder, type WorkOrderRow } from './workorders.js';

export { CALLBACK_OUTCOMES, type CallbackOutcome } from './states.js';

export interface TransitionInput {
  workOrderId: number;
  action: Action;
  actor: Actor;
  /** The version the actor saw; a different current version is a 409 (someone else acted first). */
  version?: number;
  /** dispatch: the category and department (corrections of the proposal), instructions. */
  categoryId?: number;
  departmentId?: number;
  instructions?: string;
  /** dispatch: an explicit deadline instead of the catalogue's; request_extension: the new date; reopen: optional. */
  deadlineAt?: string;
  priority?: 'low' | 'normal' | 'high' | 'urgent';
  /** forward: the unit below the handler's. */
  unitId?: number;
  /** merge: the open case this one joins. */
  targetId?: number;
  /** reply: the department's result; resolve_on_call: the answer given. */
  result?: string;
  /** return, request_extension, close without callback, reopen, refer_110: why. */
  reason?: string;
  /** review: accept the reply, or send it back (reject, with a note). */
  decision?: 'accept' | 'reject';
  /** supervise: the notice to the department. */
  message?: string;
  /** close / reopen after a callback: what the citizen said. */
  callbackOutcome?: CallbackOutcome;
  /** resolve_on_call: the knowledge article the answer came from. */
  articleId?: number;
  note?: string;
  /** For tests and batch imports: the time the action happens (default now). */
  now?: Date;
  /**
   * The caller's own writes that must commit or roll back with this change (callback/
   * marks its callback done in the transaction that closes or reopens the case).
   */
  inTransaction?: (q: Queryable) => Promise<void>;
}

export interface TransitionResult {
  workOrder: WorkOrder;
  eventId: number;
  fromState: State;
  toState: State;
}

const text = (v: string | undefined) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

function required(value: string | undefined, action: Action, field: string, what: string): string {
  const v = text(value);
  if (!v) throw DispatchErrors.ACTION_FIELD_REQUIRED({ action, field, what });
  return v;
}

function parseTime(value: string | undefined, field: string): number | undefined {
  return value == null ? undefined : parseRequestTime(field, value).getTime();
}

export async function applyTransition(
  db: Db,
  bus: EventBus,
  input: TransitionInput,
  settings: DispatchSettings = DEFAULT_DISPATCH_SETTINGS,
): Promise<TransitionResult> {
  const rule = RULES[input.action];
  if (!rule || !(ACTIONS as readonly string[]).includes(input.action)) {
    throw DispatchErrors.ACTION_UNKNOWN({ action: input.action, actions: ACTIONS.join(', ') });
  }
  const { actor } = input;
  const role = actor.role;
  if (role !== 'admin' && role !== 'system' && !rule.roles.includes(role)) {
    throw DispatchErrors.ACTION_NOT_ALLOWED({
      role,
      roleZh: ROLE_NAMES_ZH[role],
      action: input.action,
      actionZh: rule.zh,
      allowed: rule.roles.map((r) => `${r} (${ROLE_NAMES_ZH[r]})`).join(', '),
    });
  }
  const now = input.now?.getTime() ?? Date.now();

  const done = await db
    .tx(async (q) => {
      const handlerCheck = rule.departmentOnly && actor.role === 'handler';
      const wo = await loadForTransition(q, input.workOrderId, handlerCheck ? actor.orgUnitId : null);
      if (handlerCheck) {
        const mine = actor.orgUnitId != null && wo.departmentId != null && wo.inActorUnit === true;
        if (!mine) {
          throw DispatchErrors.WORK_ORDER_OTHER_UNIT({ number: wo.number, department: wo.departmentName ?? 'no unit' });
        }
      }
      if (input.version != null && input.version !== wo.version) {
        throw DispatchErrors.VERSION_CONFLICT(
          { number: wo.number, yourVersion: input.version, version: wo.version, stateZh: STATE_NAMES_ZH[wo.state] },
          { currentVersion: wo.version, state: wo.state },
        );
      }
      if (!rule.from.includes(wo.state)) {
        throw DispatchErrors.ACTION_NOT_POSSIBLE_IN_STATE(
          {
            number: wo.number,
            stateZh: STATE_NAMES_ZH[wo.state],
            state: wo.state,
            action: input.action,
            actionZh: rule.zh,
            fromZh: rule.from.map((s) => STATE_NAMES_ZH[s]).join(', '),
          },
          { currentVersion: wo.version, state: wo.state },
        );
      }
      // Narrower rules of some roles (callback staff close only after a callback, agents refer their own cases).
      const refusal = roleRefusal(input.action, wo.state, role, isOwnCase(wo, actor));
      if (refusal) throw refusal;
      // Only the steps that compute a deadline read the calendar.
      let calendar: Promise<WorkCalendar> | undefined;
      const cal = () => {
        calendar ??= loadCalendar(q, settings);
        return calendar;
      };
      const step = await ACTION_STEPS[input.action]({ q, wo, input, cal, settings, now });
      const to: State = step.to ?? (rule.to === 'same' ? wo.state : rule.to);
      const changes: Record<string, unknown> = { state: to, ...step.changes };
      const cols = Object.keys(changes);
      const n = cols.length;
      // The state change and its audit row in one round trip. The row as it now reads is the
      // locked one with what changed, as the database stored it (and the names of a new
      // category or unit): returning every column was a third of the statement's cost.
      // (Columns a Row does not hold, e.g. replied_at, are written and not read back.)
      const changed = cols.flatMap((c) => {
        const key = ROW_KEY_OF.get(c);
        return key ? [`w.${c} AS "${key}"`] : [];
      });
      if ('category_id' in changes) changed.push('(SELECT name FROM categories WHERE id = w.category_id) AS "categoryName"');
      if ('department_id' in changes) changed.push('(SELECT name FROM org_units WHERE id = w.department_id) AS "departmentName"');
      const r = await q.query<Partial<WorkOrderRow> & { eventId: number }>(
        `WITH w AS (UPDATE work_orders SET ${cols.map((c, i) => `${c} = $${i + 3}`).join(', ')}, version = version + 1, updated_at = now()
              WHERE id = $1 AND version = $2 RETURNING *),
           e AS (INSERT INTO work_order_events (work_order_id, action, from_state, to_state, actor_id, data)
              SELECT id, $${n + 3}::text, $${n + 4}::text, $${n + 5}::text, $${n + 6}::bigint, $${n + 7}::jsonb FROM w RETURNING id)
         SELECT w.version, w.updated_at AS "updatedAt", w.deadline_paused_at IS NOT NULL AS "deadlinePaused", ${changed.join(', ')},
           (SELECT id FROM e) AS "eventId" FROM w`,
        [wo.id, wo.version, ...cols.map((c) => changes[c]), input.action, wo.state, to, actor.id, JSON.stringify(step.data ?? {})],
      );
      const row = r.rows[0];
      if (r.rows.length !== 1 || !row) {
        throw DispatchErrors.WORK_ORDER_CHANGED_CONCURRENTLY({ number: wo.number });
      }
      // Callers' writes (callback/) touch their own tables, not the row read back above.
      await input.inTransaction?.(q);
      const { eventId, ...written } = row;
      const after: WorkOrderRow = { ...wo, ...written };
      return { wo: after, from: wo.state, to, eventId, also: step.also ?? [] };
    })
    .catch((err: unknown) => {
      // Two merges crossing each other, or a serialization failure: the loser retries after a reload.
      const code = (err as { code?: string }).code;
      if (code === '40P01' || code === '40001') {
        throw DispatchErrors.WORK_ORDER_BUSY({ id: input.workOrderId });
      }
      throw err;
    });

  bus.publish('workorder.changed', {
    id: done.wo.id,
    number: done.wo.number,
    action: input.action,
    fromState: done.from,
    toState: done.to,
    departmentId: done.wo.departmentId,
    actorId: actor.id,
    eventId: done.eventId,
  });
  for (const other of done.also) bus.publish('workorder.changed', other);
  // Masked: the desk reloads the case (GET /api/work-orders/:id shows, and logs, what the actor may read in clear).
  return { workOrder: toView(done.wo, actor, false), eventId: done.eventId, fromState: done.from, toState: done.to };
}

/**
 * The case locked for its change, as loadRow reads it, with what the checks and steps need
 * from other tables in the same round trip: whether its unit lies within `unitId` when given
 * (unitWithin: the unit and those above it, 20 levels) and whether an extension request is pending.
 */
async function loadForTransition(q: Queryable, id: number, unitId: number | null): Promise<TransitionRow> {
  const within =
    unitId == null
      ? ''
      : `, w.department_id IS NOT NULL AND EXISTS (
        WITH RECURSIVE up(id, parent_id, depth) AS (
          SELECT id, parent_id, 0 FROM org_units WHERE id = w.department_id
          UNION ALL SELECT o.id, o.parent_id, up.depth + 1 FROM org_units o JOIN up ON o.id = up.parent_id WHERE up.depth < 20)
        SELECT 1 FROM up WHERE up.id = $2) AS "inActorUnit"`;
  const r = await q.query<TransitionRow>(
    `${selectForChange(`${within},
      EXISTS (SELECT 1 FROM extension_requests x WHERE x.work_order_id = w.id AND x.state = 'pending') AS "extensionPending"`)}
      WHERE w.id = $1 FOR UPDATE OF w`,
    unitId == null ? [id] : [id, unitId],
  );
  if (!r.rows[0]) throw DispatchErrors.WORK_ORDER_NOT_FOUND({ id });
  return openRow(r.rows[0]);
}

/** The locked row, with the transition's extra facts. */
type TransitionRow = WorkOrderRow & {
  inActorUnit?: boolean;
  extensionPending: boolean;
};

interface StepArgs {
  q: Queryable;
  wo: TransitionRow;
  input: TransitionInput;
  /** The working-day calendar, loaded on first use. */
  cal: () => Promise<WorkCalendar>;
  settings: DispatchSettings;
  now: number;
}

interface Step {
  to?: State;
  changes?: Record<string, unknown>;
  data?: Record<string, unknown>;
  /** Events about other cases changed in the same transaction (merge target). */
  also?: WorkOrderChanged[];
}

const ts = (ms: number) => new Date(ms).toISOString();
const freshClock = (deadline: number, now: number) => ({
  deadline_at: ts(deadline),
  deadline_started_at: ts(now),
  deadline_paused_at: null,
  near_deadline: false,
  overdue: false,
  overdue_at: null,
});

/** Ends a pending extension request without a decision (the case moved on) and restarts the clock. */
async function withdrawExtension(a: StepArgs): Promise<Record<string, unknown>> {
  // A pending request pauses the clock in the same change that files it, so a running clock
  // and none pending at the locked read means nothing to withdraw.
  if (!a.wo.extensionPending && a.wo.deadlinePausedAt == null) return {};
  const r = await a.q.query(
    `UPDATE extension_requests SET state = 'withdrawn', decided_at = $2 WHERE work_order_id = $1 AND state = 'pending'`,
    [a.wo.id, ts(a.now)],
  );
  if (!r.rowCount) return {};
  return resumeClock(a, await a.cal());
}

/** Restarts a paused clock: the deadline and the start move by the working time the pause held. */
function resumeClock(a: StepArgs, cal: WorkCalendar): Record<string, unknown> {
  const { deadlineAt, deadlinePausedAt, deadlineStartedAt } = a.wo;
  if (!deadlineAt || !deadlinePausedAt) return { deadline_paused_at: null };
  const paused = deadlinePausedAt.getTime();
  return {
    deadline_paused_at: null,
    deadline_at: ts(resumeDeadline(cal, deadlineAt.getTime(), paused, a.now)),
    ...(deadlineStartedAt ? { deadline_started_at: ts(resumeStart(cal, deadlineStartedAt.getTime(), paused, a.now)) } : {}),
  };
}

async function pendingExtension(a: StepArgs) {
  const r = await a.q.query<{ id: number; requested: Date; reason: string }>(
    `SELECT id, requested_deadline AS requested, reason FROM extension_requests WHERE work_order_id = $1 AND state = 'pending' FOR UPDATE`,
    [a.wo.id],
  );
  const ext = r.rows[0];
  if (!ext) throw DispatchErrors.EXTENSION_NOT_PENDING({ number: a.wo.number });
  return ext;
}

const ACTION_STEPS: Record<Action, (a: StepArgs) => Promise<Step>> = {
  async resolve_on_call(a) {
    const answer = required(a.input.result, 'resolve_on_call', 'result', 'the answer given on the call');
    if (a.input.articleId != null) {
      const art = await a.q.query('SELECT 1 FROM kb_articles WHERE id = $1 AND active', [a.input.articleId]);
      if (!art.rowCount) throw DispatchErrors.KB_ARTICLE_NOT_USABLE({ id: a.input.articleId });
    }
    return {
      changes: {
        reply_text: answer,
        replied_at: ts(a.now),
        kb_article_id: a.input.articleId ?? null,
        closed_at: ts(a.now),
        close_reason: 'resolved_on_call',
      },
      data: { result: answer, articleId: a.input.articleId ?? null },
    };
  },

  async submit() {
    return { data: {} };
  },

  async dispatch(a) {
    const { q, wo, input } = a;
    const categoryId = input.categoryId ?? wo.categoryId;
    if (categoryId == null)
      throw DispatchErrors.ACTION_FIELD_REQUIRED({ action: 'dispatch', field: 'categoryId', what: 'the case has no category yet' });
    // The category's checks (requireCategory's) and its route, in one round trip.
    const { route, category } = await routeWithCategory(q, { categoryId, placeUnitId: wo.placeUnitId }, a.settings);
    if (!category.active) throw DispatchErrors.ROUTING_CATEGORY_INACTIVE({ name: category.name });
    const departmentId = input.departmentId ?? route.departmentId;
    if (departmentId == null) throw DispatchErrors.DISPATCH_NO_DEPARTMENT();
    await requireHandlingUnit(q, departmentId);
    const explicit = parseTime(input.deadlineAt, 'deadlineAt');
    if (explicit != null && explicit <= a.now) throw DispatchErrors.DISPATCH_DEADLINE_IN_PAST();
    const rule: DeadlineRule = route.deadline;
    const deadline = explicit ?? computeDeadline(await a.cal(), a.now, rule);
    const corrected = {
      category: wo.proposedCategoryId != null && wo.proposedCategoryId !== categoryId,
      department: wo.proposedDepartmentId != null && wo.proposedDepartmentId !== departmentId,
    };
    // The dispatcher's decision is the label the classifier learns from; it is recorded
    // with the proposal and model version whenever the case carried a proposal.
    if (wo.proposedCategoryId != null || wo.proposedDepartmentId != null || wo.modelVersion != null) {
      await recordFeedback(q, {
        workOrderId: wo.id,
        // What the classifier learns from needs the words, not the caller's ID numbers.
        text: maskText(wo.description),
        proposedCategoryId: wo.proposedCategoryId,
        finalCategoryId: categoryId,
        proposedDepartmentId: wo.proposedDepartmentId,
        finalDepartmentId: departmentId,
        modelVersion: wo.modelVersion,
        userId: a.input.actor.id,
      });
    }
    return {
      changes: {
        category_id: categoryId,
        department_id: departmentId,
        instructions: text(input.instructions) ?? null,
        priority: input.priority ?? wo.priority,
        deadline_value: explicit != null ? null : rule.value,
        deadline_unit: explicit != null ? null : rule.unit,
        ...freshClock(deadline, a.now),
      },
      data: {
        categoryId,
        departmentId,
        previousCategoryId: wo.categoryId,
        previousDepartmentId: wo.departmentId,
        routeSource: input.departmentId != null ? 'dispatcher' : route.source,
        routeDepartmentId: route.departmentId,
        deadlineAt: ts(deadline),
        deadline: explicit != null ? null : rule,
        instructions: text(input.instructions) ?? null,
        corrected,
      },
    };
  },

  async merge(a) {
    const targetId = a.input.targetId;
    if (targetId == null)
      throw DispatchErrors.ACTION_FIELD_REQUIRED({ action: 'merge', field: 'targetId', what: 'the open case this one is merged into' });
    if (targetId === a.wo.id) throw DispatchErrors.MERGE_INTO_SELF();
    const t = await a.q.query<{ id: number; number: string; state: State; department_id: number | null }>(
      'SELECT id, number, state, department_id FROM work_orders WHERE id = $1 FOR UPDATE',
      [targetId],
    );
    const target = t.rows[0];
    if (!target) throw DispatchErrors.MERGE_TARGET_NOT_FOUND({ id: targetId });
    if (FINAL_STATES.includes(target.state)) {
      throw DispatchErrors.MERGE_TARGET_CLOSED({ number: target.number, stateZh: STATE_NAMES_ZH[target.state] });
    }
    const ev = await a.q.query<{ id: number }>(
      `INSERT INTO work_order_events (work_order_id, action, from_state, to_state, actor_id, data)
       VALUES ($1, 'merge', $2, $2, $3, $4) RETURNING id`,
      [target.id, target.state, a.input.actor.id, JSON.stringify({ mergedFromId: a.wo.id, mergedFromNumber: a.wo.number })],
    );
    await a.q.query('UPDATE work_orders SET version = version + 1, updated_at = now() WHERE id = $1', [target.id]);
    return {
      changes: { merged_into_id: target.id, closed_at: ts(a.now), close_reason: 'merged' },
      data: { targetId: target.id, targetNumber: target.number, note: text(a.input.note) ?? null },
      also: [
        {
          id: target.id,
          number: target.number,
          action: 'merge',
          fromState: target.state,
          toState: target.state,
          departmentId: target.department_id,
          actorId: a.input.actor.id,
          eventId: ev.rows[0]?.id as number,
        },
      ],
    };
  },

  async accept(a) {
    return { data: { note: text(a.input.note) ?? null } };
  },

  async reply(a) {
    const result = required(a.input.result, 'reply', 'result', 'what the department did (办理结果)');
    return { changes: { reply_text: result, replied_at: ts(a.now), ...(await withdrawExtension(a)) }, data: { result } };
  },

  async return(a) {
    const reason = required(a.input.reason, 'return', 'reason', 'why the case is not yours (退单理由)');
    return { changes: { ...(await withdrawExtension(a)) }, data: { reason, departmentId: a.wo.departmentId } };
  },

  async request_extension(a) {
    const reason = required(a.input.reason, 'request_extension', 'reason', 'why more time is needed');
    const wanted = parseTime(a.input.deadlineAt, 'deadlineAt');
    if (wanted == null)
      throw DispatchErrors.ACTION_FIELD_REQUIRED({ action: 'request_extension', field: 'deadlineAt', what: 'the new deadline asked for' });
    const current = a.wo.deadlineAt?.getTime();
    if (wanted <= a.now || (current != null && wanted <= current)) {
      throw DispatchErrors.EXTENSION_DEADLINE_TOO_EARLY({ current: current != null ? ts(current) : 'none' });
    }
    const pending = await a.q.query('SELECT 1 FROM extension_requests WHERE work_order_id = $1 AND state = $2', [a.wo.id, 'pending']);
    if (pending.rowCount) throw DispatchErrors.EXTENSION_ALREADY_PENDING({ number: a.wo.number });
    const r = await a.q.query<{ id: number }>(
      `INSERT INTO extension_requests (work_order_id, requested_by, previous_deadline, requested_deadline, reason)
       VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [a.wo.id, a.input.actor.id, current != null ? ts(current) : null, ts(wanted), reason],
    );
    // The clock stops while the request waits: a slow decision must not make the case late.
    return { changes: { deadline_paused_at: ts(a.now) }, data: { extensionId: r.rows[0]?.id, requestedDeadline: ts(wanted), reason } };
  },

  async approve_extension(a) {
    const ext = await pendingExtension(a);
    await a.q.query(
      `UPDATE extension_requests SET state = 'approved', decided_by = $2, decided_at = $3, decision_note = $4 WHERE id = $1`,
      [ext.id, a.input.actor.id, ts(a.now), text(a.input.note) ?? null],
    );
    const deadline = new Date(ext.requested).getTime();
    return {
      changes: { deadline_at: ts(deadline), deadline_paused_at: null, near_deadline: false, overdue: false, overdue_at: null },
      data: {
        extensionId: ext.id,
        previousDeadline: a.wo.deadlineAt ? ts(a.wo.deadlineAt.getTime()) : null,
        deadlineAt: ts(deadline),
        note: text(a.input.note) ?? null,
      },
    };
  },

  async reject_extension(a) {
    const ext = await pendingExtension(a);
    const note = required(a.input.note, 'reject_extension', 'note', 'why the extension is refused');
    await a.q.query(
      `UPDATE extension_requests SET state = 'rejected', decided_by = $2, decided_at = $3, decision_note = $4 WHERE id = $1`,
      [ext.id, a.input.actor.id, ts(a.now), note],
    );
    const clock = resumeClock(a, await a.cal());
    return { changes: clock, data: { extensionId: ext.id, deadlineAt: clock.deadline_at ?? null, note } };
  },

  async forward(a) {
    const unitId = a.input.unitId;
    if (unitId == null)
      throw DispatchErrors.ACTION_FIELD_REQUIRED({ action: 'forward', field: 'unitId', what: 'the unit below yours that takes the case' });
    const unit = await requireHandlingUnit(a.q, unitId, 'Unit');
    const from = a.input.actor.role === 'handler' ? a.input.actor.orgUnitId : a.wo.departmentId;
    const chain = await unitChain(a.q, unitId);
    if (from == null || unitId === from || !chain.includes(from)) {
      throw DispatchErrors.FORWARD_NOT_BELOW({ unit: unit.name });
    }
    return {
      changes: { department_id: unitId },
      data: { fromDepartmentId: a.wo.departmentId, departmentId: unitId, note: text(a.input.note) ?? null },
    };
  },

  async review(a) {
    const decision = a.input.decision;
    if (decision !== 'accept' && decision !== 'reject') {
      throw DispatchErrors.ACTION_FIELD_REQUIRED({
        action: 'review',
        field: 'decision',
        what: 'accept (the reply stands) or reject (send it back)',
      });
    }
    if (decision === 'accept') return { data: { decision, note: text(a.input.note) ?? null } };
    const note = required(a.input.note, 'review', 'note', 'what the department must still do');
    return { to: 'in_progress', data: { decision, note } };
  },

  async supervise(a) {
    const message = required(a.input.message, 'supervise', 'message', 'the supervision notice to the department (督办意见)');
    const r = await a.q.query<{ id: number }>(
      'INSERT INTO supervision_notices (work_order_id, department_id, issued_by, message) VALUES ($1, $2, $3, $4) RETURNING id',
      [a.wo.id, a.wo.departmentId, a.input.actor.id, message],
    );
    return {
      changes: { supervision_count: a.wo.supervisionCount + 1 },
      data: { noticeId: r.rows[0]?.id, departmentId: a.wo.departmentId, message, overdue: a.wo.overdue },
    };
  },

  async close(a) {
    const outcome = a.input.callbackOutcome;
    const reason = text(a.input.reason);
    if (a.wo.state === 'callback_pending') {
      if (!outcome && !reason) {
        throw DispatchErrors.CLOSE_NEEDS_OUTCOME();
      }
      if ((outcome === 'unsatisfied' || outcome === 'unsolved') && !reason) {
        throw DispatchErrors.CLOSE_UNSATISFIED_NEEDS_REASON();
      }
    } else if (!reason) {
      throw DispatchErrors.CLOSE_NEEDS_REASON();
    }
    return {
      changes: { closed_at: ts(a.now), close_reason: reason ?? 'callback', callback_outcome: outcome ?? a.wo.callbackOutcome },
      data: { callbackOutcome: outcome ?? null, reason: reason ?? null, note: text(a.input.note) ?? null },
    };
  },

  async reopen(a) {
    const reason = required(a.input.reason, 'reopen', 'reason', 'what the citizen still needs (重办原因)');
    if (a.wo.departmentId == null) throw DispatchErrors.REOPEN_NEVER_DISPATCHED({ number: a.wo.number });
    const explicit = parseTime(a.input.deadlineAt, 'deadlineAt');
    if (explicit != null && explicit <= a.now) throw DispatchErrors.REOPEN_DEADLINE_IN_PAST();
    let rule: DeadlineRule | null =
      a.wo.deadlineValue != null && a.wo.deadlineUnit ? { value: a.wo.deadlineValue, unit: a.wo.deadlineUnit } : null;
    if (!rule && a.wo.categoryId != null)
      rule = (await resolveRoute(a.q, { categoryId: a.wo.categoryId, placeUnitId: a.wo.placeUnitId }, a.settings)).deadline;
    rule ??= { value: a.settings.defaultDeadlineWorkdays, unit: 'workdays' };
    const deadline = explicit ?? computeDeadline(await a.cal(), a.now, rule);
    return {
      changes: {
        closed_at: null,
        close_reason: null,
        reply_text: null,
        callback_outcome: a.input.callbackOutcome ?? a.wo.callbackOutcome,
        reopen_count: a.wo.reopenCount + 1,
        ...freshClock(deadline, a.now),
      },
      data: { reason, callbackOutcome: a.input.callbackOutcome ?? null, departmentId: a.wo.departmentId, deadlineAt: ts(deadline) },
    };
  },

  async refer_110(a) {
    const reason = text(a.input.reason) ?? null;
    const r = await insertCaseReferral(a.q, {
      callId: a.wo.callId,
      workOrderId: a.wo.id,
      reason,
      address: a.wo.address,
      agentId: a.input.actor.id,
    });
    return {
      changes: { emergency: true, closed_at: ts(a.now), close_reason: 'referred_110' },
      data: { referralId: r.id, reason },
    };
  },
};
