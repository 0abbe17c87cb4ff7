/**
 * A trigram back-off model estimated from word sequences with absolute discounting
 * (Ney's discount D = n1 / (n1 + 2 n2) per order), in the same BackoffLm shape as a
 * read ARPA file so it can be mixed with the generic model.
 */
import { type BackoffLm, type NGram, probOf } from './arpa.js';

/**
 * `minCount[k]` drops (k+1)-grams seen fewer times (their mass goes to the back-off): singletons
 * of a small corpus are mostly noise and would triple the model's size and load time.
 */
export function estimateLm(sentences: Iterable<readonly string[]>, order = 3, minCount: readonly number[] = [1, 2, 2]): BackoffLm {
  const counts: Map<string, number>[] = Array.from({ length: order }, () => new Map());
  for (const s of sentences) {
    if (!s.length) continue;
    const words = ['<s>', ...s, '</s>'];
    for (let i = 1; i < words.length; i++) {
      for (let k = 0; k < order && i - k >= 0; k++) {
        const key = words.slice(i - k, i + 1).join(' ');
        const table = counts[k] as Map<string, number>;
        table.set(key, (table.get(key) ?? 0) + 1);
      }
    }
  }
  const lm: BackoffLm = { orders: [] };
  // Unigrams: add-half smoothing so every vocabulary word keeps some mass.
  const uni = counts[0] as Map<string, number>;
  let total = 0;
  for (const c of uni.values()) total += c;
  const unigrams = new Map<string, NGram>();
  const denom = total + 0.5 * uni.size;
  for (const [w, c] of uni) unigrams.set(w, { logp: Math.log10((c + 0.5) / denom), bow: 0 });
  unigrams.set('<s>', { logp: -99, bow: 0 });
  lm.orders[0] = unigrams;

  for (let k = 1; k < order; k++) {
    const table = counts[k] as Map<string, number>;
    let n1 = 0;
    let n2 = 0;
    for (const c of table.values()) {
      if (c === 1) n1++;
      else if (c === 2) n2++;
    }
    const d = n1 + 2 * n2 > 0 ? Math.min(0.9, Math.max(0.1, n1 / (n1 + 2 * n2))) : 0.5;
    const ctx = new Map<string, { total: number; types: number }>();
    for (const [key, c] of table) {
      const h = key.slice(0, key.lastIndexOf(' '));
      const e = ctx.get(h) ?? { total: 0, types: 0 };
      e.total += c;
      e.types++;
      ctx.set(h, e);
    }
    const entries = new Map<string, NGram>();
    const mass = new Map<string, { hi: number; lo: number }>();
    const min = minCount[k] ?? 1;
    const contexts = lm.orders[k - 1] as Map<string, NGram>;
    for (const [key, c] of table) {
      const cut = key.lastIndexOf(' ');
      const h = key.slice(0, cut);
      // Kept only when its context is kept: ARPA needs every n-gram's prefix.
      if (c < min || !contexts.has(h)) continue;
      const e = ctx.get(h) as { total: number; types: number };
      const p = (c - d) / e.total;
      entries.set(key, { logp: Math.log10(p), bow: 0 });
      const m = mass.get(h) ?? { hi: 0, lo: 0 };
      m.hi += p;
      m.lo += probOf(lm, key.split(' '), 1);
      mass.set(h, m);
    }
    for (const [h, m] of mass) {
      const entry = contexts.get(h) as NGram;
      entry.bow = Math.log10(Math.max(1e-9, 1 - m.hi) / Math.max(1e-9, 1 - m.lo));
    }
    lm.orders[k] = entries;
  }
  return lm;
}
