import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { listMigrations, MigrationError, migrate } from './migrate.js';
import { createTestDb, ENGINES, type TestDb } from './testing.js';

for (const engine of ENGINES) {
  describe(`migrations on ${engine}`, () => {
    const dbs: TestDb[] = [];
    after(async () => {
      for (const db of dbs) await db.destroy();
    });

    test('apply every migration once and record it', async () => {
      const db = await createTestDb(engine, { migrated: false });
      dbs.push(db);
      const files = await listMigrations();
      const applied = await migrate(db);
      assert.deepEqual(
        applied,
        files.map((f) => f.name),
      );
      assert.ok(applied.includes('0001_foundation.sql'));
      const again = await migrate(db);
      assert.deepEqual(again, [], 'a second run applies nothing');
      const tables = await db.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
      );
      const names = tables.rows.map((r) => r.table_name);
      for (const t of [
        'org_units',
        'categories',
        'users',
        'sessions',
        'calls',
        'transcript_segments',
        'work_orders',
        'work_order_events',
        'callbacks',
        'referrals',
        'model_versions',
      ]) {
        assert.ok(names.includes(t), `table ${t} exists`);
      }
    });

    test('a database migrated before the foundation split gets the same schema as a fresh one', async () => {
      const files = await listMigrations();
      const split = files.filter((f) => /^000[2-8]_/.test(f.name));
      assert.ok(split.length >= 7, 'the split-out parts of 0001_foundation are there');
      // What 0001_foundation was before the split: all its parts in one file, then the rest.
      const old0001 = {
        name: '0001_foundation.sql',
        sql: [files.find((f) => f.name === '0001_foundation.sql')?.sql ?? '', ...split.map((f) => f.sql)].join('\n'),
      };
      const before = await createTestDb(engine, { migrated: false });
      dbs.push(before);
      await migrate(before, [old0001, ...files.filter((f) => f.name !== '0001_foundation.sql' && !split.includes(f))]);
      const applied = await migrate(before);
      assert.deepEqual(
        applied,
        split.map((f) => f.name),
        'the split parts are recorded',
      );
      const fresh = await createTestDb(engine, { migrated: false });
      dbs.push(fresh);
      await migrate(fresh);
      assert.deepEqual(await schemaOf(before), await schemaOf(fresh));
    });

    test('a failing migration stops with its name and the database error, and leaves nothing half-applied', async () => {
      const db = await createTestDb(engine);
      dbs.push(db);
      const bad = [
        { name: '9998_good.sql', sql: 'CREATE TABLE t_good (id int);' },
        { name: '9999_bad.sql', sql: 'CREATE TABLE t_half (id int); SELECT * FROM no_such_table;' },
      ];
      await assert.rejects(migrate(db, bad), (err: unknown) => {
        assert.ok(err instanceof MigrationError);
        assert.match(err.message, /9999_bad\.sql/);
        assert.match(err.message, /no_such_table/);
        return true;
      });
      const recorded = await db.query('SELECT name FROM schema_migrations WHERE name LIKE $1', ['999%']);
      assert.deepEqual(recorded.rows, [{ name: '9998_good.sql' }]);
      const half = await db.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 't_half'`);
      assert.equal(half.rowCount, 0, 'the failed migration rolled back whole');
    });

    test('a transaction that throws leaves no rows; numbers come back as numbers', async () => {
      const db = await createTestDb(engine);
      dbs.push(db);
      await assert.rejects(
        db.tx(async (q) => {
          await q.query(`INSERT INTO org_units (code, name, kind) VALUES ('x', 'X', 'district')`);
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.equal((await db.query('SELECT 1 FROM org_units')).rowCount, 0);
      const r = await db.query<{ n: number; d: number }>('SELECT 0::bigint AS n, 1.5::numeric AS d');
      assert.deepEqual(r.rows[0], { n: 0, d: 1.5 });
    });
  });
}

/** Columns, indexes and constraints of the public schema, comparable across databases. */
async function schemaOf(db: TestDb) {
  const columns = await db.query(
    `SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
      WHERE table_schema = 'public' ORDER BY table_name, column_name`,
  );
  const indexes = await db.query(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname`);
  const constraints = await db.query(
    `SELECT conrelid::regclass::text AS t, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
      WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2`,
  );
  return { columns: columns.rows, indexes: indexes.rows, constraints: constraints.rows };
}
