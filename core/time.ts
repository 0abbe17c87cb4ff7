import { CoreErrors } from './errors.js';

/**
 * A time given in a request (a filter's from/to, a new deadline) as a Date, or a 400 that
 * says how to write it. Years outside 0001-9999 are refused here: JavaScript reads
 * 0000-01-01 and +275760-09-13, PostgreSQL stores neither.
 */
export function parseRequestTime(name: string, value: string): Date {
  const t = Date.parse(value);
  const year = Number.isNaN(t) ? Number.NaN : new Date(t).getUTCFullYear();
  if (!(year >= 1 && year <= 9999)) throw CoreErrors.INVALID_TIME({ field: name, value: JSON.stringify(value) });
  return new Date(t);
}

/**
 * Daily windows such as `09:00-12:00,13:30-17:30` as minutes since local midnight, sorted.
 * One parser for every setting of this form (work hours, call hours): hours 0-24, minutes
 * 0-59, each window starting before it ends, and no two windows overlapping (touching is
 * fine). Throws an Error saying what is wrong; the caller names the setting.
 */
export function parseDailyWindows(text: string): [number, number][] {
  const windows = text.split(',').map((part) => {
    const m = /^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$/.exec(part);
    if (!m) throw new Error(`"${part.trim()}" is not a window like 09:00-12:00`);
    const [h1, m1, h2, m2] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
    const [start, end] = [h1 * 60 + m1, h2 * 60 + m2];
    if (m1 > 59 || m2 > 59 || h1 > 24 || h2 > 24 || end > 24 * 60 || start >= end) {
      throw new Error(`"${part.trim()}" is not a valid window: it must start before it ends, within 00:00-24:00`);
    }
    return [start, end] as [number, number];
  });
  windows.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < windows.length; i++) {
    const [prev, cur] = [windows[i - 1] as [number, number], windows[i] as [number, number]];
    if (cur[0] < prev[1]) throw new Error(`windows "${text.trim()}" overlap`);
  }
  return windows;
}

/** True when `tz` is an IANA time zone name this runtime knows (Asia/Shanghai, UTC...). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Minutes east of UTC of the time zone `tz` at `at` (480 for Asia/Shanghai). */
export function zoneOffsetMinutes(tz: string, at = Date.now()): number {
  const name =
    new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' })
      .formatToParts(new Date(at))
      .find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}
