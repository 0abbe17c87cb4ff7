import type { Queryable } from '../db/index.js';
import { MetricsErrors } from './errors.js';
import { type Breakdown, type CallFigures, type CaseFigures, callFigures, caseBreakdown, caseFigures, dayPeriod } from './figures.js';

export interface Report {
  from: string;
  to: string;
  timezone: string;
  calls: CallFigures;
  cases: CaseFigures;
  byDay: Breakdown[];
  byCategory: Breakdown[];
  byDepartment: Breakdown[];
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
export const MAX_REPORT_DAYS = 366;

/** Checks a report period given as two calendar days; refuses reversed or over-long ones. */
export function checkPeriod(from: string, to: string) {
  for (const [name, v] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (!DAY.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`)) || new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) !== v) {
      throw MetricsErrors.REPORT_DAY_INVALID({ name, value: v });
    }
  }
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86400_000 + 1;
  if (days < 1) throw MetricsErrors.REPORT_PERIOD_REVERSED({ from, to });
  if (days > MAX_REPORT_DAYS) throw MetricsErrors.REPORT_PERIOD_TOO_LONG({ days, max: MAX_REPORT_DAYS });
}

export async function report(q: Queryable, from: string, to: string, tz: string): Promise<Report> {
  checkPeriod(from, to);
  const p = await dayPeriod(q, from, to, tz);
  return {
    from,
    to,
    timezone: tz,
    calls: await callFigures(q, p),
    cases: await caseFigures(q, p),
    byDay: await caseBreakdown(q, p, 'day', tz),
    byCategory: await caseBreakdown(q, p, 'category', tz),
    byDepartment: await caseBreakdown(q, p, 'department', tz),
  };
}
