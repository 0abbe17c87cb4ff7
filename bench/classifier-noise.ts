/**
 * Robustness to recognition-like errors, independent of any ASR engine: each Chinese
 * character of the natural holdout messages is replaced, with probability r, by a
 * character drawn from the corpus' own character distribution, and punctuation is
 * removed (ASR output has none). Prints holdout accuracy per r.
 * Run: node --import tsx bench/classifier-noise.ts
 */
import { join, resolve } from 'node:path';
import { loadBaseData } from '../classifier/data.js';
import { mulberry32 } from '../classifier/linear.js';
import { loadModel } from '../classifier/model-files.js';
import { prepareBase } from '../classifier/train.js';

const shared = resolve(process.env.SHARED_DIR ?? '../shared');
const model = await loadModel(join(resolve(process.env.MODELS_DIR ?? 'models'), 'classifier'));
const { holdout } = prepareBase(loadBaseData(shared));
const natural = holdout.filter((r) => !r.presegmented);
const pool = [...natural.map((r) => r.text).join('')].filter((c) => /[\u4e00-\u9fff]/.test(c));
// Whole messages (subject + body, mean ~450 characters) and the subject line alone
// (~20 characters, closer to one caller utterance).
for (const [part, cut] of [
  ['whole message', (t: string) => t],
  ['subject line', (t: string) => t.split('\n')[0]!],
] as const)
  for (const rate of [0, 0.1, 0.2, 0.3, 0.5]) {
    const rand = mulberry32(42);
    let right = 0;
    for (const r of natural) {
      const noisy = [...cut(r.text)]
        .filter((c) => !/[\p{P}\s]/u.test(c))
        .map((c) => (/[\u4e00-\u9fff]/.test(c) && rand() < rate ? pool[Math.floor(rand() * pool.length)]! : c))
        .join('');
      const p = await model.predict(noisy);
      if (model.meta.labels[p.indexOf(Math.max(...p))] === r.category) right++;
    }
    console.log(`${part}, character error rate ${rate.toFixed(1)}: accuracy ${(right / natural.length).toFixed(4)} (n=${natural.length})`);
  }
await model.close();
