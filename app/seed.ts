import { createUser } from '../auth/index.js';
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
        await createUser(q, {
          username: u.username,
          password: DEMO_PASSWORD,
          role: u.role,
          displayName: u.displayName,
          orgUnitCode: u.unit,
        });
        users.push(u.username);
      }
    }
    return { units, categories, users };
  });
}

/** Whether the database has never been seeded (no user at all). */
export async function isEmpty(db: Db): Promise<boolean> {
  const r = await db.query('SELECT 1 FROM users LIMIT 1');
  return r.rowCount === 0;
}
