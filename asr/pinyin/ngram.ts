/**
 * Word language models as the converter queries them: p(w | h1 h2) in probability space,
 * from an ARPA model held in maps (the hotline's own, small) or from parallel typed arrays
 * (a general-Chinese model of millions of n-grams, where maps would cost hundreds of MB), and
 * their linear interpolation.
 */
import { type BackoffLm, probOf } from '../lm/arpa.js';

export interface WordLm {
  /** p(w | h1 h2); h1 may be undefined (start of the sentence: h2 is then '<s>'). */
  prob(h1: string | undefined, h2: string, w: string): number;
  has(w: string): boolean;
  readonly words: Iterable<string>;
}

/** An ARPA back-off model (asr/lm/arpa.ts). */
export function arpaWordLm(lm: BackoffLm): WordLm {
  const uni = lm.orders[0] ?? new Map();
  return {
    prob(h1, h2, w) {
      if (!uni.has(w)) return 0;
      const a = h1 !== undefined && uni.has(h1) && uni.has(h2) ? [h1, h2, w] : uni.has(h2) ? [h2, w] : [w];
      return probOf(lm, a);
    },
    has: (w) => uni.has(w),
    words: uni.keys(),
  };
}

/** An n-gram back-off model as parallel typed arrays; all probabilities log10. */
export interface NgramTables {
  /** word id -> word text ('' where an id has no usable word). */
  words: string[];
  uni: { logp: Float32Array; bow: Float32Array };
  bi: { w1: Uint32Array; w2: Uint32Array; logp: Float32Array; bow: Float32Array };
  tri: { w1: Uint32Array; w2: Uint32Array; w3: Uint32Array; logp: Float32Array };
  /** Ids of the sentence markers when the model has them. */
  bos?: number;
  eos?: number;
}

/** First index in a[lo, hi) whose value is >= v. */
function lowerBound(a: Uint32Array, lo: number, hi: number, v: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Ranges per first word, so a lookup is two binary searches in short runs. */
export function compactWordLm(t: NgramTables): WordLm {
  const ids = new Map<string, number>();
  t.words.forEach((w, i) => {
    if (w && !ids.has(w)) ids.set(w, i);
  });
  if (t.bos !== undefined) ids.set('<s>', t.bos);
  if (t.eos !== undefined) ids.set('</s>', t.eos);
  const V = t.words.length;
  const biStart = new Uint32Array(V + 1);
  for (let i = 0; i < t.bi.w1.length; i++) (biStart[(t.bi.w1[i] as number) + 1] as number)++;
  for (let i = 0; i < V; i++) biStart[i + 1] = (biStart[i + 1] as number) + (biStart[i] as number);
  const findBi = (a: number, b: number) => {
    const lo = biStart[a] as number;
    const hi = biStart[a + 1] as number;
    const i = lowerBound(t.bi.w2, lo, hi, b);
    return i < hi && t.bi.w2[i] === b ? i : -1;
  };
  // Trigram ranges per bigram index: the trigram arrays are sorted by (w1, w2, w3) like the bigrams.
  const triStart = new Uint32Array(t.bi.w1.length + 1);
  {
    let j = 0;
    for (let i = 0; i < t.bi.w1.length; i++) {
      triStart[i] = j;
      while (j < t.tri.w1.length && t.tri.w1[j] === t.bi.w1[i] && t.tri.w2[j] === t.bi.w2[i]) j++;
    }
    triStart[t.bi.w1.length] = j;
  }
  const logUni = (w: number) => t.uni.logp[w] as number;
  const logBi = (a: number, b: number) => {
    const i = findBi(a, b);
    return i >= 0 ? (t.bi.logp[i] as number) : (t.uni.bow[a] as number) + logUni(b);
  };
  return {
    prob(h1, h2, w) {
      const c = ids.get(w);
      if (c === undefined) return 0;
      const b = ids.get(h2);
      if (b === undefined) return 10 ** logUni(c);
      const a = h1 === undefined ? undefined : ids.get(h1);
      if (a === undefined) return 10 ** logBi(b, c);
      const ab = findBi(a, b);
      if (ab < 0) return 10 ** logBi(b, c);
      const lo = triStart[ab] as number;
      const hi = triStart[ab + 1] as number;
      const k = lowerBound(t.tri.w3, lo, hi, c);
      if (k < hi && t.tri.w3[k] === c) return 10 ** (t.tri.logp[k] as number);
      return 10 ** ((t.bi.bow[ab] as number) + logBi(b, c));
    },
    has: (w) => ids.has(w),
    words: ids.keys(),
  };
}

/** A unigram over the lexicon's weights: every word the lexicon can spell gets some probability. */
export function unigramWordLm(weights: Iterable<[string, number]>): WordLm {
  const m = new Map<string, number>();
  let total = 0;
  for (const [w, c] of weights) {
    const v = (m.get(w) ?? 0) + c + 1;
    total += c + 1;
    m.set(w, v);
  }
  for (const [w, v] of m) m.set(w, v / total);
  m.set('</s>', 0.05);
  return { prob: (_h1, _h2, w) => m.get(w) ?? 0, has: (w) => m.has(w), words: m.keys() };
}

/** weight_i * p_i summed; weights are normalised to sum to one. */
export function interpolate(parts: { lm: WordLm; weight: number }[]): WordLm {
  const sum = parts.reduce((s, p) => s + p.weight, 0);
  const ps = parts.map((p) => ({ lm: p.lm, weight: p.weight / sum }));
  return {
    prob(h1, h2, w) {
      let p = 0;
      for (const part of ps) p += part.weight * part.lm.prob(h1, h2, w);
      return p;
    },
    has: (w) => ps.some((p) => p.lm.has(w)),
    get words() {
      return new Set(ps.flatMap((p) => [...p.lm.words]));
    },
  };
}
