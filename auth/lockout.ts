/**
 * Per-account back-off: LOGIN_LOCKOUT_FAILURES wrong passwords (or codes) in a row lock
 * the account for LOGIN_LOCKOUT_MINUTES, doubled for each further lockout in a row, at
 * most a day. A right login resets both counts; an admin can unlock.
 *
 * Usernames that do not exist are "locked" the same way in memory, so the lock message
 * cannot tell an attacker which names are real.
 */
import type { HotlineError } from '../core/index.js';
import type { Queryable } from '../db/index.js';
import { AuthErrors } from './errors.js';
import type { AuthSettings } from './settings.js';

const MAX_LOCK_MINUTES = 24 * 60;

const lockMinutes = (settings: AuthSettings, lockouts: number) =>
  Math.min(MAX_LOCK_MINUTES, settings.lockoutMinutes * 2 ** Math.min(lockouts, 16));

/** Records a failure of a real account; returns the milliseconds it is now locked for (0 = not locked). */
export async function recordFailure(db: Queryable, userId: number, settings: AuthSettings): Promise<number> {
  const r = await db.query<{ ms: number }>(
    `UPDATE users SET
        failed_logins = CASE WHEN failed_logins + 1 >= $2 THEN 0 ELSE failed_logins + 1 END,
        locked_until  = CASE WHEN failed_logins + 1 >= $2
                             THEN now() + make_interval(mins => LEAST($4::int, $3::int * power(2, LEAST(lockouts, 16))::int))
                             ELSE locked_until END,
        lockouts      = CASE WHEN failed_logins + 1 >= $2 THEN lockouts + 1 ELSE lockouts END
      WHERE id = $1
      RETURNING GREATEST(0, floor(extract(epoch FROM (locked_until - now())) * 1000))::float8 AS ms`,
    [userId, settings.lockoutFailures, settings.lockoutMinutes, MAX_LOCK_MINUTES],
  );
  return Number(r.rows[0]?.ms ?? 0);
}

/**
 * Clears the failures of a login that passed, unless the account got locked meanwhile:
 * guesses sent in parallel are all checked against the lock before their (slow) password
 * check, so the lock is checked again here, in the same statement that clears it. Returns
 * how long the account is still locked (0 = the login may go on).
 */
export async function recordSuccess(db: Queryable, userId: number): Promise<number> {
  const r = await db.query(
    `UPDATE users SET failed_logins = 0, lockouts = 0, locked_until = NULL, last_login_at = now()
      WHERE id = $1 AND (locked_until IS NULL OR locked_until <= now()) RETURNING id`,
    [userId],
  );
  if (r.rowCount) return 0;
  const left = await db.query<{ ms: number }>(
    'SELECT GREATEST(1, floor(extract(epoch FROM (locked_until - now())) * 1000))::float8 AS ms FROM users WHERE id = $1',
    [userId],
  );
  return Number(left.rows[0]?.ms ?? 1);
}

interface Phantom {
  failures: number;
  lockouts: number;
  lockedUntil: number;
}

const PHANTOM_LIMIT = 10_000;

/** The same bookkeeping for names that match no account, held in memory (bounded). */
export class PhantomLocks {
  private readonly map = new Map<string, Phantom>();

  lockedForMs(name: string, now = Date.now()): number {
    const p = this.map.get(name.toLowerCase());
    return p ? Math.max(0, p.lockedUntil - now) : 0;
  }

  fail(name: string, settings: AuthSettings, now = Date.now()): number {
    const key = name.toLowerCase();
    const p = this.map.get(key) ?? { failures: 0, lockouts: 0, lockedUntil: 0 };
    this.map.delete(key);
    p.failures++;
    if (p.failures >= settings.lockoutFailures) {
      p.failures = 0;
      p.lockedUntil = now + lockMinutes(settings, p.lockouts) * 60_000;
      p.lockouts++;
    }
    this.map.set(key, p);
    if (this.map.size > PHANTOM_LIMIT) this.map.delete(this.map.keys().next().value as string);
    return Math.max(0, p.lockedUntil - now);
  }
}

/** The refusal: the same words for a wrong password, an unknown name and a lock. */
export function loginRefusal(lockedForMs: number): HotlineError {
  if (lockedForMs <= 0) return AuthErrors.LOGIN_REFUSED();
  return AuthErrors.LOGIN_LOCKED({ minutes: Math.ceil(lockedForMs / 60_000) });
}
