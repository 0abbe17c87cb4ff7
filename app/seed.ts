import { randomBytes } from 'node:crypto';
import { assertPasswordPolicy, checkPassword, createUser } from '../auth/index.js';
import type { Db } from '../db/index.js';
import { DEMO_PASSWORD, DEMO_USERS, demoUnits, linkCategoryDepartments, seedCategories, seedUnits } from '../org/index.js';

export interface SeedReport {
  units: number;
  categories: number;
  users: string[];
}

/**
 * The default catalogue, and with `demo` the demo district, its departments and one
 * user per role. Idempotent: what exists (by code or username) is left alone, so a
 * second run adds nothing and never overwrites a site's edits.
 *
 * Demo users have the published password and are marked `demo`: never asked to change
 * it (the demo and the tests log in with it), and named as demo users at start.
 */
export async function seed(db: Db, options: { demo: boolean }): Promise<SeedReport> {
  return db.tx(async (q) => {
    const units = options.demo ? await seedUnits(q, demoUnits()) : 0;
    const categories = await seedCategories(q);
    await linkCategoryDepartments(q);
    const users: string[] = [];
    if (options.demo) {
      for (const u of DEMO_USERS) {
        const exists = await q.query('SELECT 1 FROM users WHERE username = $1', [u.username]);
        if (exists.rowCount) continue;
        await createUser(
          q,
          {
            username: u.username,
            password: DEMO_PASSWORD,
            role: u.role,
            displayName: u.displayName,
            orgUnitCode: u.unit,
          },
          { demo: true },
        );
        users.push(u.username);
      }
    }
    return { units, categories, users };
  });
}

export const FIRST_ADMIN = 'admin';

/** 20 random characters (120 bits) from the URL-safe base64 alphabet. */
export function generatePassword(): string {
  for (;;) {
    const pw = randomBytes(15).toString('base64url');
    if (!checkPassword(pw, { role: 'admin', username: FIRST_ADMIN })) return pw;
  }
}

/**
 * The one account of a real install: `admin`, with the password the operator gave
 * (checked against the policy) or a generated one that is answered here to be shown
 * once. Either way it must be changed at the first login; only its hash is stored.
 */
export async function createFirstAdmin(db: Db, given?: string): Promise<{ username: string; password: string; generated: boolean }> {
  const password = given ?? generatePassword();
  if (given !== undefined) assertPasswordPolicy(given, { role: 'admin', username: FIRST_ADMIN });
  await createUser(
    db,
    { username: FIRST_ADMIN, password, role: 'admin', displayName: '系统管理员' },
    { policy: true, mustChangePassword: true },
  );
  return { username: FIRST_ADMIN, password, generated: given === undefined };
}

/** Whether the database has never been seeded (no user at all). */
export async function isEmpty(db: Db): Promise<boolean> {
  const r = await db.query('SELECT 1 FROM users LIMIT 1');
  return r.rowCount === 0;
}
