/**
 * The model: TF-IDF weighting of hashed features and a linear layer over them, trained
 * in TypeScript by stochastic gradient descent. `score` is the reference computation
 * that the exported ONNX graph must reproduce.
 */
import type { SparseFeatures } from './features.js';

export interface LinearModel {
  buckets: number;
  labels: string[];
  /** Inverse document frequency per bucket (1 for buckets never seen in training). */
  idf: Float32Array;
  /** Weights, row-major [buckets × labels]. */
  weights: Float32Array;
  bias: Float32Array;
}

export interface TrainOptions {
  /**
   * 'softmax' = multinomial logistic regression; 'hinge' = one-vs-rest linear SVM;
   * 'nbsvm' = one-vs-rest linear SVM over features scaled per class by Naive Bayes
   * log-count ratios (Wang & Manning 2012), the ratios folded into the weights afterwards,
   * so the model is the same single linear layer.
   */
  loss: 'softmax' | 'hinge' | 'nbsvm';
  /** 'nbsvm': smoothing of the Naive Bayes counts (documents per bucket). Default 1. */
  nbAlpha?: number;
  /**
   * 'nbsvm': the log-count ratios are clipped to ±this. Rare features otherwise get large
   * ratios, and a recogniser's wrong characters make rare features. Default 2.
   */
  nbClip?: number;
  epochs: number;
  /** L2 regularisation strength. */
  lambda: number;
  /** Initial learning rate. */
  lr: number;
  seed: number;
  /**
   * Train this many models on differently shuffled orders (seed, seed + 1, ...) and average
   * their weights: one linear layer, less dependence on the order. Default 1.
   */
  seeds?: number;
  /** Sample weight of natural-wording rows against 1 for pre-segmented ones (`train.ts`). Default 1. */
  naturalWeight?: number;
}

export const DEFAULT_TRAIN: TrainOptions = { loss: 'softmax', epochs: 12, lambda: 1e-5, lr: 0.5, seed: 12345 };

/** Smoothed idf as in scikit-learn: ln((1 + n) / (1 + df)) + 1. */
export function computeIdf(docs: SparseFeatures[], buckets: number): Float32Array {
  const df = new Uint32Array(buckets);
  for (const d of docs) for (const id of d.ids) df[id]!++;
  const idf = new Float32Array(buckets);
  const n = docs.length;
  for (let i = 0; i < buckets; i++) idf[i] = Math.log((1 + n) / (1 + df[i]!)) + 1;
  return idf;
}

/** Sublinear tf × idf, l2-normalised: the same steps as the ONNX graph, in float32. */
export function weigh(f: SparseFeatures, idf: Float32Array): Float32Array {
  const x = new Float32Array(f.ids.length);
  let ss = 0;
  for (let i = 0; i < x.length; i++) {
    const v = Math.fround(Math.fround(Math.log(f.counts[i]!) + 1) * idf[f.ids[i]!]!);
    x[i] = v;
    ss += v * v;
  }
  const norm = Math.sqrt(Math.max(ss, 1e-12));
  for (let i = 0; i < x.length; i++) x[i] = x[i]! / norm;
  return x;
}

export function softmax(z: ArrayLike<number>): Float32Array {
  let m = -Infinity;
  for (let i = 0; i < z.length; i++) m = Math.max(m, z[i]!);
  const p = new Float32Array(z.length);
  let s = 0;
  for (let i = 0; i < z.length; i++) {
    p[i] = Math.exp(z[i]! - m);
    s += p[i]!;
  }
  for (let i = 0; i < z.length; i++) p[i] = p[i]! / s;
  return p;
}

/** Reference scoring: logits and probabilities of one featurised text. */
export function score(model: LinearModel, f: SparseFeatures): { logits: Float32Array; probs: Float32Array } {
  const C = model.labels.length;
  const x = weigh(f, model.idf);
  const logits = Float32Array.from(model.bias);
  for (let i = 0; i < x.length; i++) {
    const row = f.ids[i]! * C;
    for (let c = 0; c < C; c++) logits[c] = logits[c]! + x[i]! * model.weights[row + c]!;
  }
  return { logits, probs: softmax(logits) };
}

/** A small seeded generator so that training is reproducible. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Example {
  features: SparseFeatures;
  label: number;
  /** Sample weight (natural-wording rows can count more than segmented ones). */
  weight?: number;
}

/**
 * SGD with L2 decay through a global scale (W = s·V), so each step touches only the
 * rows of the features present, as in scikit-learn's SGDClassifier.
 */
export function trainLinear(
  examples: Example[],
  labels: string[],
  buckets: number,
  opts: TrainOptions = DEFAULT_TRAIN,
  /** A second head over the same graph reuses the first head's idf. */
  fixedIdf?: Float32Array,
): LinearModel {
  const idf =
    fixedIdf ??
    computeIdf(
      examples.map((e) => e.features),
      buckets,
    );
  const xs = examples.map((e) => weigh(e.features, idf));
  const runs = Math.max(1, opts.seeds ?? 1);
  let out: { weights: Float32Array; bias: Float64Array } | undefined;
  for (let r = 0; r < runs; r++) {
    const o = { ...opts, seed: opts.seed + r };
    const m = opts.loss === 'nbsvm' ? nbsvm(examples, xs, labels.length, buckets, o) : sgd(examples, xs, labels.length, buckets, o);
    if (!out) out = m;
    else {
      for (let i = 0; i < m.weights.length; i++) out.weights[i] = out.weights[i]! + m.weights[i]!;
      for (let c = 0; c < m.bias.length; c++) out.bias[c] = out.bias[c]! + m.bias[c]!;
    }
  }
  const { weights, bias } = out!;
  if (runs > 1) {
    for (let i = 0; i < weights.length; i++) weights[i] = weights[i]! / runs;
    for (let c = 0; c < bias.length; c++) bias[c] = bias[c]! / runs;
  }
  return { buckets, labels, idf, weights, bias: Float32Array.from(bias) };
}

/** Defaults of 'nbsvm': the smoothing and the clip of the log-count ratios. */
export const NB_ALPHA = 1;
export const NB_CLIP = 2;

/**
 * Per class c: r_c = log((p / |p|₁) / (q / |q|₁)), p (q) = alpha + per bucket the number of
 * rows of class c (of the other classes) that have it (weighted by the rows' weights), clipped
 * to ±clip; a binary linear SVM on the TF-IDF vector x ⊙ r_c; its weights times r_c are
 * column c of the layer (w_c · (r_c ⊙ x) = (w_c ⊙ r_c) · x).
 */
function nbsvm(
  examples: Example[],
  xs: Float32Array[],
  C: number,
  buckets: number,
  opts: TrainOptions,
): { weights: Float32Array; bias: Float64Array } {
  const alpha = opts.nbAlpha ?? NB_ALPHA;
  const clip = opts.nbClip ?? NB_CLIP;
  const weights = new Float32Array(buckets * C);
  const bias = new Float64Array(C);
  const p = new Float64Array(buckets);
  const q = new Float64Array(buckets);
  const r = new Float32Array(buckets);
  for (let c = 0; c < C; c++) {
    p.fill(alpha);
    q.fill(alpha);
    for (const e of examples) {
      const t = e.label === c ? p : q;
      const w = e.weight ?? 1;
      for (const id of e.features.ids) t[id] = t[id]! + w;
    }
    let sp = 0;
    let sq = 0;
    for (let j = 0; j < buckets; j++) {
      sp += p[j]!;
      sq += q[j]!;
    }
    for (let j = 0; j < buckets; j++) r[j] = Math.max(-clip, Math.min(clip, Math.log(p[j]! / sp / (q[j]! / sq))));
    const scaled = xs.map((x, k) => {
      const ids = examples[k]!.features.ids;
      const o = new Float32Array(x.length);
      for (let i = 0; i < x.length; i++) o[i] = x[i]! * r[ids[i]!]!;
      return o;
    });
    // One output: label 0 is class c (+1), everything else −1.
    const binary = examples.map((e) => ({ ...e, label: e.label === c ? 0 : 1 }));
    const m = sgd(binary, scaled, 1, buckets, { ...opts, seed: opts.seed + 7919 * c });
    for (let j = 0; j < buckets; j++) weights[j * C + c] = m.weights[j]! * r[j]!;
    bias[c] = m.bias[0]!;
  }
  return { weights, bias };
}

/** One SGD run (hinge or softmax) over the weighted feature vectors `xs`. */
function sgd(
  examples: Example[],
  xs: Float32Array[],
  C: number,
  buckets: number,
  opts: TrainOptions,
): { weights: Float32Array; bias: Float64Array } {
  const V = new Float32Array(buckets * C);
  const bias = new Float64Array(C);
  let scale = 1;
  const rand = mulberry32(opts.seed);
  const order = examples.map((_, i) => i);
  const z = new Float64Array(C);
  const g = new Float64Array(C);
  let t = 0;
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const k of order) {
      const ex = examples[k]!;
      const x = xs[k]!;
      const ids = ex.features.ids;
      const lr = opts.lr / (1 + opts.lr * opts.lambda * t);
      t++;
      for (let c = 0; c < C; c++) z[c] = bias[c]!;
      for (let i = 0; i < ids.length; i++) {
        const row = ids[i]! * C;
        const xi = x[i]! * scale;
        for (let c = 0; c < C; c++) z[c] = z[c]! + xi * V[row + c]!;
      }
      const w = ex.weight ?? 1;
      if (opts.loss === 'softmax') {
        let m = -Infinity;
        for (let c = 0; c < C; c++) m = Math.max(m, z[c]!);
        let s = 0;
        for (let c = 0; c < C; c++) {
          g[c] = Math.exp(z[c]! - m);
          s += g[c]!;
        }
        for (let c = 0; c < C; c++) g[c] = w * (g[c]! / s - (c === ex.label ? 1 : 0));
      } else {
        for (let c = 0; c < C; c++) {
          const y = c === ex.label ? 1 : -1;
          g[c] = y * z[c]! < 1 ? -y * w : 0;
        }
      }
      scale *= 1 - lr * opts.lambda;
      if (scale < 1e-6) {
        for (let i = 0; i < V.length; i++) V[i] = V[i]! * scale;
        scale = 1;
      }
      for (let i = 0; i < ids.length; i++) {
        const row = ids[i]! * C;
        const step = (lr * x[i]!) / scale;
        for (let c = 0; c < C; c++) if (g[c] !== 0) V[row + c] = V[row + c]! - step * g[c]!;
      }
      for (let c = 0; c < C; c++) bias[c] = bias[c]! - lr * 0.1 * g[c]!;
    }
  }
  for (let i = 0; i < V.length; i++) V[i] = V[i]! * scale;
  return { weights: V, bias };
}
