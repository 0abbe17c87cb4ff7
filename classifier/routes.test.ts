import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { MODULES } from '../app/modules.js';
import { ENGINES } from '../db/testing.js';
import { startTestServer } from '../test/helpers/server.js';
import { runTrainingCycle } from './lifecycle.js';
import { syntheticRows, TINY_FEATURES, TINY_OPTIONS } from './testing.js';

// A tiny model trained here stands in for the shipped one (MODELS_DIR points at it), so
// the test does not depend on the shared data set. Only the modules these routes need.
const modelsDir = mkdtempSync(join(tmpdir(), 'clf-routes-'));
const modules = MODULES.filter((m) => ['auth', 'org', 'classifier'].includes(m.name));
before(async () => {
  const { createTestDb } = await import('../db/testing.js');
  const db = await createTestDb('pglite');
  try {
    await runTrainingCycle({
      db,
      base: syntheticRows(20, 5),
      versionsDir: modelsDir,
      outDir: join(modelsDir, 'classifier'),
      version: 'shipped-test',
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
  test(`${engine}: POST /api/classify for the desk; bad input gets clear 400s; roles are checked`, async () => {
    const s = await startTestServer(engine, { env: { MODELS_DIR: modelsDir }, modules });
    try {
      const ok = await s.request('agent', {
        method: 'POST',
        url: '/api/classify',
        payload: { text: '孩子学校乱收补课费，教师还要求买资料', id: 'c1' },
      });
      assert.equal(ok.statusCode, 200, ok.body);
      const r = ok.json();
      assert.equal(r.id, 'c1');
      assert.equal(r.category, 'M0403');
      assert.equal(r.categoryName, '教育收费');
      assert.deepEqual(
        r.path.map((p: { name: string }) => p.name),
        ['教育文体', '教育收费'],
      );
      assert.equal(r.department, 'dept.education');
      assert.equal(r.departmentSource, 'category');
      assert.equal(r.topLevel.category, 'M04');
      assert.equal(r.model, 'shipped-test');
      assert.equal(r.emergency.is, false);
      assert.equal(r.emergency.line, null);
      assert.equal(r.emergency.reason, null);
      assert.ok(r.emergency.score >= 0 && r.emergency.score < 0.5, 'the model head scores every text');
      assert.equal(r.top.length, 3);

      const fire = await s.request('dispatcher', { method: 'POST', url: '/api/classify', payload: { text: '小区垃圾站着火了' } });
      assert.equal(fire.json().emergency.line, '119');
      // No rule names this; the model head (trained on the shipped seed) does.
      const smoke = await s.request('agent', { method: 'POST', url: '/api/classify', payload: { text: '楼里都是烟，楼梯下不去了' } });
      assert.equal(smoke.json().emergency.is, true, smoke.body);
      assert.match(smoke.json().emergency.reason, /模型/);

      for (const [text, code] of [
        ['', 'CLASSIFIER_TEXT_EMPTY'],
        ['   ', 'CLASSIFIER_TEXT_EMPTY'],
        ['投诉'.repeat(5001), 'CLASSIFIER_TEXT_TOO_LONG'],
        ['The street light is broken', 'CLASSIFIER_TEXT_NOT_CHINESE'],
      ] as const) {
        const bad = await s.request('agent', { method: 'POST', url: '/api/classify', payload: { text } });
        assert.equal(bad.statusCode, 400, text.slice(0, 20));
        assert.equal(bad.json().code, code);
      }
      const long = await s.request('agent', { method: 'POST', url: '/api/classify', payload: { text: '投诉'.repeat(5001) } });
      assert.deepEqual(long.json().params, { length: 10002, max: 10000 });
      const noText = await s.request('agent', { method: 'POST', url: '/api/classify', payload: { id: 'x' } });
      assert.equal(noText.statusCode, 400);
      assert.equal((await s.request('handler', { method: 'POST', url: '/api/classify', payload: { text: '路灯坏了' } })).statusCode, 403);
      assert.equal((await s.request(null, { method: 'POST', url: '/api/classify', payload: { text: '路灯坏了' } })).statusCode, 401);

      const models = await s.request('supervisor', { method: 'GET', url: '/api/classifier/models' });
      assert.equal(models.statusCode, 200);
      assert.deepEqual(
        models.json().map((v: { version: string; active: boolean }) => [v.version, v.active]),
        [['shipped-test', true]],
      );
      assert.equal((await s.request('supervisor', { method: 'POST', url: '/api/classifier/rollback' })).statusCode, 403);
      const rb = await s.request('admin', { method: 'POST', url: '/api/classifier/rollback' });
      assert.equal(rb.statusCode, 409);
      assert.equal(rb.json().code, 'CLASSIFIER_NO_EARLIER_VERSION');
      const pr = await s.request('admin', { method: 'POST', url: '/api/classifier/models/nope/promote', payload: {} });
      assert.equal(pr.statusCode, 404);
      assert.equal(pr.json().code, 'CLASSIFIER_VERSION_NOT_FOUND');

      const rules = await s.request('supervisor', { method: 'GET', url: '/api/classifier/emergency-rules' });
      assert.ok(rules.json().length > 20);
      const added = await s.request('supervisor', {
        method: 'POST',
        url: '/api/classifier/emergency-rules',
        payload: { pattern: '有人被困井下', line: '119', reason: '井下被困' },
      });
      assert.equal(added.statusCode, 201, added.body);
      const flagged = await s.request('agent', { method: 'POST', url: '/api/classify', payload: { text: '工地有人被困井下' } });
      const em = flagged.json().emergency;
      assert.equal(em.is, true);
      assert.equal(em.line, '119');
      assert.match(em.reason, /^井下被困/, "the site's rule leads the reason");
      const badRule = await s.request('supervisor', {
        method: 'POST',
        url: '/api/classifier/emergency-rules',
        payload: { pattern: '(', kind: 'regex', line: '110', reason: 'x' },
      });
      assert.equal(badRule.statusCode, 400);
      assert.equal(badRule.json().code, 'EMERGENCY_PATTERN_INVALID');
      const openapi = await s.request(null, { method: 'GET', url: '/docs/json' });
      assert.ok(openapi.json().paths['/api/classify'].post, 'documented in OpenAPI');
      const del = await s.request('supervisor', { method: 'DELETE', url: `/api/classifier/emergency-rules/${added.json().id}` });
      assert.equal(del.statusCode, 204);
    } finally {
      await s.close();
    }
  });
}

for (const engine of ENGINES) {
  test(`${engine}: a dispatcher's correction through the work-order API changes the next proposal for a similar text; a place override picks the department`, async () => {
    const withDispatch = MODULES.filter((m) => ['auth', 'org', 'classifier', 'dispatch'].includes(m.name));
    const s = await startTestServer(engine, {
      env: { MODELS_DIR: modelsDir, DISPATCH_DEADLINE_CHECK_SECONDS: '0' },
      modules: withDispatch,
    });
    try {
      const ids = async (sql: string) => new Map((await s.db.query<{ id: number; code: string }>(sql)).rows.map((r) => [r.code, r.id]));
      const cat = await ids('SELECT id, code FROM categories');
      const unit = await ids('SELECT id, code FROM org_units');
      const classify = async (text: string, address?: string) => {
        const r = await s.request('agent', { method: 'POST', url: '/api/classify', payload: { text, address } });
        assert.equal(r.statusCode, 200, r.body);
        return r.json();
      };
      // Flying leads from a window to charge a scooter: no keyword of the catalogue names it.
      const text = '楼上邻居从窗户拉电线下来给电瓶车充电，线就挂在楼道口';
      const first = await classify(text);
      assert.notEqual(first.category, 'U10002');
      const created = await s.request('agent', {
        method: 'POST',
        url: '/api/work-orders',
        payload: {
          callerPhone: '13812348000',
          description: text,
          proposal: { categoryId: first.categoryId, departmentId: first.departmentId, modelVersion: first.model },
        },
      });
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json().workOrder.id;
      assert.equal(
        (await s.request('agent', { method: 'POST', url: `/api/work-orders/${id}/transitions`, payload: { action: 'submit' } })).statusCode,
        200,
      );
      // The dispatcher files it as 架空线缆脱落 and sends it to 应急管理局, not the category's unit.
      const dispatched = await s.request('dispatcher', {
        method: 'POST',
        url: `/api/work-orders/${id}/transitions`,
        payload: { action: 'dispatch', categoryId: cat.get('U10002'), departmentId: unit.get('dept.emergency') },
      });
      assert.equal(dispatched.statusCode, 200, dispatched.body);

      const next = await classify('楼上有人从窗户拉电线给电瓶车充电，电线挂在楼道口');
      assert.equal(next.category, 'U10002', `proposed ${next.category} ${next.categoryName}`);
      assert.ok(next.evidence.corrections >= 1);
      assert.equal(next.department, 'dept.emergency');
      assert.equal(next.departmentSource, 'correction');
      // An unrelated text keeps its own proposal.
      assert.notEqual((await classify('单位拖欠工资三个月了')).category, 'U10002');

      // A category the site adds today is proposed for the next request that names it; an edit
      // of its keywords counts at once, and a deactivated one is no longer proposed.
      const added = await s.request('admin', {
        method: 'POST',
        url: '/api/categories',
        payload: { code: 'S001', name: '电动自行车违规充电', parentId: cat.get('U06'), keywords: ['飞线充电'] },
      });
      assert.equal(added.statusCode, 201, added.body);
      const addedId = added.json().id;
      assert.equal((await classify('有人在楼里给电动自行车违规充电，很危险')).category, 'S001');
      const dup = await s.request('admin', {
        method: 'POST',
        url: '/api/categories',
        payload: { code: 'S001', name: 'x', parentId: null },
      });
      assert.equal(dup.statusCode, 409, dup.body);
      const edited = await s.request('admin', { method: 'PATCH', url: `/api/categories/${addedId}`, payload: { keywords: ['电瓶上楼'] } });
      assert.equal(edited.statusCode, 200, edited.body);
      assert.deepEqual(edited.json().keywords, ['电瓶上楼']);
      assert.equal((await classify('邻居天天电瓶上楼，物业也不管')).category, 'S001');
      await s.request('admin', { method: 'PATCH', url: `/api/categories/${addedId}`, payload: { active: false } });
      assert.notEqual((await classify('邻居天天电瓶上楼，物业也不管')).category, 'S001');
      assert.equal(
        (await s.request('dispatcher', { method: 'POST', url: '/api/categories', payload: { code: 'S2', name: 'y', parentId: null } }))
          .statusCode,
        403,
      );

      // A place override for 露天烧烤 in 湖滨社区 is proposed when the address resolves there.
      const override = await s.request('admin', {
        method: 'POST',
        url: '/api/routing/overrides',
        payload: { categoryId: cat.get('U06029'), placeUnitId: unit.get('community.hubin'), departmentId: unit.get('street.donghu') },
      });
      assert.equal(override.statusCode, 201, override.body);
      const bbq = '烧烤摊天天在楼下撸串，油烟呛人';
      const plain = await classify(bbq);
      assert.equal(plain.category, 'U06029');
      assert.equal(plain.departmentSource, 'category');
      const there = await classify(bbq, '东湖街道湖滨社区12栋');
      assert.equal(there.place?.name, '湖滨社区');
      assert.equal(there.department, 'street.donghu');
      assert.equal(there.departmentSource, 'override');
    } finally {
      await s.close();
    }
  });
}
