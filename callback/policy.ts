/**
 * When a callback may ring: inside the call windows, on working days of dispatch's
 * calendar, and whether a case is sampled for a callback at all. Pure functions of time.
 */
import { isWorkday, type WorkCalendar } from '../dispatch/index.js';
import type { CallbackSettings } from './settings.js';

const MIN = 60_000;
const DAY = 86_400_000;
/** Bounds the walk over days: no calendar has two months without a working day. */
const MAX_DAYS = 62;

/** The first instant at or after `from` inside a call window (on a working day when required). */
export function nextCallTime(cal: WorkCalendar, s: Pick<CallbackSettings, 'windows' | 'workdaysOnly'>, from: number): number {
  const offset = cal.utcOffsetMinutes * MIN;
  const firstDay = Math.floor((from + offset) / DAY);
  for (let day = firstDay; day < firstDay + MAX_DAYS; day++) {
    if (s.workdaysOnly && !isWorkday(cal, day)) continue;
    const midnight = day * DAY - offset;
    for (const [start, end] of s.windows) {
      const a = midnight + start * MIN;
      const b = midnight + end * MIN;
      if (from < b) return Math.max(from, a);
    }
  }
  throw new Error(`No call window in the ${MAX_DAYS} days after ${new Date(from).toISOString()}: check CALLBACK_HOURS and the calendar.`);
}

/** When the callback after an unanswered attempt at `at` is due. */
export function retryTime(cal: WorkCalendar, s: Pick<CallbackSettings, 'windows' | 'workdaysOnly' | 'retryMs'>, at: number): number {
  return nextCallTime(cal, s, at + s.retryMs);
}

/**
 * Whether case `id` of category `code` is called back. A stable hash of the id, not a die
 * roll, so a replayed event decides the same and a test can predict the sample.
 */
export function sampled(sampling: Map<string, number>, code: string | null, id: number): boolean {
  const rate = (code ? sampling.get(code) : undefined) ?? sampling.get('*') ?? 1;
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  const h = Math.imul(id ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  return h % 10_000 < rate * 10_000;
}
