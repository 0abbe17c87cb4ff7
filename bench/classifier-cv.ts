/**
 * Classifier settings judged by group-aware cross-validation over the training part as well
 * as on the fixed holdout, so that a choice does not rest on 224 natural messages alone.
 * Run: node --import tsx bench/classifier-cv.ts [CONFIGS.json] [--folds 5] [--salt cv1] [--save DIR]
 * CONFIGS.json: [{ "name", "features"?, "options"? }], each field
 * defaulting to `hotline classifier train`'s; without a file only the default is measured.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { LabelledText } from '../classifier/data.js';
import { loadBaseData } from '../classifier/data.js';
import { type FeatureConfig, featurise, fnv1a, type SparseFeatures } from '../classifier/features.js';
import { mulberry32, score, type TrainOptions } from '../classifier/linear.js';
import { evaluate } from '../classifier/metrics.js';
import { DEFAULT_FEATURES, DEFAULT_OPTIONS, prepareBase, trainCategoryModel } from '../classifier/train.js';

interface Config {
  name: string;
  features?: Partial<FeatureConfig>;
  options?: Partial<TrainOptions>;
}
interface Recipe {
  features: FeatureConfig;
  options: TrainOptions;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { folds: { type: 'string', default: '5' }, salt: { type: 'string', default: 'cv1' }, save: { type: 'string' } },
});
const configs: Config[] = positionals[0] ? JSON.parse(readFileSync(positionals[0], 'utf8')) : [{ name: 'default' }];
const K = Number(values.folds);
const shared = resolve(process.env.SHARED_DIR ?? '../shared');
const { train, holdout } = prepareBase(loadBaseData(shared));
const labels = [...new Set(train.map((r) => r.category))].sort();

/** Group-aware, per-class folds over the training part (the same rule as the fixed holdout). */
function foldOf(rows: LabelledText[], k: number, salt: string): number[] {
  const byCat = new Map<string, string[]>();
  const seen = new Set<string>();
  for (const r of rows) {
    if (seen.has(r.group)) continue;
    seen.add(r.group);
    byCat.set(r.category, [...(byCat.get(r.category) ?? []), r.group]);
  }
  const fold = new Map<string, number>();
  for (const groups of byCat.values()) {
    const sorted = groups.sort((a, b) => fnv1a(`${salt}:${a}`) - fnv1a(`${salt}:${b}`));
    for (const [i, g] of sorted.entries()) fold.set(g, i % k);
  }
  return rows.map((r) => fold.get(r.group)!);
}
const folds = foldOf(train, K, values.salt as string);

// Besides the texts themselves, the natural rows are also scored (never trained on) as a
// recogniser might deliver them: punctuation removed and each Chinese character replaced
// with probability r by one drawn from the corpus (as in bench/classifier-noise.ts), and
// as the subject line alone (~20 characters, one short utterance).
const NOISE = [0.1, 0.2];
const pool = [
  ...train
    .filter((r) => !r.presegmented)
    .map((r) => r.text)
    .join(''),
].filter((c) => /[\u4e00-\u9fff]/.test(c));
function noisy(text: string, rate: number, rand: () => number): string {
  return [...text]
    .filter((c) => !/[\p{P}\s]/u.test(c))
    .map((c) => (/[\u4e00-\u9fff]/.test(c) && rand() < rate ? pool[Math.floor(rand() * pool.length)]! : c))
    .join('');
}
const views = ['clean', ...NOISE.map((r) => `noise ${r}`), 'subject'] as const;
function variants(rows: LabelledText[]): string[][] {
  return rows.map((r, i) => {
    if (r.presegmented) return [r.text];
    return [r.text, ...NOISE.map((rate) => noisy(r.text, rate, mulberry32(1000 + i))), r.text.split('\n')[0]!];
  });
}
const trText = variants(train);
const hoText = variants(holdout);

type Views = SparseFeatures[][];
const featureCache = new Map<string, { tr: Views; ho: Views }>();
function feats(cfg: FeatureConfig) {
  const key = JSON.stringify(cfg);
  let f = featureCache.get(key);
  if (!f) {
    const of = (rows: LabelledText[], texts: string[][]) =>
      texts.map((ts, i) => ts.map((t, v) => featurise(t, cfg, rows[i]!.presegmented && v === 0)));
    f = { tr: of(train, trText), ho: of(holdout, hoText) };
    featureCache.set(key, f);
  }
  return f;
}

/** Trains on `trainIdx` and predicts every view of the `evalIdx` rows. */
function predict(recipe: Recipe, trainIdx: number[], trF: Views, evalF: Views): string[][] {
  const model = trainCategoryModel(
    trainIdx.map((i) => ({ features: trF[i]![0]!, label: labels.indexOf(train[i]!.category), presegmented: train[i]!.presegmented })),
    labels,
    recipe.features.buckets,
    recipe.options,
  );
  return evalF.map((vs) =>
    vs.map((f) => {
      const z = score(model, f).logits;
      let b = 0;
      for (let c = 1; c < z.length; c++) if (z[c]! > z[b]!) b = c;
      return labels[b]!;
    }),
  );
}

const part = (rows: LabelledText[], pred: string[][], seg: boolean, view = 0) => {
  const idx = rows.map((r, i) => (r.presegmented === seg ? i : -1)).filter((i) => i >= 0);
  return evaluate(
    idx.map((i) => rows[i]!.category),
    idx.map((i) => pred[i]![view]!),
    labels,
  );
};

console.log(
  `training rows ${train.length} (natural ${train.filter((r) => !r.presegmented).length}), holdout ${holdout.length}; ${K} folds, salt ${values.salt}`,
);
for (const c of configs) {
  const recipe: Recipe = {
    features: { ...DEFAULT_FEATURES, ...c.features },
    options: { ...DEFAULT_OPTIONS, ...c.options },
  };
  const t0 = Date.now();
  const f = feats(recipe.features);
  const cvPred: string[][] = new Array(train.length);
  for (let k = 0; k < K; k++) {
    const trIdx = train.map((_, i) => i).filter((i) => folds[i] !== k);
    const evIdx = train.map((_, i) => i).filter((i) => folds[i] === k);
    const p = predict(
      recipe,
      trIdx,
      f.tr,
      evIdx.map((i) => f.tr[i]!),
    );
    evIdx.forEach((i, j) => {
      cvPred[i] = p[j]!;
    });
  }
  const hoPred = predict(
    recipe,
    train.map((_, i) => i),
    f.tr,
    f.ho,
  );
  const cvN = part(train, cvPred, false);
  const cvS = part(train, cvPred, true);
  const hoN = part(holdout, hoPred, false);
  const hoS = part(holdout, hoPred, true);
  // The other views, CV and holdout natural rows together (930 + 224).
  const pooled = views.slice(1).map((name, v) => {
    const a = part(train, cvPred, false, v + 1);
    const b = part(holdout, hoPred, false, v + 1);
    return `${name} ${((a.accuracy * a.n + b.accuracy * b.n) / (a.n + b.n)).toFixed(4)}`;
  });
  const s = (Date.now() - t0) / 1000;
  console.log(
    `${c.name.padEnd(28)} CV natural ${cvN.accuracy.toFixed(4)} F1 ${cvN.macroF1.toFixed(4)} seg ${cvS.accuracy.toFixed(4)} | ` +
      `holdout natural ${hoN.accuracy.toFixed(4)} F1 ${hoN.macroF1.toFixed(4)} seg ${hoS.accuracy.toFixed(4)} | ` +
      `natural, CV + holdout: ${pooled.join(', ')} | ${s.toFixed(0)} s`,
  );
  if (values.save) {
    mkdirSync(values.save, { recursive: true });
    writeFileSync(
      join(values.save, `${c.name.replace(/[^\w.-]+/g, '_')}.json`),
      JSON.stringify({
        config: c,
        recipe,
        views,
        gold: { cv: train.map((r) => [r.category, r.presegmented]), holdout: holdout.map((r) => [r.category, r.presegmented]) },
        cv: cvPred,
        holdout: hoPred,
      }),
    );
  }
}
