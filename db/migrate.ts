import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './client.js';

/** The project's root: each module's migrations are in `<module>/migrations/`. */
export const PROJECT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

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
  /** The module whose folder holds it (the owner of the tables it creates). */
  module?: string;
}

const MIGRATION_NAME = /^\d{4}_[\w-]+\.sql$/;

/**
 * Every module's migrations (`<module>/migrations/NNNN_name.sql` under the project), in name
 * order across modules. Each table is created by the migrations of the module that owns it
 * (test/contracts.test.ts checks it).
 */
export async function listMigrations(): Promise<MigrationFile[]> {
  const folders: { module: string; dir: string }[] = [];
  for (const entry of await readdir(PROJECT_DIR, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const d = join(PROJECT_DIR, entry.name, 'migrations');
    if (existsSync(d)) folders.push({ module: entry.name, dir: d });
  }
  const files: MigrationFile[] = [];
  const seen = new Map<string, string>();
  for (const f of folders) {
    for (const name of (await readdir(f.dir)).filter((n) => MIGRATION_NAME.test(n))) {
      const other = seen.get(name);
      if (other) throw new Error(`Migration ${name} is in both ${other}/migrations and ${f.module}/migrations: rename one.`);
      seen.set(name, f.module);
      files.push({ name, module: f.module, sql: await readFile(join(f.dir, name), 'utf8') });
    }
  }
  // Byte order, as the file names read, whatever the machine's locale.
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * A migration split out of an older one carries `-- skip-if-exists: <table>`: a database that
 * already has the table got it from the older migration, so the file is recorded, not run.
 */
function skipIfExists(sql: string): string | undefined {
  return /^--\s*skip-if-exists:\s*([a-z_][a-z0-9_]*)\s*$/m.exec(sql)?.[1];
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
        const guard = skipIfExists(m.sql);
        const exists = guard ? (await q.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [guard])).rows[0]?.t : null;
        if (!exists) await q.exec(m.sql);
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
