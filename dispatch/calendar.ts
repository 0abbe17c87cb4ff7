import { parseDailyWindows } from '../core/index.js';
/**
 * Working-time arithmetic for deadlines: weekdays are workdays unless the calendar marks
 * them a holiday, weekends are rest days unless marked a make-up workday (调休). Times are
 * instants (ms since epoch); days and working hours are counted in the centre's local time,
 * a fixed UTC offset (China has no daylight saving time).
 */

export type DayKind = 'holiday' | 'workday';

export interface WorkCalendar {
  /** Exceptions by local date 'YYYY-MM-DD'; not changed after first use (it is indexed once). */
  overrides: ReadonlyMap<string, DayKind>;
  /** Working periods of a workday as [start, end) minutes after local midnight, sorted. */
  periods: readonly (readonly [number, number])[];
  utcOffsetMinutes: number;
}

export interface DeadlineRule {
  value: number;
  unit: 'hours' | 'workdays';
}

const MIN = 60_000;
const DAY = 86_400_000;
/** No real calendar has a year without a workday; this bounds every walk over days. */
const MAX_DAYS = 3660;

/** Parses '09:00-12:00,13:30-17:30' into sorted minute periods; throws on anything else. */
/** Work hours such as `09:00-12:00,13:30-17:30` (core's one parser of daily windows). */
export const parseWorkHours = parseDailyWindows;

/** The local day number (days since 1970-01-01 in local time) of an instant. */
export function localDay(cal: WorkCalendar, at: number): number {
  return Math.floor((at + cal.utcOffsetMinutes * MIN) / DAY);
}

export function dayKey(day: number): string {
  return new Date(day * DAY).toISOString().slice(0, 10);
}

/** The instant of a local wall-clock time on a local day. */
function localTime(cal: WorkCalendar, day: number, minutes: number): number {
  return day * DAY + minutes * MIN - cal.utcOffsetMinutes * MIN;
}

// The overrides by day number, built once per overrides map: formatting a date string for
// every day walked was most of the cost of a deadline.
const byDayNumber = new WeakMap<ReadonlyMap<string, DayKind>, Map<number, DayKind>>();
function overridesByDay(cal: WorkCalendar): Map<number, DayKind> {
  let m = byDayNumber.get(cal.overrides);
  if (!m) {
    m = new Map();
    for (const [key, kind] of cal.overrides) {
      const t = Date.parse(`${key}T00:00:00Z`);
      if (!Number.isNaN(t)) m.set(Math.floor(t / DAY), kind);
    }
    byDayNumber.set(cal.overrides, m);
  }
  return m;
}

export function isWorkday(cal: WorkCalendar, day: number): boolean {
  const override = overridesByDay(cal).get(day);
  if (override) return override === 'workday';
  const weekday = new Date(day * DAY).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

function* workingIntervals(cal: WorkCalendar, fromDay: number, toDay = fromDay + MAX_DAYS): Generator<[number, number]> {
  for (let d = fromDay; d <= toDay; d++) {
    if (!isWorkday(cal, d)) continue;
    for (const [s, e] of cal.periods) yield [localTime(cal, d, s), localTime(cal, d, e)];
  }
}

/** Working time in ms between two instants; negative when `to` is before `from`. */
export function workingMsBetween(cal: WorkCalendar, from: number, to: number): number {
  if (to < from) return -workingMsBetween(cal, to, from);
  let total = 0;
  for (const [s, e] of workingIntervals(cal, localDay(cal, from), localDay(cal, to))) {
    const a = Math.max(s, from);
    const b = Math.min(e, to);
    if (b > a) total += b - a;
  }
  return total;
}

/**
 * The instant after `ms` of working time counted from `start`. Time outside working hours
 * does not count; a result that falls exactly at the end of a period stays there.
 */
export function addWorkingMs(cal: WorkCalendar, start: number, ms: number): number {
  if (ms <= 0) return start;
  let left = ms;
  for (const [s, e] of workingIntervals(cal, localDay(cal, start))) {
    if (e <= start) continue;
    const from = Math.max(s, start);
    if (left <= e - from) return from + left;
    left -= e - from;
  }
  throw new Error(`the calendar has no working time in the ${MAX_DAYS} days after ${new Date(start).toISOString()}`);
}

/** The instant `ms` of working time before `end` (the mirror of addWorkingMs). */
export function subtractWorkingMs(cal: WorkCalendar, end: number, ms: number): number {
  if (ms <= 0) return end;
  let left = ms;
  const last = localDay(cal, end);
  for (let d = last; d >= last - MAX_DAYS; d--) {
    if (!isWorkday(cal, d)) continue;
    for (let i = cal.periods.length - 1; i >= 0; i--) {
      const [ps, pe] = cal.periods[i] as [number, number];
      const s = localTime(cal, d, ps);
      const e = Math.min(localTime(cal, d, pe), end);
      if (e <= s) continue;
      if (left <= e - s) return e - left;
      left -= e - s;
    }
  }
  throw new Error(`the calendar has no working time in the ${MAX_DAYS} days before ${new Date(end).toISOString()}`);
}

/**
 * The end of the working day `n` workdays after the day of `start` (the day a case arrives
 * does not count, as 12345 rules count 工作日).
 */
export function addWorkdays(cal: WorkCalendar, start: number, n: number): number {
  let day = localDay(cal, start);
  for (let counted = 0, steps = 0; counted < n; steps++) {
    if (steps > MAX_DAYS) throw new Error(`the calendar has fewer than ${n} workdays in the ${MAX_DAYS} days after ${dayKey(day)}`);
    day++;
    if (isWorkday(cal, day)) counted++;
  }
  const last = cal.periods.at(-1);
  return localTime(cal, day, last ? last[1] : 24 * 60);
}

export function computeDeadline(cal: WorkCalendar, start: number, rule: DeadlineRule): number {
  return rule.unit === 'hours' ? addWorkingMs(cal, start, rule.value * 3_600_000) : addWorkdays(cal, start, rule.value);
}

/** The share (0..1+) of the working time from `started` to `deadline` used at `now`. */
export function deadlineUsed(cal: WorkCalendar, started: number, deadline: number, now: number): number {
  const total = workingMsBetween(cal, started, deadline);
  if (total <= 0) return now >= deadline ? 1 : 0;
  return workingMsBetween(cal, started, now) / total;
}

/**
 * The deadline after a pause (an extension request that was rejected or withdrawn): the
 * working time that was left when the clock stopped is counted again from `resumedAt`.
 */
/**
 * The clock's start moved past a pause, so the share of time used (near-deadline) counts
 * only the working time before the pause and after `resumedAt`.
 */
export function resumeStart(cal: WorkCalendar, started: number, pausedAt: number, resumedAt: number): number {
  return subtractWorkingMs(cal, resumedAt, workingMsBetween(cal, started, pausedAt));
}

export function resumeDeadline(cal: WorkCalendar, deadline: number, pausedAt: number, resumedAt: number): number {
  if (pausedAt >= deadline) return deadline;
  // Never earlier than before: a deadline on a rest day holds the same working time as the
  // end of the last workday before it, and adding that time back would land there.
  return Math.max(deadline, addWorkingMs(cal, resumedAt, workingMsBetween(cal, pausedAt, deadline)));
}
