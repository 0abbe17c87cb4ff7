import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createFirstAdmin, seed } from '../app/seed.js';
import { verifyPassword } from '../auth/index.js';
import { createTestDb, ENGINES, type TestDb } from '../db/testing.js';
import { DEMO_USERS } from '../org/index.js';

for (const engine of ENGINES) {
  describe(`seed on ${engine}`, () => {
    let db: TestDb;
    before(async () => {
      db = await createTestDb(engine);
    });
    after(() => db.destroy());

    test('without --demo: only the category catalogue, no units, no users', async () => {
      const r = await seed(db, { demo: false });
      assert.equal(r.units, 0);
      assert.deepEqual(r.users, []);
      assert.ok(r.categories > 300);
      const users = await db.query('SELECT 1 FROM users');
      assert.equal(users.rowCount, 0);
    });

    test('the 7 message classes with their second level, and the urban-management matters', async () => {
      const top = await db.query<{ name: string; n: number }>(
        `SELECT p.name, count(c.id) AS n FROM categories p LEFT JOIN categories c ON c.parent_id = p.id
          WHERE p.level = 1 GROUP BY p.name, p.sort ORDER BY p.sort`,
      );
      assert.deepEqual(
        top.rows.map((r) => r.name),
        ['城乡建设', '环境保护', '交通运输', '教育文体', '劳动和社会保障', '商贸旅游', '卫生计生', '城市管理事项'],
      );
      for (const r of top.rows.slice(0, 7)) assert.ok(r.n >= 4, `${r.name} has its second level`);
      const matters = await db.query<{ name: string; deadline_unit: string; deadline_value: number }>(
        `SELECT c.name, c.deadline_unit, c.deadline_value FROM categories c JOIN categories g ON g.id = c.parent_id
          JOIN categories u ON u.id = g.parent_id WHERE u.code = 'U'`,
      );
      assert.equal(matters.rowCount, 250);
      const names = matters.rows.map((m) => m.name);
      for (const n of ['暴露垃圾', '占道经营', '施工扰民'])
        assert.ok(
          names.some((x) => x.includes(n)),
          `${n} present`,
        );
    });

    test('with --demo: district tree, departments linked as category defaults, one user per role; idempotent', async () => {
      const r = await seed(db, { demo: true });
      assert.equal(r.categories, 0, 'categories already there');
      assert.deepEqual(
        r.users,
        DEMO_USERS.map((u) => u.username),
      );
      const kinds = await db.query<{ kind: string; n: number }>('SELECT kind, count(*) AS n FROM org_units GROUP BY kind ORDER BY kind');
      const byKind = Object.fromEntries(kinds.rows.map((k) => [k.kind, k.n]));
      assert.equal(byKind.district, 1);
      assert.equal(byKind.street, 3);
      assert.equal(byKind.community, 8);
      assert.equal(byKind.grid, 16);
      assert.ok((byKind.department ?? 0) >= 10);
      const grid = await db.query<{ street: string }>(
        `SELECT s.name AS street FROM org_units g JOIN org_units c ON c.id = g.parent_id JOIN org_units s ON s.id = c.parent_id
          WHERE g.code = 'grid.nanmen.1'`,
      );
      assert.equal(grid.rows[0]?.street, '城关街道');
      const unlinked = await db.query(`SELECT name FROM categories WHERE level = 1 AND default_department_id IS NULL`);
      assert.equal(unlinked.rowCount, 0, 'every first-level category has a default department');
      const env = await db.query<{ name: string }>(
        `SELECT o.name FROM categories c JOIN org_units o ON o.id = c.default_department_id WHERE c.name = '环境保护'`,
      );
      assert.match(env.rows[0]?.name ?? '', /生态环境/);
      const roles = await db.query<{ role: string }>('SELECT DISTINCT role FROM users ORDER BY role');
      assert.deepEqual(
        roles.rows.map((x) => x.role),
        ['admin', 'agent', 'callback', 'dispatcher', 'handler', 'supervisor'],
      );
      const again = await seed(db, { demo: true });
      assert.deepEqual(again, { units: 0, categories: 0, users: [] });
    });

    test('demo users are marked demo and not asked to change the published password', async () => {
      const r = await db.query<{ demo: boolean; must: boolean }>('SELECT demo, must_change_password AS must FROM users');
      assert.equal(r.rowCount, 6);
      for (const u of r.rows) assert.deepEqual(u, { demo: true, must: false });
    });
  });

  describe(`first admin of a real install on ${engine}`, () => {
    let db: TestDb;
    before(async () => {
      db = await createTestDb(engine);
    });
    after(() => db.destroy());

    test('a generated strong password, stored only as a scrypt hash, to be changed at the first login', async () => {
      const admin = await createFirstAdmin(db);
      assert.equal(admin.generated, true);
      assert.ok(admin.password.length >= 20);
      const r = await db.query<{ hash: string; must: boolean; demo: boolean; role: string }>(
        'SELECT password_hash AS hash, must_change_password AS must, demo, role FROM users',
      );
      assert.equal(r.rowCount, 1);
      const row = r.rows[0];
      assert.ok(row);
      assert.deepEqual({ must: row.must, demo: row.demo, role: row.role }, { must: true, demo: false, role: 'admin' });
      assert.match(row.hash, /^scrypt\$/);
      assert.ok(!row.hash.includes(admin.password));
      assert.equal(await verifyPassword(admin.password, row.hash), true);
      const again = await createTestDb(engine);
      try {
        await assert.rejects(createFirstAdmin(again, 'aaaaaaaaaaaa'), /repeats one character/);
        assert.equal((await createFirstAdmin(again, 'Given-Chief-Pass-77')).generated, false);
      } finally {
        await again.destroy();
      }
    });
  });
}
