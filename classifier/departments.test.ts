import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { seed } from '../app/seed.js';
import { ENGINES } from '../db/testing.js';
import { DEFAULT_DISPATCH_SETTINGS, proposalRoute } from '../dispatch/index.js';
import { buildDepartmentCues, cueDepartment, departmentsNamed } from './departments.js';
import { buildLeafIndex, type CatalogueNode, scoreLeaves } from './leaf.js';
import { runTrainingCycle } from './lifecycle.js';
import { createClassifier } from './service.js';
import { syntheticRows, TINY_FEATURES, TINY_OPTIONS } from './testing.js';

test('the units a text asks for, the longest name at each place', () => {
  assert.deepEqual([...departmentsNamed('路口堵死了，请交通警察来疏导')], ['dept.traffic_police'], '交通警察 is not also 警察');
  assert.deepEqual([...departmentsNamed('打了电话警察也没来')], ['dept.police']);
  assert.deepEqual(new Set(departmentsNamed('恳请市场监管和教育部门检查食堂')), new Set(['dept.market', 'dept.education']));
  assert.equal(departmentsNamed('楼下烧烤摊油烟太大了').size, 0);
});

test("a leaf's cue sets the unit by the noise's source; none when the text names no source", () => {
  assert.equal(cueDepartment('U06028', '楼上邻居天天半夜拖椅子，吵得睡不着'), 'dept.police');
  assert.equal(cueDepartment('U06028', '小区门口每天晚上跳广场舞，音响太大'), 'dept.police');
  assert.equal(cueDepartment('U06028', '商场楼顶的冷却塔整夜轰隆隆响'), 'dept.ecology');
  assert.equal(cueDepartment('U06028', '服装店门口高音喇叭循环叫卖'), null);
  assert.equal(cueDepartment('U06029', '楼上邻居在阳台烧烤'), null, 'only leaves with cues');
  assert.equal(cueDepartment('U01062', '楼顶装了基站，担心辐射超标'), 'dept.ecology');
  // A site's own table works the same way.
  const cues = buildDepartmentCues({ mentions: { 'unit.a': ['甲局'] }, byLeaf: { X1: [{ department: 'unit.b', words: ['乙'] }] } });
  assert.deepEqual([...departmentsNamed('请甲局处理', cues)], ['unit.a']);
  assert.equal(cueDepartment('X1', '乙的问题', cues), 'unit.b');
});

test('a leaf routed to the unit the text asks for gains the mention weight', () => {
  const node = (code: string, name: string, parentCode: string | null, keywords: string[] = [], department: string | null = null) =>
    ({ id: null, code, name, parentCode, description: null, keywords, active: true, department }) satisfies CatalogueNode;
  // Two leaves the same keyword fits equally: the named unit decides.
  const nodes = [
    node('U', '城市管理事项', null, [], 'dept.urban'),
    node('U1', '甲事项', 'U', ['电动车'], 'dept.urban'),
    node('U2', '乙事项', 'U', ['电动车'], 'dept.transport'),
  ];
  const index = buildLeafIndex(nodes, [], []);
  const text = '电动车停得到处都是';
  const plain = scoreLeaves(index, text, new Map()).scores;
  assert.ok(Math.abs(plain[0]!.p - plain[1]!.p) < 1e-9, 'a tie without a mention');
  for (const [dept, code] of [
    ['dept.transport', 'U2'],
    ['dept.urban', 'U1'],
  ] as const) {
    const named = scoreLeaves(index, text, new Map(), undefined, new Set([dept])).scores;
    assert.equal(named[0]!.code, code);
    assert.ok(named[0]!.p > named[1]!.p + 0.1);
  }
});

// A tiny model trained here stands in for the shipped one; the leaf and the routing are the
// shipped catalogue's and the demo district's.
const modelsDir = mkdtempSync(join(tmpdir(), 'clf-departments-'));
before(async () => {
  const { createTestDb } = await import('../db/testing.js');
  const db = await createTestDb('pglite');
  try {
    await runTrainingCycle({
      db,
      base: syntheticRows(20, 5),
      versionsDir: modelsDir,
      outDir: join(modelsDir, 'classifier'),
      version: 'departments-test',
      withCorrections: false,
      promote: 'never',
      register: false,
      trainOverrides: { features: TINY_FEATURES, options: TINY_OPTIONS },
    });
  } finally {
    await db.destroy();
  }
});
after(() => rmSync(modelsDir, { recursive: true, force: true }));

for (const engine of ENGINES) {
  test(`${engine}: classify sends a neighbour's noise to the police, a shop's to 城管, unless the site re-routed the leaf`, async () => {
    const { createTestDb } = await import('../db/testing.js');
    const db = await createTestDb(engine);
    const clf = createClassifier({ db, modelsDir, route: proposalRoute(DEFAULT_DISPATCH_SETTINGS), activeTtlMs: 0 });
    try {
      await seed(db, { demo: true });
      const neighbour = await clf.classify('楼上邻居每天半夜蹦来蹦去，噪音太大，吵得睡不着');
      assert.equal(neighbour.category, 'U06028');
      assert.equal(neighbour.department, 'dept.police');
      assert.equal(neighbour.departmentSource, 'category');
      const shop = await clf.classify('服装店门口的高音喇叭整天叫卖，噪音扰民');
      assert.equal(shop.category, 'U06028');
      assert.equal(shop.department, 'dept.urban');
      // A site that routes the leaf elsewhere decided for every such case: the cue is quiet.
      await db.query(
        `UPDATE categories SET default_department_id = (SELECT id FROM org_units WHERE code = 'dept.ecology'), updated_at = now() WHERE code = 'U06028'`,
      );
      clf.refresh();
      const rerouted = await clf.classify('楼上邻居每天半夜蹦来蹦去，噪音太大，吵得睡不着');
      assert.equal(rerouted.category, 'U06028');
      assert.equal(rerouted.department, 'dept.ecology');
    } finally {
      await clf.close();
      await db.destroy();
    }
  });
}
