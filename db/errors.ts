/**
 * What a database error means for the caller, told apart by SQLSTATE and socket codes
 * (pg and PGlite both put the SQLSTATE in `code`): a value the database cannot store is
 * the client's mistake (400); a database that cannot be reached is an outage the client
 * should retry (503). Anything else is a bug and stays a 500.
 */

/** Socket and pool failures that mean "PostgreSQL is not reachable right now". */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'EAI_AGAIN',
]);
const UNREACHABLE_TEXT =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection terminated unexpectedly|the database system is (starting up|shutting down|in recovery mode)|Cannot use a pool after calling end/i;

/**
 * Data exceptions a request's own value causes: 22021 NUL or bad encoding, 22P05 an
 * untranslatable character, 22003 a number out of range, 22007/22008/22009/22015 a date,
 * time zone or interval it cannot read or hold, 22001 text longer than its column. Not 22P02 (invalid text
 * representation): that is what the code's own NaN or undefined gives, a bug to log.
 */
const CLIENT_VALUE_CODES = new Set(['22021', '22P05', '22003', '22007', '22008', '22009', '22015', '22001']);

export type DatabaseErrorKind = 'invalid-value' | 'unavailable';

function codes(err: unknown): string[] {
  if (!err || typeof err !== 'object') return [];
  const own = (err as { code?: unknown }).code;
  const inner = (err as { errors?: unknown }).errors;
  const out = typeof own === 'string' ? [own] : [];
  if (Array.isArray(inner)) for (const e of inner) out.push(...codes(e));
  return out;
}

export function databaseErrorKind(err: unknown): DatabaseErrorKind | null {
  const cs = codes(err);
  if (cs.some((c) => CLIENT_VALUE_CODES.has(c))) return 'invalid-value';
  // Class 08: connection exception; 57P01-57P03: the server is shutting down or starting.
  if (cs.some((c) => UNREACHABLE_CODES.has(c) || /^08[0-9A-Z]{3}$/.test(c) || /^57P0[1-3]$/.test(c))) return 'unavailable';
  if (err instanceof Error && UNREACHABLE_TEXT.test(err.message)) return 'unavailable';
  return null;
}
