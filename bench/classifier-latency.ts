/**
 * Classifier speed and holdout accuracy of the shipped model (MODELS_DIR/classifier):
 * per-text latency (featurise + onnxruntime, one thread) p50/p99 and throughput, the
 * full classify() path with the database lookup, and checkEmergency per call.
 * Run: node --import tsx bench/classifier-latency.ts
 */
import { join, resolve } from 'node:path';
import { loadBaseData } from '../classifier/data.js';
import { checkEmergency } from '../classifier/emergency.js';
import { featurise } from '../classifier/features.js';
import { loadModel } from '../classifier/model-files.js';
import { createClassifier } from '../classifier/service.js';
import { evaluateModel, prepareBase } from '../classifier/train.js';
import { openDb } from '../db/index.js';
import { migrate } from '../db/migrate.js';
import { seedCategories } from '../org/index.js';

const shared = resolve(process.env.SHARED_DIR ?? '../shared');
const modelDir = join(resolve(process.env.MODELS_DIR ?? 'models'), 'classifier');
const { holdout } = prepareBase(loadBaseData(shared));
const natural = holdout.filter((r) => !r.presegmented);
const texts = natural.map((r) => r.text);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const ms = (ns: bigint) => Number(ns) / 1e6;

const t0 = process.hrtime.bigint();
const model = await loadModel(modelDir);
console.log(
  `model ${model.meta.version} loaded in ${ms(process.hrtime.bigint() - t0).toFixed(0)} ms (${model.meta.features.buckets} buckets)`,
);
console.log('holdout metrics (through onnxruntime):', JSON.stringify(await evaluateModel(model, holdout)));

for (const t of texts.slice(0, 50)) await model.predict(t); // warm-up
const feat: number[] = [];
const total: number[] = [];
const rounds = 3;
const start = process.hrtime.bigint();
for (let r = 0; r < rounds; r++) {
  for (const t of texts) {
    const a = process.hrtime.bigint();
    const f = featurise(t, model.meta.features);
    const b = process.hrtime.bigint();
    await model.run(f);
    const c = process.hrtime.bigint();
    feat.push(ms(b - a));
    total.push(ms(c - a));
  }
}
const elapsed = ms(process.hrtime.bigint() - start) / 1000;
const avgChars = texts.reduce((s, t) => s + t.length, 0) / texts.length;
console.log(`texts: ${texts.length} natural holdout messages × ${rounds}, mean ${avgChars.toFixed(0)} characters`);
console.log(`featurise (jieba + hashing): p50 ${pct(feat, 50).toFixed(3)} ms, p99 ${pct(feat, 99).toFixed(3)} ms`);
console.log(`featurise + onnxruntime:     p50 ${pct(total, 50).toFixed(3)} ms, p99 ${pct(total, 99).toFixed(3)} ms`);
console.log(`throughput: ${((texts.length * rounds) / elapsed).toFixed(0)} texts/s on one thread`);
await model.close();

const db = await openDb({});
await migrate(db);
await seedCategories(db);
const clf = createClassifier({ db, modelsDir: resolve(process.env.MODELS_DIR ?? 'models') });
for (const t of texts.slice(0, 20)) await clf.classify(t);
const full: number[] = [];
for (const t of texts) {
  const a = process.hrtime.bigint();
  await clf.classify(t);
  full.push(ms(process.hrtime.bigint() - a));
}
console.log(
  `classify() with emergency check and department lookup (PGlite in memory): p50 ${pct(full, 50).toFixed(3)} ms, p99 ${pct(full, 99).toFixed(3)} ms`,
);
await clf.close();
await db.close();

const em: number[] = [];
for (let r = 0; r < 5; r++) {
  for (const t of texts) {
    const a = process.hrtime.bigint();
    checkEmergency(t);
    em.push(ms(process.hrtime.bigint() - a));
  }
}
console.log(`checkEmergency: p50 ${(pct(em, 50) * 1000).toFixed(1)} µs, p99 ${(pct(em, 99) * 1000).toFixed(1)} µs per text`);
