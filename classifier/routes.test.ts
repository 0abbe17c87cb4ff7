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
      assert.equal(r.category, 'M04');
      assert.equal(r.department, 'dept.education');
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

      for (const [text, why] of [
        ['', /empty/],
        ['   ', /empty/],
        ['投诉'.repeat(5001), /at most 10000/],
        ['The street light is broken', /no Chinese/],
      ] as const) {
        const bad = await s.request('agent', { method: 'POST', url: '/api/classify', payload: { text } });
        assert.equal(bad.statusCode, 400, text.slice(0, 20));
        assert.match(bad.json().message, why);
      }
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
      assert.match(rb.json().message, /no earlier version/);
      const pr = await s.request('admin', { method: 'POST', url: '/api/classifier/models/nope/promote', payload: {} });
      assert.equal(pr.statusCode, 404);

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
      const openapi = await s.request(null, { method: 'GET', url: '/docs/json' });
      assert.ok(openapi.json().paths['/api/classify'].post, 'documented in OpenAPI');
      const del = await s.request('supervisor', { method: 'DELETE', url: `/api/classifier/emergency-rules/${added.json().id}` });
      assert.equal(del.statusCode, 204);
    } finally {
      await s.close();
    }
  });
}
