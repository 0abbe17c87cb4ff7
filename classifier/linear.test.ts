import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { featurise } from './features.js';
import { type Example, score, trainLinear } from './linear.js';
import { loadModel, saveModel } from './model-files.js';
import { syntheticRows, TINY_FEATURES, TINY_OPTIONS, testMeta } from './testing.js';
import { categoryCode } from './train.js';

const dir = mkdtempSync(join(tmpdir(), 'clf-linear-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const rows = syntheticRows(12, 5);
const labels = [...new Set(rows.map((r) => categoryCode(r.category)))].sort();
const examples: Example[] = rows.map((r) => ({
  features: featurise(r.text, TINY_FEATURES),
  label: labels.indexOf(categoryCode(r.category)),
}));
const NB = { ...TINY_OPTIONS, loss: 'nbsvm' as const };

test('NBSVM is one linear layer: the ONNX graph gives the reference scores and the model learns', async () => {
  const model = trainLinear(examples, labels, TINY_FEATURES.buckets, NB);
  saveModel(dir, model, testMeta('nb-1', labels, rows.length));
  const onnx = await loadModel(dir);
  try {
    let maxDiff = 0;
    for (const t of [...rows.slice(0, 10).map((r) => r.text), '医院看病排队太久，医生态度不好', '水']) {
      const f = featurise(t, TINY_FEATURES);
      const ref = score(model, f);
      const got = await onnx.run(f);
      for (let i = 0; i < labels.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got.logits[i]! - ref.logits[i]!));
    }
    assert.ok(maxDiff < 1e-5, `ONNX and reference differ by ${maxDiff}`);
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

test('seeds: the weights are the mean of the runs with seed, seed + 1, ...', () => {
  for (const opts of [TINY_OPTIONS, NB]) {
    const a = trainLinear(examples, labels, TINY_FEATURES.buckets, opts);
    const b = trainLinear(examples, labels, TINY_FEATURES.buckets, { ...opts, seed: opts.seed + 1 });
    const avg = trainLinear(examples, labels, TINY_FEATURES.buckets, { ...opts, seeds: 2 });
    let maxDiff = 0;
    for (let i = 0; i < avg.weights.length; i++)
      maxDiff = Math.max(maxDiff, Math.abs(avg.weights[i]! - (a.weights[i]! + b.weights[i]!) / 2));
    for (let c = 0; c < labels.length; c++) maxDiff = Math.max(maxDiff, Math.abs(avg.bias[c]! - (a.bias[c]! + b.bias[c]!) / 2));
    assert.ok(maxDiff < 1e-6, `${opts.loss}: averaged weights differ by ${maxDiff}`);
    assert.notDeepEqual(a.weights, b.weights, 'different seeds shuffle differently');
  }
});
