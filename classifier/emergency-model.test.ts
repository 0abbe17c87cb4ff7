import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { seed } from '../app/seed.js';
import { createLocalBus } from '../core/events.js';
import { createTestDb, ENGINES } from '../db/testing.js';
import { applyTransition, createWorkOrder } from '../dispatch/index.js';
import { checkEmergency, defaultEmergencyRules, setEmergencyRules } from './emergency.js';
import { combineEmergency, EMERGENCY_LABELS, loadEmergencyFeedback, loadEmergencySeed, splitSeed } from './emergency-model.js';
import { trainEmergencyHead } from './emergency-train.js';
import { featurise } from './features.js';
import { score, trainLinear } from './linear.js';
import { loadModel, saveModel } from './model-files.js';
import { syntheticRows, TINY_FEATURES, TINY_OPTIONS, testMeta } from './testing.js';
import { categoryCode } from './train.js';

const dir = mkdtempSync(join(tmpdir(), 'clf-emergency-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const calm = [0.97, 0.01, 0.01, 0.01];
const fire = [0.05, 0.02, 0.9, 0.03];

test('a rule hit stands even when the model is sure there is no emergency', () => {
  setEmergencyRules(defaultEmergencyRules());
  const rules = checkEmergency('楼下有人持刀威胁路人');
  const v = combineEmergency(rules, { probs: [0.999, 0.0005, 0.0003, 0.0002], threshold: 0.5 });
  assert.equal(v.is, true);
  assert.equal(v.line, '110');
  assert.deepEqual(v.matched, ['持刀']);
  assert.match(v.reason ?? '', /持刀/);
  assert.ok(v.score !== null && v.score < 0.01);
});

test('the model alone raises an alert above its threshold, with its score as the reason and no matched words', () => {
  const none = checkEmergency('隔壁一直有奇怪的声音，好像出事了');
  assert.equal(none.is, false, 'no rule names this');
  const v = combineEmergency(none, { probs: fire, threshold: 0.5 });
  assert.equal(v.is, true);
  assert.equal(v.line, '119');
  assert.deepEqual(v.matched, [], 'automatic transfer is for named rules only');
  assert.match(v.reason ?? '', /模型.*119.*0\.95/);
  assert.equal(combineEmergency(none, { probs: calm, threshold: 0.5 }).is, false);
  assert.equal(combineEmergency(none, { probs: fire, threshold: 0.99 }).is, false, 'a stricter site threshold');
  // Without a model head: the rules alone, score null.
  assert.deepEqual(combineEmergency(none, null), { ...none, score: null });
});

test('the seed set has all four classes and a fixed holdout', () => {
  const rows = loadEmergencySeed();
  for (const line of ['110', '119', '120', null]) assert.ok(rows.filter((r) => r.line === line).length >= 40, String(line));
  const a = splitSeed(rows);
  const b = splitSeed([...rows].reverse());
  assert.deepEqual(new Set(a.holdout.map((r) => r.id)), new Set(b.holdout.map((r) => r.id)), 'the holdout does not depend on order');
  assert.ok(a.holdout.length > rows.length * 0.15 && a.holdout.length < rows.length * 0.35);
});

test('the ONNX emergency head gives the reference scores and learns the seed', async () => {
  const base = syntheticRows(20, 5);
  const labels = [...new Set(base.map((r) => categoryCode(r.category)))].sort();
  const examples = base.map((r) => ({ features: featurise(r.text, TINY_FEATURES), label: labels.indexOf(categoryCode(r.category)) }));
  const model = trainLinear(examples, labels, TINY_FEATURES.buckets, TINY_OPTIONS);
  const { train, holdout } = splitSeed(loadEmergencySeed());
  const head = trainEmergencyHead({
    ordinary: examples.map((e) => e.features),
    seed: train,
    feedback: [],
    features: TINY_FEATURES,
    idf: model.idf,
    buckets: TINY_FEATURES.buckets,
  });
  saveModel(dir, model, testMeta('em-test', labels, base.length), head);
  const onnx = await loadModel(dir);
  try {
    const reference = {
      buckets: TINY_FEATURES.buckets,
      labels: [...EMERGENCY_LABELS],
      idf: model.idf,
      weights: head.weights,
      bias: head.bias,
    };
    let maxDiff = 0;
    for (const t of [...holdout.map((r) => r.text), '小区路灯坏了', '着火着火着火']) {
      const f = featurise(t, TINY_FEATURES);
      const got = await onnx.run(f);
      assert.ok(got.emergency, 'the graph has the emergency output');
      const ref = score(reference, f).probs;
      for (let i = 0; i < ref.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got.emergency![i]! - ref[i]!));
    }
    assert.ok(maxDiff < 1e-5, `ONNX and reference differ by ${maxDiff}`);
    // Learned: most seed emergencies come out flagged with their line, ordinary texts do not.
    let right = 0;
    const positives = train.filter((r) => r.line);
    for (const r of positives) {
      const { emergency } = await onnx.predictAll(r.text);
      const v = combineEmergency({ is: false, line: null, reason: null, matched: [] }, { probs: emergency!, threshold: 0.5 });
      if (v.line === r.line) right++;
    }
    assert.ok(right / positives.length > 0.8, `seed emergencies learned ${right}/${positives.length}`);
    let alarms = 0;
    for (const r of base) if (1 - (await onnx.predictAll(r.text)).emergency![0]! >= 0.5) alarms++;
    assert.ok(alarms / base.length < 0.05, `ordinary texts flagged ${alarms}/${base.length}`);
  } finally {
    await onnx.close();
  }
});

for (const engine of ENGINES) {
  test(`${engine}: transfers and referrals are emergencies, ordinary dispatches are not`, async () => {
    const db = await createTestDb(engine);
    const bus = createLocalBus();
    try {
      await seed(db, { demo: true });
      const agent = (await db.query<{ id: number }>(`SELECT id FROM users WHERE username = 'agent'`)).rows[0]!.id;
      const actor = { id: agent, role: 'agent' as const, orgUnitId: null };
      const fire = await createWorkOrder(db, bus, { description: '仓库里冒出很大的烟，有人被困', submit: true }, actor);
      await applyTransition(db, bus, { workOrderId: fire.workOrder.id, action: 'refer_110', actor, reason: '转119' });
      // The call's transfer named 119: that line wins over refer_110's paperwork 110.
      const call = await db.query<{ id: number }>(
        `INSERT INTO calls (channel, direction, caller_number, state) VALUES ('sip', 'inbound', '13800138000', 'ended') RETURNING id`,
      );
      await db.query(
        `INSERT INTO referrals (call_id, work_order_id, line, target, mode, transcript_excerpt, agent_id)
         VALUES ($1, $2, '119', 'sip:119@127.0.0.1', 'bridge', '快来人仓库烧起来了', $3)`,
        [call.rows[0]!.id, fire.workOrder.id, agent],
      );
      const ordinary = await createWorkOrder(db, bus, { description: '小区门口路灯坏了一个月', submit: true }, actor);
      const cat = (await db.query<{ id: number }>(`SELECT id FROM categories WHERE code = 'M01'`)).rows[0]!.id;
      await db.query('INSERT INTO classifier_feedback (work_order_id, text, final_category_id) VALUES ($1, $2, $3)', [
        ordinary.workOrder.id,
        '小区门口路灯坏了一个月',
        cat,
      ]);
      await createWorkOrder(db, bus, { description: '还没有人处理的新工单' }, actor);

      const rows = await loadEmergencyFeedback(db);
      const byText = new Map(rows.map((r) => [r.text, r.line]));
      assert.equal(byText.get('快来人仓库烧起来了'), '119');
      assert.equal(byText.get('仓库里冒出很大的烟，有人被困'), '119');
      assert.equal(byText.get('小区门口路灯坏了一个月'), null);
      assert.equal(byText.has('还没有人处理的新工单'), false, 'an undecided case teaches nothing');
      assert.equal(rows.length, 3, JSON.stringify(rows));
    } finally {
      await db.destroy();
    }
  });
}
