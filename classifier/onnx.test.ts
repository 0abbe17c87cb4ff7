import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { featurise, fnv1a, hasChinese, words } from './features.js';
import { score, trainLinear } from './linear.js';
import { loadModel, saveModel } from './model-files.js';
import { syntheticRows, TINY_FEATURES, TINY_OPTIONS, testMeta } from './testing.js';
import { categoryCode } from './train.js';

const dir = mkdtempSync(join(tmpdir(), 'clf-onnx-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('hashing is the published 32-bit FNV-1a, so features do not change between versions', () => {
  assert.equal(fnv1a(''), 0x811c9dc5);
  assert.equal(fnv1a('a'), 0xe40c292c);
  assert.equal(fnv1a('foobar'), 0xbf9cf968);
});

test('natural text is segmented; presegmented text keeps its tokens; digits and codes are dropped', () => {
  assert.deepEqual(words('市 西湖 建筑 A3 区', true), ['市', '西湖', '建筑', '区']);
  assert.ok(words('小区物业乱收停车费').includes('停车费'));
  assert.equal(hasChinese('hello 123'), false);
  const f = featurise('小区物业乱收停车费', TINY_FEATURES);
  assert.ok(f.ids.length > 5);
  assert.ok(
    f.ids.every((id, i) => i === 0 || id > f.ids[i - 1]!),
    'ids sorted and distinct',
  );
  assert.ok([...f.ids].every((id) => id >= 0 && id < TINY_FEATURES.buckets));
});

test('the exported ONNX model gives the same scores as the TypeScript reference', async () => {
  const rows = syntheticRows(12, 3);
  const labels = [...new Set(rows.map((r) => categoryCode(r.category)))].sort();
  const examples = rows.map((r) => ({ features: featurise(r.text, TINY_FEATURES), label: labels.indexOf(categoryCode(r.category)) }));
  const model = trainLinear(examples, labels, TINY_FEATURES.buckets, TINY_OPTIONS);
  saveModel(dir, model, testMeta('test-1', labels, rows.length));
  const onnx = await loadModel(dir);
  try {
    // Training texts, unseen texts, one with a repeated word (counts > 1) and one with a single character.
    const texts = [...rows.slice(0, 20).map((r) => r.text), '医院看病排队太久，医生态度不好', '拖欠工资拖欠工资拖欠工资', '水'];
    let maxDiff = 0;
    for (const t of texts) {
      const f = featurise(t, TINY_FEATURES);
      const ref = score(model, f);
      const got = await onnx.run(f);
      assert.equal(got.probs.length, labels.length);
      for (let i = 0; i < labels.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(got.probs[i]! - ref.probs[i]!), Math.abs(got.logits[i]! - ref.logits[i]!));
      }
    }
    assert.ok(maxDiff < 1e-5, `ONNX and reference differ by ${maxDiff}`);
    // The model learned something: its training texts mostly come out right.
    let right = 0;
    for (const r of rows) {
      const p = await onnx.predict(r.text);
      if (labels[p.indexOf(Math.max(...p))] === categoryCode(r.category)) right++;
    }
    assert.ok(right / rows.length > 0.9, `training accuracy ${right}/${rows.length}`);
  } finally {
    await onnx.close();
  }
});
