/**
 * The scheduled deadline check: flags cases near their deadline (a configurable share of
 * the working time used) and overdue ones, once each, with an audit row and a bus event.
 * Flags are not state changes, so they do not bump the version a dispatcher is acting on.
 */
import type { EventBus } from '../core/index.js';
import type { Db } from '../db/index.js';
import { deadlineUsed } from './calendar.js';
import { loadCalendar } from './calendar-store.js';
import type { DispatchSettings } from './settings.js';
import { CLOCK_STATES } from './states.js';
import './events.js';

export interface DeadlineCheck {
  checked: number;
  nearDeadline: number;
  overdue: number;
}

export async function checkDeadlines(db: Db, bus: EventBus, settings: DispatchSettings, now = Date.now()): Promise<DeadlineCheck> {
  const cal = await loadCalendar(db, settings);
  const r = await db.query<{
    id: number;
    number: string;
    state: string;
    departmentId: number | null;
    deadlineAt: Date;
    startedAt: Date | null;
    nearDeadline: boolean;
  }>(
    `SELECT id, number, state, department_id AS "departmentId", deadline_at AS "deadlineAt", deadline_started_at AS "startedAt",
            near_deadline AS "nearDeadline"
       FROM work_orders
      WHERE state = ANY($1::text[]) AND deadline_at IS NOT NULL AND deadline_paused_at IS NULL AND NOT overdue`,
    [CLOCK_STATES],
  );
  const out: DeadlineCheck = { checked: r.rowCount, nearDeadline: 0, overdue: 0 };
  const late: typeof r.rows = [];
  const near: typeof r.rows = [];
  for (const wo of r.rows) {
    const deadline = new Date(wo.deadlineAt).getTime();
    if (now > deadline) late.push(wo);
    else if (
      !wo.nearDeadline &&
      wo.startedAt != null &&
      deadlineUsed(cal, new Date(wo.startedAt).getTime(), deadline, now) >= settings.nearDeadlineShare
    ) {
      near.push(wo);
    }
  }
  for (const [flag, rows] of [
    ['overdue', late],
    ['near_deadline', near],
  ] as const) {
    // In batches, each one transaction: flags and their audit rows land together.
    for (let i = 0; i < rows.length; i += 500) {
      const batch = rows.slice(i, i + 500);
      const flagged = await db.tx(async (q) => {
        // Re-checked in the UPDATE: a transition may have moved a case since it was read.
        // Deadlines are compared at millisecond precision, as JavaScript read them.
        const u = await q.query<{ id: number; number: string; state: string; departmentId: number | null; deadlineAt: Date }>(
          `UPDATE work_orders w SET ${flag === 'overdue' ? 'overdue = true, near_deadline = true, overdue_at = $3' : 'near_deadline = true'}
             FROM unnest($1::bigint[], $2::timestamptz[]) AS c(id, deadline)
            WHERE w.id = c.id AND date_trunc('milliseconds', w.deadline_at) = c.deadline AND w.deadline_paused_at IS NULL
              AND w.state = ANY($4::text[]) AND NOT w.overdue ${flag === 'near_deadline' ? 'AND NOT w.near_deadline AND $3::timestamptz IS NOT NULL' : ''}
            RETURNING w.id, w.number, w.state, w.department_id AS "departmentId", w.deadline_at AS "deadlineAt"`,
          [batch.map((x) => x.id), batch.map((x) => new Date(x.deadlineAt).toISOString()), new Date(now).toISOString(), CLOCK_STATES],
        );
        if (u.rows.length) {
          await q.query(
            `INSERT INTO work_order_events (work_order_id, action, from_state, to_state, data)
             SELECT id, $1, state, state, jsonb_build_object('deadlineAt', deadline) FROM unnest($2::bigint[], $3::text[], $4::text[]) AS x(id, state, deadline)`,
            [flag, u.rows.map((x) => x.id), u.rows.map((x) => x.state), u.rows.map((x) => new Date(x.deadlineAt).toISOString())],
          );
        }
        return u.rows;
      });
      out[flag === 'overdue' ? 'overdue' : 'nearDeadline'] += flagged.length;
      for (const wo of flagged) {
        bus.publish('workorder.deadline', {
          id: wo.id,
          number: wo.number,
          departmentId: wo.departmentId,
          flag,
          deadlineAt: new Date(wo.deadlineAt).toISOString(),
        });
      }
    }
  }
  return out;
}

export interface DeadlineChecker {
  stop(): Promise<void>;
  /** For /readyz: whether the last scheduled check worked, and when it ran. */
  status(): { ok: boolean; detail: string };
}

/** Runs the check every `deadlineCheckSeconds`. */
export function startDeadlineChecker(db: Db, bus: EventBus, settings: DispatchSettings, onError: (err: unknown) => void): DeadlineChecker {
  if (settings.deadlineCheckSeconds <= 0) {
    return {
      stop: async () => {},
      status: () => ({ ok: true, detail: 'scheduled deadline check off (DISPATCH_DEADLINE_CHECK_SECONDS=0)' }),
    };
  }
  let running: Promise<unknown> | null = null;
  let last: { ok: boolean; detail: string } = { ok: true, detail: `first check within ${settings.deadlineCheckSeconds} s` };
  const timer = setInterval(() => {
    if (running) return; // a slow check is never run twice at once
    running = checkDeadlines(db, bus, settings)
      .then((r) => {
        last = { ok: true, detail: `checked ${r.checked} running cases at ${new Date().toISOString()}` };
      })
      .catch((err) => {
        last = {
          ok: false,
          detail: `deadline check failed at ${new Date().toISOString()}: ${err instanceof Error ? err.message : String(err)}`,
        };
        onError(err);
      })
      .finally(() => {
        running = null;
      });
  }, settings.deadlineCheckSeconds * 1000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
    status: () => last,
  };
}
