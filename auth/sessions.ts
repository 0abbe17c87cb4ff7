import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../db/index.js';
import { type User, userColumns } from './users.js';

export const SESSION_COOKIE = 'hotline_sid';

/** What a session may still do before it is a full login. */
export type Pending = 'password' | 'totp_enrol';

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

// last_seen_at is written at most this often per session: one UPDATE per request would
// double the database's write load for nothing the idle timeout needs.
const TOUCH_EVERY_S = 30;

/**
 * A new session for `userId`. Beyond `maxPerUser` sessions the least recently used end:
 * a password typed on a shared PC and forgotten there does not stay valid for ever.
 */
export async function createSession(
  db: Queryable,
  userId: number,
  opts: { ttlHours: number; maxPerUser: number; pending?: Pending | null; userAgent?: string },
) {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + opts.ttlHours * 3600_000);
  await db.query(
    `DELETE FROM sessions WHERE token_hash IN (
       SELECT token_hash FROM sessions WHERE user_id = $1 ORDER BY last_seen_at DESC, created_at DESC OFFSET $2)`,
    [userId, Math.max(0, opts.maxPerUser - 1)],
  );
  await db.query('INSERT INTO sessions (token_hash, user_id, expires_at, user_agent, pending) VALUES ($1, $2, $3, $4, $5)', [
    hashToken(token),
    userId,
    expiresAt,
    opts.userAgent?.slice(0, 200) ?? null,
    opts.pending ?? null,
  ]);
  return { token, expiresAt };
}

export interface SessionUser {
  user: User;
  pending: Pending | null;
  tokenHash: string;
}

/**
 * The active user behind a session token, or undefined when expired, idle for longer
 * than `idleMinutes`, unknown or deactivated. A live session's last_seen_at moves on.
 */
export async function sessionForToken(db: Queryable, token: string, idleMinutes: number): Promise<SessionUser | undefined> {
  const tokenHash = hashToken(token);
  const r = await db.query<User & { pending: Pending | null; stale: boolean }>(
    `SELECT ${userColumns('u')}, s.pending, s.last_seen_at < now() - make_interval(secs => $3) AS stale
       FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.token_hash = $1 AND s.expires_at > now() AND u.active
        AND s.last_seen_at > now() - make_interval(mins => $2)`,
    [tokenHash, idleMinutes, TOUCH_EVERY_S],
  );
  const row = r.rows[0];
  if (!row) return undefined;
  const { pending, stale, ...user } = row;
  if (stale) await db.query('UPDATE sessions SET last_seen_at = now() WHERE token_hash = $1', [tokenHash]);
  return { user, pending, tokenHash };
}

export async function setSessionPending(db: Queryable, tokenHash: string, pending: Pending | null) {
  await db.query('UPDATE sessions SET pending = $2, last_seen_at = now() WHERE token_hash = $1', [tokenHash, pending]);
}

export async function deleteSession(db: Queryable, token: string) {
  await db.query('DELETE FROM sessions WHERE token_hash = $1', [hashToken(token)]);
}

/** Expired and idle sessions both go (the idle ones would be refused anyway). */
export async function deleteExpiredSessions(db: Queryable, idleMinutes = 24 * 60) {
  await db.query('DELETE FROM sessions WHERE expires_at <= now() OR last_seen_at <= now() - make_interval(mins => $1)', [idleMinutes]);
}

/**
 * Whether a session still holds, without counting as use (its idle clock does not move):
 * for long-lived connections such as the desk's WebSocket, which must end with the session.
 */
export async function sessionStillValid(db: Queryable, token: string, idleMinutes: number): Promise<boolean> {
  const r = await db.query(
    `SELECT 1 FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.token_hash = $1 AND s.expires_at > now() AND u.active AND s.pending IS NULL
        AND s.last_seen_at > now() - make_interval(mins => $2)`,
    [hashToken(token), idleMinutes],
  );
  return r.rowCount > 0;
}
