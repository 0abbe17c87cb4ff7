/**
 * Model choice for the classifier: several feature sets and losses trained on the same
 * rows and scored on the same fixed holdout (SHARED_DIR/text, group-aware). Prints one
 * line per option. Run: node --import tsx bench/classifier-compare.ts
 */
import { resolve } from 'node:path';
import { loadBaseData } from '../classifier/data.js';
import { type FeatureConfig, featurise } from '../classifier/features.js';
import { score, type TrainOptions, trainLinear } from '../classifier/linear.js';
import { evaluate } from '../classifier/metrics.js';
import { DEFAULT_FEATURES, DEFAULT_OPTIONS, prepareBase } from '../classifier/train.js';

const shared = resolve(process.env.SHARED_DIR ?? '../shared');
const { train, holdout } = prepareBase(loadBaseData(shared));
const labels = [...new Set(train.map((r) => r.category))].sort();
// The plain linear SVM (the default until clf-base-20261201) and softmax regression.
const svm: TrainOptions = { ...DEFAULT_OPTIONS, loss: 'hinge', epochs: 20, seeds: 1 };
const softmax: TrainOptions = { ...svm, loss: 'softmax', lr: 0.5, lambda: 1e-6 };
const options: [string, FeatureConfig, TrainOptions][] = [
  ['char 1-3 only, linear SVM (the scikit-learn bar, hashed)', { ...DEFAULT_FEATURES, charNgrams: [1, 2, 3], words: false }, svm],
  ['char 1-2 + jieba words, softmax regression', DEFAULT_FEATURES, softmax],
  ['char 1-3 + jieba words, linear SVM', { ...DEFAULT_FEATURES, charNgrams: [1, 2, 3] }, svm],
  ['char 1-2 + jieba words, linear SVM (previous)', DEFAULT_FEATURES, svm],
  ['char 1-2 + jieba words, linear SVM, 2^16 buckets', { ...DEFAULT_FEATURES, buckets: 1 << 16 }, svm],
  ['char 1-2 + jieba words, NBSVM (chosen)', DEFAULT_FEATURES, DEFAULT_OPTIONS],
];
console.log(`training rows ${train.length} (natural ${train.filter((r) => !r.presegmented).length}), holdout ${holdout.length}`);
for (const [name, features, opts] of options) {
  const t0 = Date.now();
  const model = trainLinear(
    train.map((r) => ({ features: featurise(r.text, features, r.presegmented), label: labels.indexOf(r.category) })),
    labels,
    features.buckets,
    opts,
  );
  const seconds = (Date.now() - t0) / 1000;
  const pred = holdout.map((r) => {
    const p = score(model, featurise(r.text, features, r.presegmented)).probs;
    return labels[p.indexOf(Math.max(...p))]!;
  });
  const part = (seg: boolean) => {
    const idx = holdout.map((r, i) => (r.presegmented === seg ? i : -1)).filter((i) => i >= 0);
    const m = evaluate(
      idx.map((i) => holdout[i]!.category),
      idx.map((i) => pred[i]!),
      labels,
    );
    return `acc ${m.accuracy.toFixed(4)} F1 ${m.macroF1.toFixed(4)} (n=${m.n})`;
  };
  console.log(`${name.padEnd(52)} natural ${part(false)} | segmented ${part(true)} | train ${seconds.toFixed(1)} s`);
}
