import type { Queryable } from '../db/index.js';
import type { AgentState } from './agents.js';
import {
  type Breakdown,
  type CallFigures,
  type CaseFigures,
  callFigures,
  callsByHour,
  caseBreakdown,
  caseFigures,
  dayPeriod,
  type HourRow,
  type QueueNow,
  queueNow,
  todayPeriod,
} from './figures.js';

export interface Wallboard {
  at: string;
  timezone: string;
  queue: QueueNow;
  /** null until telephony reports agent states. */
  agents: Record<AgentState, number> | null;
  calls: CallFigures;
  callsByHour: HourRow[];
  cases: CaseFigures;
  byCategory: Breakdown[];
  byDepartment: Breakdown[];
  /** The last 14 days, one row per day with work orders. */
  byDay: Breakdown[];
}

const TOP = 10;

/** Today's figures plus the last two weeks by day, as the supervisor's wallboard shows them. */
export async function wallboard(q: Queryable, tz: string, agents: Record<AgentState, number> | null): Promise<Wallboard> {
  const today = await todayPeriod(q, tz);
  const todayDay = await q.query<{ d: string }>(`SELECT to_char(now() AT TIME ZONE $1, 'YYYY-MM-DD') AS d`, [tz]);
  const d = todayDay.rows[0]!.d;
  const twoWeeks = await dayPeriod(q, shiftDay(d, -13), d, tz);
  return {
    at: new Date().toISOString(),
    timezone: tz,
    queue: await queueNow(q),
    agents,
    calls: await callFigures(q, today),
    callsByHour: await callsByHour(q, today, tz),
    cases: await caseFigures(q, today),
    byCategory: (await caseBreakdown(q, today, 'category', tz)).slice(0, TOP),
    byDepartment: (await caseBreakdown(q, today, 'department', tz)).slice(0, TOP),
    byDay: await caseBreakdown(q, twoWeeks, 'day', tz),
  };
}

export function shiftDay(day: string, days: number): string {
  const t = new Date(`${day}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + days);
  return t.toISOString().slice(0, 10);
}
