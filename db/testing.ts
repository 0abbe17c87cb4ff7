/**
 * Test helpers: a fresh, migrated database of each engine the product runs on.
 * PostgreSQL tests create their own database on TEST_DATABASE_URL's server
 * (default: the local PostgreSQL at 127.0.0.1:5432, user postgres) and drop it after.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Db, openDb } from './client.js';
import { migrate } from './migrate.js';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export type Engine = 'pglite' | 'postgres';
/**
 * The engines each database test runs on: both by default (npm test); `TEST_ENGINES=pglite`
 * (npm run test:unit) keeps to the embedded one, which needs nothing but npm ci.
 */
export const ENGINES: Engine[] = process.env.TEST_ENGINES
  ? (process.env.TEST_ENGINES.split(',').map((e) => e.trim()) as Engine[]).filter((e) => e === 'pglite' || e === 'postgres')
  : ['pglite', 'postgres'];

export interface TestDb extends Db {
  /** Closes the connection and removes the database. */
  destroy(): Promise<void>;
  /** The connection string of a PostgreSQL test database (for child processes). */
  url?: string;
}

export async function createTestDb(engine: Engine, options: { migrated?: boolean } = {}): Promise<TestDb> {
  const db: TestDb = engine === 'pglite' ? await openDb({}).then((d) => ({ ...d, destroy: d.close })) : await createPostgresDb();
  if (options.migrated !== false) await migrate(db);
  return db;
}

async function createPostgresDb(): Promise<TestDb> {
  const name = `hotline_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  const db = await openDb({ url: url.toString(), poolSize: 4 });
  return {
    ...db,
    url: url.toString(),
    async destroy() {
      await db.close();
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  } as TestDb;
}
