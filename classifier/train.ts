/**
 * One training run: base data (minus the fixed holdout) plus corrections → linear
 * model → ONNX file, evaluated on the holdout through onnxruntime so the metrics are
 * those of the file that ships.
 */
import { defaultCatalogue } from '../org/index.js';
import { type LabelledText, splitHoldout } from './data.js';
import { type EmergencyExample, loadEmergencySeed, splitSeed } from './emergency-model.js';
import { emptyEmergencyMeta, evaluateEmergency, trainEmergencyHead } from './emergency-train.js';
import { type FeatureConfig, featurise, type SparseFeatures } from './features.js';
import { DEFAULT_TRAIN, type Example, type LinearModel, score, type TrainOptions, trainLinear } from './linear.js';
import { evaluate } from './metrics.js';
import { type LoadedModel, loadModel, type ModelMeta, type ModelMetrics, saveModel } from './model-files.js';

/** Chosen by measurement (docs/benchmarks.md (Classifier)): hashed char 1–2-grams and jieba words. */
export const DEFAULT_FEATURES: FeatureConfig = { buckets: 1 << 17, charNgrams: [1, 2], words: true };
/**
 * NBSVM (one-vs-rest linear SVM over Naive-Bayes-scaled TF-IDF), 10 epochs, the weights of 3
 * shuffling seeds averaged: on this data it beat the plain linear SVM (the previous default:
 * loss 'hinge', 20 epochs, 1 seed) and softmax regression in cross-validation and on the
 * holdout (docs/benchmarks.md (Classifier), `bench/classifier-cv.ts`).
 */
export const DEFAULT_OPTIONS: TrainOptions = {
  ...DEFAULT_TRAIN,
  loss: 'nbsvm',
  epochs: 10,
  lambda: 1e-5,
  lr: 0.1,
  nbAlpha: 1,
  nbClip: 2,
  seeds: 3,
};

/** Category names of the data set → catalogue codes (M01..M07); codes pass through. */
export function categoryCode(category: string): string {
  // Only first-level classes: some subcategories repeat a class name (交通运输 under 交通运输).
  const byName = new Map(
    defaultCatalogue()
      .filter((c) => c.parent === null)
      .map((c) => [c.name, c.code]),
  );
  return byName.get(category) ?? category;
}

/**
 * The category head: natural-wording rows weigh `options.naturalWeight` (default 1) against
 * 1 for a pre-segmented row; `options.seeds` runs are averaged (`trainLinear`).
 */
export function trainCategoryModel(
  rows: { features: SparseFeatures; label: number; presegmented: boolean }[],
  labels: string[],
  buckets: number,
  options: TrainOptions,
): LinearModel {
  const w = options.naturalWeight ?? 1;
  const examples: Example[] = rows.map((r) => ({ features: r.features, label: r.label, weight: r.presegmented ? 1 : w }));
  return trainLinear(examples, labels, buckets, options);
}

export interface TrainInput {
  base: LabelledText[];
  corrections?: LabelledText[];
  outDir: string;
  version: string;
  features?: FeatureConfig;
  options?: TrainOptions;
  /**
   * The emergency head's data: the shipped seed set (split into training rows and a fixed
   * holdout) and people's decisions. Default: the shipped seed, no decisions; false: no head.
   */
  emergency?: { seed?: EmergencyExample[]; feedback?: EmergencyExample[] } | false;
  log?: (line: string) => void;
}

export interface TrainResult {
  meta: ModelMeta;
  model: LinearModel;
  holdout: LabelledText[];
  /** The emergency seed's held-out rows (empty without an emergency head). */
  seedHoldout: EmergencyExample[];
}

/**
 * A scale for the scores so that softmax gives usable probabilities: an SVM's margins
 * are not log-odds. One number, fitted by log-loss on the holdout; it cannot change
 * which class wins.
 */
function calibrate(model: LinearModel, holdout: { f: ReturnType<typeof featurise>; label: number }[]): number {
  if (!holdout.length) return 1;
  const logits = holdout.map((h) => score(model, h.f).logits);
  let best = 1;
  let bestLoss = Infinity;
  for (let t = 0.5; t <= 30; t *= 1.15) {
    let loss = 0;
    holdout.forEach((h, i) => {
      const z = logits[i]!;
      let m = -Infinity;
      for (const v of z) m = Math.max(m, v * t);
      let s = 0;
      for (const v of z) s += Math.exp(v * t - m);
      loss -= z[h.label]! * t - m - Math.log(s);
    });
    if (loss < bestLoss) {
      bestLoss = loss;
      best = t;
    }
  }
  return best;
}

export async function evaluateModel(model: LoadedModel, holdout: LabelledText[]): Promise<ModelMetrics> {
  const labels = model.meta.labels;
  const gold: string[] = [];
  const pred: string[] = [];
  for (const r of holdout) {
    const p = await model.predict(r.text, r.presegmented);
    let b = 0;
    for (let i = 1; i < p.length; i++) if (p[i]! > p[b]!) b = i;
    gold.push(r.category);
    pred.push(labels[b]!);
  }
  const subset = (keep: (r: LabelledText) => boolean) => {
    const idx = holdout.map((r, i) => (keep(r) ? i : -1)).filter((i) => i >= 0);
    return evaluate(
      idx.map((i) => gold[i]!),
      idx.map((i) => pred[i]!),
      labels,
    );
  };
  return { natural: subset((r) => !r.presegmented), segmented: subset((r) => r.presegmented), all: subset(() => true) };
}

/** Base rows with catalogue codes as labels, split into training rows and the fixed holdout. */
export function prepareBase(base: LabelledText[]) {
  const coded = base.map((r) => ({ ...r, category: categoryCode(r.category) }));
  return splitHoldout(coded);
}

export async function trainVersion(input: TrainInput): Promise<TrainResult> {
  const started = Date.now();
  const log = input.log ?? (() => {});
  const features = input.features ?? DEFAULT_FEATURES;
  const options = input.options ?? DEFAULT_OPTIONS;
  const { train, holdout } = prepareBase(input.base);
  const corrections = input.corrections ?? [];
  const rows = [...train, ...corrections];
  const labels = [...new Set([...input.base.map((r) => categoryCode(r.category)), ...corrections.map((r) => r.category)])].sort();
  log(`featurising ${rows.length} training rows (${corrections.length} corrections), ${holdout.length} holdout rows`);
  const examples = rows.map((r) => ({
    features: featurise(r.text, features, r.presegmented),
    label: labels.indexOf(r.category),
    presegmented: r.presegmented,
  }));
  const runs = (options.seeds ?? 1) > 1 ? ` × ${options.seeds} seeds (weights averaged)` : '';
  log(`training ${options.loss} model, ${options.epochs} epochs${runs}, ${features.buckets} buckets × ${labels.length} classes`);
  const model = trainCategoryModel(examples, labels, features.buckets, options);
  const t = calibrate(
    model,
    holdout.map((r) => ({ f: featurise(r.text, features, r.presegmented), label: labels.indexOf(r.category) })),
  );
  for (let i = 0; i < model.weights.length; i++) model.weights[i] = model.weights[i]! * t;
  for (let i = 0; i < model.bias.length; i++) model.bias[i] = model.bias[i]! * t;
  let head: ReturnType<typeof trainEmergencyHead> | undefined;
  let seedHoldout: EmergencyExample[] = [];
  if (input.emergency !== false) {
    const seed = splitSeed(input.emergency?.seed ?? loadEmergencySeed());
    seedHoldout = seed.holdout;
    const feedback = input.emergency?.feedback ?? [];
    log(`training the emergency head: ${seed.train.length} seed rows, ${feedback.length} decisions, ${train.length} ordinary messages`);
    // The first train.length examples are the base rows, already featurised for the category head.
    const ordinary = examples.slice(0, train.length).map((e) => e.features);
    head = trainEmergencyHead({ ordinary, seed: seed.train, feedback, features, idf: model.idf, buckets: features.buckets });
  }
  const meta: ModelMeta = {
    format: 1,
    version: input.version,
    labels,
    features,
    training: {
      ...options,
      rows: rows.length,
      naturalRows: rows.filter((r) => !r.presegmented).length,
      segmentedRows: rows.filter((r) => r.presegmented).length,
      corrections: corrections.length,
      seconds: 0,
    },
    metrics: {
      natural: { n: 0, accuracy: 0, macroF1: 0 },
      segmented: { n: 0, accuracy: 0, macroF1: 0 },
      all: { n: 0, accuracy: 0, macroF1: 0 },
    },
    emergency: head && emptyEmergencyMeta(head.rows, head.seedRows, head.feedbackRows),
    createdAt: new Date().toISOString(),
  };
  saveModel(input.outDir, model, meta, head);
  const loaded = await loadModel(input.outDir);
  try {
    meta.metrics = await evaluateModel(loaded, holdout);
    if (meta.emergency) meta.emergency.metrics = await evaluateEmergency(loaded, seedHoldout, holdout, meta.emergency.threshold);
  } finally {
    await loaded.close();
  }
  meta.training.seconds = Math.round((Date.now() - started) / 100) / 10;
  saveModel(input.outDir, model, meta, head);
  log(
    `holdout: natural accuracy ${meta.metrics.natural.accuracy} (n=${meta.metrics.natural.n}), segmented ${meta.metrics.segmented.accuracy}, all ${meta.metrics.all.accuracy}`,
  );
  if (meta.emergency) {
    const e = meta.emergency.metrics;
    log(
      `emergency holdout: recall rules ${e.recall.rules} / model ${e.recall.model} / both ${e.recall.combined} (n=${e.recall.n}); ` +
        `false alarms on ordinary messages rules ${e.baseAlarms.rules} / model ${e.baseAlarms.model} / both ${e.baseAlarms.combined} (n=${e.baseAlarms.n})`,
    );
  }
  return { meta, model, holdout, seedHoldout };
}
