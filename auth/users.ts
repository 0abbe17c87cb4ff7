import { badRequest, conflict, notFound } from '../core/errors.js';
import { isRole, ROLES, type Role } from '../core/roles.js';
import type { Queryable } from '../db/index.js';
import { hashPassword, MIN_PASSWORD_LENGTH } from './password.js';

export interface User {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  orgUnitId: number | null;
  active: boolean;
}

export interface NewUser {
  username: string;
  password: string;
  role: string;
  displayName?: string;
  /** Org unit by code (e.g. a department for a handler). */
  orgUnitCode?: string;
}

const USERNAME = /^[A-Za-z0-9_.-]{2,64}$/;

/** The columns of a `User`, optionally qualified by a table alias. */
export const userColumns = (t = '') => {
  const p = t ? `${t}.` : '';
  return `${p}id, ${p}username, ${p}display_name AS "displayName", ${p}role, ${p}org_unit_id AS "orgUnitId", ${p}active`;
};
const USER_COLUMNS = userColumns();

export async function createUser(db: Queryable, input: NewUser): Promise<User> {
  if (!USERNAME.test(input.username)) {
    throw badRequest(`Username "${input.username}" is not valid: use 2-64 letters, digits, '.', '_' or '-'.`);
  }
  if (!isRole(input.role)) throw badRequest(`Role "${input.role}" is unknown: use one of ${ROLES.join(', ')}.`);
  if (input.password.length < MIN_PASSWORD_LENGTH) {
    throw badRequest(`The password is too short: use at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
  let orgUnitId: number | null = null;
  if (input.orgUnitCode) {
    const unit = await db.query<{ id: number }>('SELECT id FROM org_units WHERE code = $1', [input.orgUnitCode]);
    if (!unit.rows[0]) throw notFound(`Organisation unit "${input.orgUnitCode}" does not exist: list them with GET /api/org-units.`);
    orgUnitId = unit.rows[0].id;
  }
  if (input.role === 'handler' && orgUnitId === null) {
    throw badRequest('A handler must belong to a department or unit: give its code (--unit CODE / orgUnitCode).');
  }
  const hash = await hashPassword(input.password);
  const existing = await db.query('SELECT 1 FROM users WHERE lower(username) = lower($1)', [input.username]);
  if (existing.rowCount) throw conflict(`User "${input.username}" already exists.`);
  const r = await db.query<User>(
    `INSERT INTO users (username, display_name, password_hash, role, org_unit_id)
     VALUES ($1, $2, $3, $4, $5) RETURNING ${USER_COLUMNS}`,
    [input.username, input.displayName ?? input.username, hash, input.role, orgUnitId],
  );
  return r.rows[0] as User;
}

export async function listUsers(db: Queryable): Promise<User[]> {
  return (await db.query<User>(`SELECT ${USER_COLUMNS} FROM users ORDER BY id`)).rows;
}

export async function findUserByName(db: Queryable, username: string) {
  const r = await db.query<User & { passwordHash: string }>(
    `SELECT ${USER_COLUMNS}, password_hash AS "passwordHash" FROM users WHERE lower(username) = lower($1)`,
    [username],
  );
  return r.rows[0];
}
