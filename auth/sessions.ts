import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../db/index.js';
import { type User, userColumns } from './users.js';

export const SESSION_COOKIE = 'hotline_sid';

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export async function createSession(db: Queryable, userId: number, ttlHours: number, userAgent?: string) {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + ttlHours * 3600_000);
  await db.query('INSERT INTO sessions (token_hash, user_id, expires_at, user_agent) VALUES ($1, $2, $3, $4)', [
    hashToken(token),
    userId,
    expiresAt,
    userAgent?.slice(0, 200) ?? null,
  ]);
  return { token, expiresAt };
}

/** The active user behind a session token, or undefined when expired, unknown or deactivated. */
export async function userForToken(db: Queryable, token: string): Promise<User | undefined> {
  const r = await db.query<User>(
    `SELECT ${userColumns('u')}
       FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.token_hash = $1 AND s.expires_at > now() AND u.active`,
    [hashToken(token)],
  );
  return r.rows[0];
}

export async function deleteSession(db: Queryable, token: string) {
  await db.query('DELETE FROM sessions WHERE token_hash = $1', [hashToken(token)]);
}

export async function deleteExpiredSessions(db: Queryable) {
  await db.query('DELETE FROM sessions WHERE expires_at <= now()');
}
