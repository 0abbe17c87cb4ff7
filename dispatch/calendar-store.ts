/** The working-day calendar as stored in calendar_days, edited by year by an admin. */
import type { Db, Queryable } from '../db/index.js';
import type { DayKind, WorkCalendar } from './calendar.js';
import { DispatchErrors } from './errors.js';
import type { DispatchSettings } from './settings.js';

export interface CalendarDay {
  day: string;
  kind: DayKind;
  name: string | null;
}

export async function loadCalendar(q: Queryable, settings: DispatchSettings): Promise<WorkCalendar> {
  const r = await q.query<{ day: string; kind: DayKind }>(`SELECT to_char(day, 'YYYY-MM-DD') AS day, kind FROM calendar_days`);
  return {
    overrides: new Map(r.rows.map((d) => [d.day, d.kind])),
    periods: settings.workHours,
    utcOffsetMinutes: settings.utcOffsetMinutes,
  };
}

export async function listCalendarYear(q: Queryable, year: number): Promise<CalendarDay[]> {
  const r = await q.query<CalendarDay>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, kind, name FROM calendar_days
      WHERE day >= make_date($1, 1, 1) AND day < make_date($1 + 1, 1, 1) ORDER BY day`,
    [year],
  );
  return r.rows;
}

/** Replaces a year's holidays and make-up workdays in one transaction. */
export async function replaceCalendarYear(db: Db, year: number, days: CalendarDay[]): Promise<CalendarDay[]> {
  const seen = new Set<string>();
  for (const d of days) {
    const date = new Date(`${d.day}T00:00:00Z`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(d.day) || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== d.day) {
      throw DispatchErrors.CALENDAR_DAY_INVALID({ day: d.day });
    }
    if (!d.day.startsWith(`${year}-`)) throw DispatchErrors.CALENDAR_DAY_OUTSIDE_YEAR({ day: d.day, year });
    if (seen.has(d.day)) throw DispatchErrors.CALENDAR_DAY_DUPLICATE({ day: d.day });
    seen.add(d.day);
  }
  return db.tx(async (q) => {
    await q.query('DELETE FROM calendar_days WHERE day >= make_date($1, 1, 1) AND day < make_date($1 + 1, 1, 1)', [year]);
    for (const d of days) {
      await q.query('INSERT INTO calendar_days (day, kind, name) VALUES ($1, $2, $3)', [d.day, d.kind, d.name ?? null]);
    }
    return listCalendarYear(q, year);
  });
}
