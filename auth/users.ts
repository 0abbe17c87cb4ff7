import { isRole, ROLES } from '../core/index.js';
import type { Queryable } from '../db/index.js';
import { AuthErrors } from './errors.js';
import { hashPassword, MIN_PASSWORD_LENGTH } from './password.js';
import { checkPassword } from './password-policy.js';
import type { User } from './schemas.js';

export type { User };

export interface NewUser {
  username: string;
  password: string;
  role: string;
  displayName?: string;
  /** Org unit by code (e.g. a department for a handler). */
  orgUnitCode?: string;
}

export interface CreateOptions {
  /**
   * Check the password policy (auth/password-policy.ts). The API, the CLI and the first
   * admin do; fixtures and the demo seed, whose passwords nobody chose, do not.
   */
  policy?: boolean;
  mustChangePassword?: boolean;
  demo?: boolean;
}

const USERNAME = /^[A-Za-z0-9_.-]{2,64}$/;

/** The columns of a `User`, optionally qualified by a table alias. */
export const userColumns = (t = '') => {
  const p = t ? `${t}.` : '';
  return `${p}id, ${p}username, ${p}display_name AS "displayName", ${p}role, ${p}org_unit_id AS "orgUnitId", ${p}active,
    ${p}must_change_password AS "mustChangePassword", ${p}demo, (${p}totp_secret IS NOT NULL) AS "twoFactor",
    CASE WHEN ${p}locked_until > now() THEN to_char(${p}locked_until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') END AS "lockedUntil"`;
};
const USER_COLUMNS = userColumns();

/** Refuses a password that breaks the policy, naming the rule (the desk shows it in Chinese). */
export function assertPasswordPolicy(password: string, ctx: { role: string; username: string }) {
  const v = checkPassword(password, ctx);
  if (v) throw AuthErrors.WEAK_PASSWORD({ reason: v.message }, { rule: v.rule });
}

export async function createUser(db: Queryable, input: NewUser, opts: CreateOptions = {}): Promise<User> {
  if (!USERNAME.test(input.username)) {
    throw AuthErrors.USERNAME_INVALID({ username: input.username });
  }
  if (!isRole(input.role)) throw AuthErrors.ROLE_UNKNOWN({ role: input.role, roles: ROLES.join(', ') });
  if (input.password.length < MIN_PASSWORD_LENGTH) {
    throw AuthErrors.PASSWORD_TOO_SHORT({ min: MIN_PASSWORD_LENGTH });
  }
  let orgUnitId: number | null = null;
  if (input.orgUnitCode) {
    const unit = await db.query<{ id: number }>('SELECT id FROM org_units WHERE code = $1', [input.orgUnitCode]);
    if (!unit.rows[0]) throw AuthErrors.USER_UNIT_NOT_FOUND({ code: input.orgUnitCode });
    orgUnitId = unit.rows[0].id;
  }
  if (input.role === 'handler' && orgUnitId === null) {
    throw AuthErrors.HANDLER_NEEDS_UNIT();
  }
  if (opts.policy) assertPasswordPolicy(input.password, { role: input.role, username: input.username });
  const hash = await hashPassword(input.password);
  const existing = await db.query('SELECT 1 FROM users WHERE lower(username) = lower($1)', [input.username]);
  if (existing.rowCount) throw AuthErrors.USER_EXISTS({ username: input.username });
  const r = await db.query<User>(
    `INSERT INTO users (username, display_name, password_hash, role, org_unit_id, must_change_password, demo, password_changed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, now()) RETURNING ${USER_COLUMNS}`,
    [
      input.username,
      input.displayName ?? input.username,
      hash,
      input.role,
      orgUnitId,
      opts.mustChangePassword ?? false,
      opts.demo ?? false,
    ],
  );
  return r.rows[0] as User;
}

export async function listUsers(db: Queryable): Promise<User[]> {
  return (await db.query<User>(`SELECT ${USER_COLUMNS} FROM users ORDER BY id`)).rows;
}

export interface LoginRow extends User {
  passwordHash: string;
  failedLogins: number;
  lockouts: number;
  /** Milliseconds the lock still holds (0 when not locked). */
  lockedForMs: number;
  totpSecret: string | null;
  totpLastStep: string | null;
}

export async function findUserByName(db: Queryable, username: string): Promise<LoginRow | undefined> {
  const r = await db.query<LoginRow>(
    `SELECT ${USER_COLUMNS}, password_hash AS "passwordHash", failed_logins AS "failedLogins", lockouts,
            GREATEST(0, floor(extract(epoch FROM (locked_until - now())) * 1000))::float8 AS "lockedForMs",
            totp_secret AS "totpSecret", totp_last_step::text AS "totpLastStep"
       FROM users WHERE lower(username) = lower($1)`,
    [username],
  );
  const row = r.rows[0];
  if (row) row.lockedForMs = Number(row.lockedForMs ?? 0);
  return row;
}

export async function findUserById(db: Queryable, id: number): Promise<User> {
  const r = await db.query<User>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]);
  if (!r.rows[0]) throw AuthErrors.USER_NOT_FOUND({ id });
  return r.rows[0];
}

export async function userIdByName(db: Queryable, username: string): Promise<number> {
  const r = await db.query<{ id: number }>('SELECT id FROM users WHERE lower(username) = lower($1)', [username]);
  if (!r.rows[0]) throw AuthErrors.USERNAME_NOT_FOUND({ username });
  return Number(r.rows[0].id);
}

/**
 * Sets a password after checking the policy. `mustChange` marks a password someone else
 * chose (an admin's reset): its owner changes it at the next login. Every session of the
 * user ends except `keepSession` (the one that changed its own password).
 */
export async function setPassword(
  db: Queryable,
  userId: number,
  password: string,
  opts: { mustChange: boolean; keepSessionHash?: string },
): Promise<User> {
  const user = await findUserById(db, userId);
  assertPasswordPolicy(password, user);
  const hash = await hashPassword(password);
  await db.query(
    `UPDATE users SET password_hash = $2, must_change_password = $3, password_changed_at = now(),
            demo = false, failed_logins = 0, lockouts = 0, locked_until = NULL WHERE id = $1`,
    [userId, hash, opts.mustChange],
  );
  await db.query('DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2', [userId, opts.keepSessionHash ?? '']);
  return findUserById(db, userId);
}

/** Disables (ending every session) or enables a user. */
export async function setActive(db: Queryable, userId: number, active: boolean): Promise<User> {
  const r = await db.query('UPDATE users SET active = $2 WHERE id = $1', [userId, active]);
  if (!r.rowCount) throw AuthErrors.USER_NOT_FOUND({ id: userId });
  if (!active) await db.query('DELETE FROM sessions WHERE user_id = $1', [userId]);
  return findUserById(db, userId);
}

export async function unlockUser(db: Queryable, userId: number): Promise<User> {
  const r = await db.query('UPDATE users SET failed_logins = 0, lockouts = 0, locked_until = NULL WHERE id = $1', [userId]);
  if (!r.rowCount) throw AuthErrors.USER_NOT_FOUND({ id: userId });
  return findUserById(db, userId);
}

/** How many active admins remain besides `exceptId`: the last one may not be disabled. */
export async function otherActiveAdmins(db: Queryable, exceptId: number): Promise<number> {
  const r = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND active AND id <> $1", [exceptId]);
  return Number(r.rows[0]?.n ?? 0);
}
