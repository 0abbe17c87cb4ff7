/**
 * The hotline's figures, computed from the tables of every module (calls, work_orders,
 * work_order_events, callbacks). Definitions (also in docs/desk.md):
 *
 * - offered: inbound calls that arrived in the period; answered: those with answered_at;
 *   abandoned: end_reason 'abandoned'; answer rate = answered / offered;
 *   service level = answered within 15 s of arrival / offered;
 *   average handling time = mean of ended_at - answered_at over answered calls.
 * - created: work orders created; dispatched: work orders with a dispatch event;
 *   closed: work orders whose closed_at falls in the period; overdue (now): work orders
 *   past their deadline while a department holds them (dispatched or in progress).
 * - on-time completion rate (按时办结率): of the work orders completed in the period that had a
 *   deadline, those completed by it. A work order is completed at its last reply (答复/办结)
 *   event, or at closed_at when it was closed without one (closed on the call).
 * - resolution rate (办结率): of the work orders created in the period, those closed by now.
 * - satisfaction rate (满意率): of the callback outcomes recorded in the period, 满意 + 基本满意
 *   (未接通 does not count). An outcome is recorded with the work order's close or reopen
 *   (its event's data.callbackOutcome), the one place every callback ends, whoever made it.
 * - reopen rate (重办率): work orders reopened in the period / callback outcomes recorded.
 *
 * Rates are null when their denominator is zero, so "no data" never reads as 0 %.
 */
import type { Queryable } from '../db/index.js';

export interface Period {
  from: Date;
  to: Date;
}

export interface CallFigures {
  offered: number;
  answered: number;
  abandoned: number;
  answeredWithin15s: number;
  answerRate: number | null;
  serviceLevel15s: number | null;
  avgHandlingSeconds: number | null;
}

export interface CaseFigures {
  created: number;
  dispatched: number;
  closed: number;
  overdueNow: number;
  completed: number;
  completedOnTime: number;
  onTimeRate: number | null;
  createdClosed: number;
  resolutionRate: number | null;
  surveyed: number;
  satisfied: number;
  satisfactionRate: number | null;
  reopened: number;
  reopenRate: number | null;
}

export interface Breakdown {
  key: string;
  name: string;
  created: number;
  closed: number;
  overdueNow: number;
  onTimeRate: number | null;
  satisfactionRate: number | null;
}

const rate = (n: number, d: number) => (d > 0 ? Math.round((n / d) * 10000) / 10000 : null);
const num = (v: unknown) => (v == null ? 0 : Number(v));

// SQL fragments shared by the queries below: what counts as an event of each kind.
const DISPATCH_EVENT = `(e.action = 'dispatch')`;
const REPLY_EVENT = `(e.action IN ('reply', 'complete') OR e.to_state IN ('replied', 'completed'))`;
const REOPEN_EVENT = `(e.action IN ('reopen', 'redo') OR e.to_state = 'reopened')`;
const OUTCOME = `(CASE WHEN e.action IN ('close', 'reopen') THEN e.data->>'callbackOutcome' END)`;
const REACHED = `('satisfied', 'basically_satisfied', 'unsatisfied', 'unsolved')`;
const SATISFIED = `('satisfied', 'basically_satisfied')`;
const OPEN = 'w.closed_at IS NULL AND w.merged_into_id IS NULL';
// The states in which a department's deadline runs (dispatch/states.ts CLOCK_STATES):
// a case waiting for review or callback is not the department's delay any more.
const OVERDUE = `${OPEN} AND w.state IN ('dispatched', 'in_progress') AND w.deadline_at < now()`;
const COMPLETED_AT = `coalesce((SELECT max(e.created_at) FROM work_order_events e WHERE e.work_order_id = w.id AND ${REPLY_EVENT}), w.closed_at)`;

/** [from, to) of the calendar days `fromDay`..`toDay` (inclusive, YYYY-MM-DD) in `tz`. */
export async function dayPeriod(q: Queryable, fromDay: string, toDay: string, tz: string): Promise<Period> {
  const r = await q.query<{ lo: Date; hi: Date }>(
    `SELECT ($1::date)::timestamp AT TIME ZONE $3 AS lo, ($2::date + 1)::timestamp AT TIME ZONE $3 AS hi`,
    [fromDay, toDay, tz],
  );
  const row = r.rows[0]!;
  return { from: new Date(row.lo), to: new Date(row.hi) };
}

/** Today so far, in `tz`. */
export async function todayPeriod(q: Queryable, tz: string): Promise<Period> {
  const r = await q.query<{ lo: Date; hi: Date }>(`SELECT date_trunc('day', now() AT TIME ZONE $1) AT TIME ZONE $1 AS lo, now() AS hi`, [
    tz,
  ]);
  const row = r.rows[0]!;
  return { from: new Date(row.lo), to: new Date(row.hi) };
}

export async function callFigures(q: Queryable, p: Period): Promise<CallFigures> {
  const r = await q.query<Record<string, unknown>>(
    `SELECT count(*) AS offered,
            count(*) FILTER (WHERE answered_at IS NOT NULL) AS answered,
            count(*) FILTER (WHERE end_reason = 'abandoned') AS abandoned,
            count(*) FILTER (WHERE answered_at IS NOT NULL AND answered_at - arrived_at <= interval '15 seconds') AS within15,
            avg(extract(epoch FROM ended_at - answered_at)) FILTER (WHERE answered_at IS NOT NULL AND ended_at IS NOT NULL) AS aht
       FROM calls WHERE direction = 'inbound' AND arrived_at >= $1 AND arrived_at < $2`,
    [p.from, p.to],
  );
  const row = r.rows[0] ?? {};
  const offered = num(row.offered);
  const answered = num(row.answered);
  const within = num(row.within15);
  return {
    offered,
    answered,
    abandoned: num(row.abandoned),
    answeredWithin15s: within,
    answerRate: rate(answered, offered),
    serviceLevel15s: rate(within, offered),
    avgHandlingSeconds: row.aht == null ? null : Math.round(Number(row.aht) * 10) / 10,
  };
}

export interface QueueNow {
  waiting: number;
  longestWaitSeconds: number;
  inProgress: number;
}

export async function queueNow(q: Queryable): Promise<QueueNow> {
  const r = await q.query<Record<string, unknown>>(
    `SELECT count(*) FILTER (WHERE state IN ('queued', 'offered', 'ringing')) AS waiting,
            extract(epoch FROM now() - min(arrived_at) FILTER (WHERE state IN ('queued', 'offered', 'ringing'))) AS longest,
            count(*) FILTER (WHERE state IN ('answered', 'held', 'transferring')) AS in_progress
       FROM calls WHERE state <> 'ended' AND direction = 'inbound'`,
  );
  const row = r.rows[0] ?? {};
  return {
    waiting: num(row.waiting),
    longestWaitSeconds: Math.max(0, Math.round(num(row.longest))),
    inProgress: num(row.in_progress),
  };
}

export async function caseFigures(q: Queryable, p: Period): Promise<CaseFigures> {
  const r = await q.query<Record<string, unknown>>(
    `SELECT
       (SELECT count(*) FROM work_orders w WHERE w.created_at >= $1 AND w.created_at < $2) AS created,
       (SELECT count(*) FROM work_orders w WHERE w.created_at >= $1 AND w.created_at < $2 AND w.closed_at IS NOT NULL) AS created_closed,
       (SELECT count(DISTINCT e.work_order_id) FROM work_order_events e WHERE e.created_at >= $1 AND e.created_at < $2 AND ${DISPATCH_EVENT}) AS dispatched,
       (SELECT count(*) FROM work_orders w WHERE w.closed_at >= $1 AND w.closed_at < $2) AS closed,
       (SELECT count(*) FROM work_orders w WHERE ${OVERDUE}) AS overdue_now,
       (SELECT count(DISTINCT e.work_order_id) FROM work_order_events e WHERE e.created_at >= $1 AND e.created_at < $2 AND ${REOPEN_EVENT}) AS reopened,
       (SELECT count(*) FROM work_order_events e WHERE e.created_at >= $1 AND e.created_at < $2 AND ${OUTCOME} IN ${REACHED}) AS surveyed,
       (SELECT count(*) FROM work_order_events e WHERE e.created_at >= $1 AND e.created_at < $2 AND ${OUTCOME} IN ${SATISFIED}) AS satisfied`,
    [p.from, p.to],
  );
  const row = r.rows[0] ?? {};
  // Only work orders with a reply or a closing in the period can have been completed in it.
  const done = await q.query<Record<string, unknown>>(
    `WITH cand AS (
       SELECT e.work_order_id AS id FROM work_order_events e WHERE e.created_at >= $1 AND e.created_at < $2 AND ${REPLY_EVENT}
       UNION SELECT w.id FROM work_orders w WHERE w.closed_at >= $1 AND w.closed_at < $2)
     SELECT count(*) AS completed, count(*) FILTER (WHERE d.completed_at <= d.deadline_at) AS on_time
       FROM (SELECT w.deadline_at, ${COMPLETED_AT} AS completed_at FROM work_orders w JOIN cand ON cand.id = w.id WHERE w.deadline_at IS NOT NULL) d
      WHERE d.completed_at >= $1 AND d.completed_at < $2`,
    [p.from, p.to],
  );
  const d = done.rows[0] ?? {};
  const created = num(row.created);
  const createdClosed = num(row.created_closed);
  const surveyed = num(row.surveyed);
  const satisfied = num(row.satisfied);
  const reopened = num(row.reopened);
  const completed = num(d.completed);
  const onTime = num(d.on_time);
  return {
    created,
    dispatched: num(row.dispatched),
    closed: num(row.closed),
    overdueNow: num(row.overdue_now),
    completed,
    completedOnTime: onTime,
    onTimeRate: rate(onTime, completed),
    createdClosed,
    resolutionRate: rate(createdClosed, created),
    surveyed,
    satisfied,
    satisfactionRate: rate(satisfied, surveyed),
    reopened,
    reopenRate: rate(reopened, surveyed),
  };
}

export interface HourRow {
  hour: number;
  offered: number;
  answered: number;
  abandoned: number;
}

export async function callsByHour(q: Queryable, p: Period, tz: string): Promise<HourRow[]> {
  const r = await q.query<Record<string, unknown>>(
    `SELECT extract(hour FROM arrived_at AT TIME ZONE $3)::int AS hour, count(*) AS offered,
            count(*) FILTER (WHERE answered_at IS NOT NULL) AS answered,
            count(*) FILTER (WHERE end_reason = 'abandoned') AS abandoned
       FROM calls WHERE direction = 'inbound' AND arrived_at >= $1 AND arrived_at < $2
      GROUP BY 1`,
    [p.from, p.to, tz],
  );
  const byHour = new Map(r.rows.map((x) => [num(x.hour), x]));
  return Array.from({ length: 24 }, (_, hour) => {
    const x = byHour.get(hour) ?? {};
    return { hour, offered: num(x.offered), answered: num(x.answered), abandoned: num(x.abandoned) };
  });
}

type Dimension = 'category' | 'department' | 'day';

const DIMENSION_SQL: Record<Dimension, { key: string; name: string; join: string }> = {
  category: {
    key: `coalesce(w.category_id::text, '')`,
    name: `coalesce(max(c.name), '未分类')`,
    join: 'LEFT JOIN categories c ON c.id = w.category_id',
  },
  department: {
    key: `coalesce(w.department_id::text, '')`,
    name: `coalesce(max(u.name), '未派发')`,
    join: 'LEFT JOIN org_units u ON u.id = w.department_id',
  },
  day: {
    key: `to_char(w.created_at AT TIME ZONE $3, 'YYYY-MM-DD')`,
    name: `to_char(w.created_at AT TIME ZONE $3, 'YYYY-MM-DD')`,
    join: '',
  },
};

/**
 * Work orders created in the period, grouped by category, department or day of creation,
 * with how many of them are closed, overdue now, completed on time and found satisfactory.
 */
export async function caseBreakdown(q: Queryable, p: Period, dim: Dimension, tz: string): Promise<Breakdown[]> {
  const d = DIMENSION_SQL[dim];
  // One pass over the events of these work orders, instead of a lookup per work order.
  const r = await q.query<Record<string, unknown>>(
    `WITH o AS (SELECT * FROM work_orders WHERE created_at >= $1 AND created_at < $2),
     ev AS (
       SELECT e.work_order_id AS id,
              max(e.created_at) FILTER (WHERE ${REPLY_EVENT}) AS replied_at,
              count(*) FILTER (WHERE ${OUTCOME} IN ${REACHED}) AS surveyed,
              count(*) FILTER (WHERE ${OUTCOME} IN ${SATISFIED}) AS satisfied
         FROM work_order_events e JOIN o ON o.id = e.work_order_id
        GROUP BY e.work_order_id)
     SELECT ${d.key} AS key, ${dim === 'day' ? d.key : d.name} AS name,
            count(*) AS created,
            count(*) FILTER (WHERE w.closed_at IS NOT NULL) AS closed,
            count(*) FILTER (WHERE ${OVERDUE}) AS overdue_now,
            count(*) FILTER (WHERE w.deadline_at IS NOT NULL AND coalesce(ev.replied_at, w.closed_at) IS NOT NULL) AS completed,
            count(*) FILTER (WHERE w.deadline_at IS NOT NULL AND coalesce(ev.replied_at, w.closed_at) <= w.deadline_at) AS on_time,
            coalesce(sum(ev.surveyed), 0) AS surveyed,
            coalesce(sum(ev.satisfied), 0) AS satisfied
       FROM o w LEFT JOIN ev ON ev.id = w.id ${d.join}
      WHERE $3::text IS NOT NULL
      GROUP BY ${d.key}
      ORDER BY ${dim === 'day' ? 'key' : 'created DESC, key'}`,
    [p.from, p.to, tz],
  );
  return r.rows.map((x) => ({
    key: String(x.key),
    name: String(x.name),
    created: num(x.created),
    closed: num(x.closed),
    overdueNow: num(x.overdue_now),
    onTimeRate: rate(num(x.on_time), num(x.completed)),
    satisfactionRate: rate(num(x.satisfied), num(x.surveyed)),
  }));
}
