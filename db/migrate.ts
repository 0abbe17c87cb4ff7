import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './client.js';

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Any number, fixed: every process that migrates the same database takes this lock. */
const MIGRATION_LOCK = 1234500001;

export class MigrationError extends Error {
  constructor(
    readonly migration: string,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`Migration ${migration} failed: ${reason}. Nothing of it was applied; fix the database or the migration and start again.`);
    this.name = 'MigrationError';
  }
}

export interface MigrationFile {
  name: string;
  sql: string;
}

export async function listMigrations(dir = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((n) => /^\d{4}_[\w-]+\.sql$/.test(n)).sort();
  return Promise.all(names.map(async (name) => ({ name, sql: await readFile(join(dir, name), 'utf8') })));
}

/**
 * Applies every migration not yet recorded in `schema_migrations`, in name order, each
 * in its own transaction together with its record. Migrations of different modules use
 * separate number ranges (see db/README.md), so one added later with a lower number is
 * still applied.
 */
export async function migrate(db: Db, files?: MigrationFile[]): Promise<string[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    name text PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const migrations = files ?? (await listMigrations());
  const applied: string[] = [];
  for (const m of migrations) {
    try {
      const done = await db.tx(async (q) => {
        await q.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
        const seen = await q.query('SELECT 1 FROM schema_migrations WHERE name = $1', [m.name]);
        if (seen.rowCount > 0) return false;
        await q.exec(m.sql);
        await q.query('INSERT INTO schema_migrations (name) VALUES ($1)', [m.name]);
        return true;
      });
      if (done) applied.push(m.name);
    } catch (err) {
      throw new MigrationError(m.name, err);
    }
  }
  return applied;
}
