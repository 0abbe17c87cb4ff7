/**
 * Statements go to PostgreSQL as named prepared statements: the same answers as unnamed ones,
 * and a table changed under a prepared SELECT * (another process's migration) costs one
 * retry, not a broken connection. PostgreSQL only: PGlite has no named statements here.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createTestDb, ENGINES, type TestDb } from './testing.js';

describe('prepared statements on postgres', { skip: !ENGINES.includes('postgres') }, () => {
  const dbs: TestDb[] = [];
  after(async () => {
    for (const db of dbs) await db.destroy();
  });

  test('a table altered under a prepared SELECT * is read again, in and out of transactions', async () => {
    const db = await createTestDb('postgres', { migrated: false });
    dbs.push(db);
    await db.exec('CREATE TABLE t (id int PRIMARY KEY, a text); INSERT INTO t VALUES (1, $$x$$), (2, $$y$$)');
    const read = (q: { query: TestDb['query'] }, id: number) => q.query<Record<string, unknown>>('SELECT * FROM t WHERE id = $1', [id]);
    // Every connection of the pool prepares it.
    for (let i = 0; i < 8; i++)
      assert.deepEqual(
        (await Promise.all([read(db, 1), read(db, 2)])).map((r) => r.rows[0]?.a),
        ['x', 'y'],
      );
    await db.exec('ALTER TABLE t ADD COLUMN b int DEFAULT 7');
    for (let i = 0; i < 8; i++) assert.deepEqual((await read(db, 1)).rows[0], { id: 1, a: 'x', b: 7 });
    // Inside a transaction the text now runs unprepared too.
    const inTx = await db.tx((q) => read(q, 2));
    assert.deepEqual(inTx.rows[0], { id: 2, a: 'y', b: 7 });
  });
});
