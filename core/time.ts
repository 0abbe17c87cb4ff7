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
