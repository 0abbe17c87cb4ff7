/**
 * Back-off n-gram language models in ARPA form: read, look up, mix and write. The mix is
 * what makes the domain LM useful: hotline words and street names from the project's own
 * texts, with the generic model's coverage of everyday speech kept underneath.
 */

import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';

export interface NGram {
  /** log10 probability. */
  logp: number;
  /** log10 back-off weight (0 when none). */
  bow: number;
}

/** orders[k] maps "w1 w2 ... wk+1" to its entry (k = 0 for unigrams). */
export interface BackoffLm {
  orders: Map<string, NGram>[];
}

export async function readArpa(path: string): Promise<BackoffLm> {
  const orders: Map<string, NGram>[] = [];
  let order = 0;
  const rl = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line) continue;
    const m = /^\\(\d)-grams:/.exec(line);
    if (m) {
      order = Number(m[1]);
      orders[order - 1] = new Map();
      continue;
    }
    if (order === 0 || line.startsWith('\\')) continue;
    const parts = line.trim().split(/\s+/);
    const logp = Number(parts[0]);
    const words = parts.slice(1, 1 + order);
    if (words.length !== order || Number.isNaN(logp)) throw new Error(`${path}: malformed ${order}-gram line "${line.slice(0, 80)}"`);
    const bow = parts.length > order + 1 ? Number(parts[order + 1]) : 0;
    (orders[order - 1] as Map<string, NGram>).set(words.join(' '), { logp, bow });
  }
  if (!orders[0]?.size) throw new Error(`${path} is not an ARPA language model (no 1-grams).`);
  return { orders };
}

/** p(last word | the words before it) for an n-gram given as its words; the fast path of prob(). */
export function probOf(lm: BackoffLm, words: readonly string[], from = 0): number {
  const n = words.length - from;
  if (n === 1) {
    const e = lm.orders[0]?.get(words[from] as string);
    return e ? 10 ** e.logp : 0;
  }
  const key = n === 2 ? `${words[from]} ${words[from + 1]}` : words.slice(from).join(' ');
  const e = lm.orders[n - 1]?.get(key);
  if (e) return 10 ** e.logp;
  const ctx = n === 2 ? (words[from] as string) : words.slice(from, words.length - 1).join(' ');
  const bow = lm.orders[n - 2]?.get(ctx)?.bow ?? 0;
  return 10 ** bow * probOf(lm, words, from + 1);
}

/** p(w | history) in probability (not log) space, backing off as the ARPA format defines. */
export function prob(lm: BackoffLm, history: readonly string[], word: string): number {
  let logBow = 0;
  for (let start = 0; start <= history.length; start++) {
    const h = history.slice(start);
    const table = lm.orders[h.length];
    const e = table?.get(h.length ? `${h.join(' ')} ${word}` : word);
    if (e) return 10 ** (e.logp + logBow);
    if (h.length) logBow += lm.orders[h.length - 1]?.get(h.join(' '))?.bow ?? 0;
  }
  return 0;
}

const log10 = (p: number) => (p > 0 ? Math.log10(p) : -99);

/**
 * Linear interpolation weight*a + (1-weight)*b as one back-off model: every n-gram of either
 * model gets the mixed probability, and back-off weights are recomputed so each context's
 * distribution sums to one (the same construction as SRILM's -mix-lm).
 */
export function mixLms(a: BackoffLm, b: BackoffLm, weight: number): BackoffLm {
  const maxOrder = Math.max(a.orders.length, b.orders.length);
  const out: BackoffLm = { orders: [] };
  for (let k = 0; k < maxOrder; k++) {
    const keys = new Set<string>([...(a.orders[k]?.keys() ?? []), ...(b.orders[k]?.keys() ?? [])]);
    const table = new Map<string, NGram>();
    for (const key of keys) {
      const words = key.split(' ');
      const p = weight * probOf(a, words) + (1 - weight) * probOf(b, words);
      table.set(key, { logp: words.at(-1) === '<s>' ? -99 : log10(p), bow: 0 });
    }
    out.orders[k] = table;
  }
  // Back-off weights, lowest order first: a context's weight uses the finished lower orders.
  for (let k = 1; k < maxOrder; k++) {
    const higher = out.orders[k] as Map<string, NGram>;
    const sums = new Map<string, { hi: number; lo: number }>();
    for (const [key, e] of higher) {
      const words = key.split(' ');
      const ctx = key.slice(0, key.lastIndexOf(' '));
      const s = sums.get(ctx) ?? { hi: 0, lo: 0 };
      s.hi += 10 ** e.logp;
      s.lo += probOf(out, words, 1);
      sums.set(ctx, s);
    }
    const contexts = out.orders[k - 1] as Map<string, NGram>;
    for (const [ctx, s] of sums) {
      const e = contexts.get(ctx);
      if (!e) continue;
      const num = Math.max(1e-9, 1 - s.hi);
      const den = Math.max(1e-9, 1 - s.lo);
      e.bow = Math.log10(num / den);
    }
  }
  return out;
}

/** Writes `lm` as an ARPA file; returns the n-gram counts per order. */
export async function writeArpa(lm: BackoffLm, path: string): Promise<number[]> {
  const counts = lm.orders.map((t) => t.size);
  const out = createWriteStream(path, 'utf8');
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  await write(`\\data\\\n${counts.map((c, i) => `ngram ${i + 1}=${c}`).join('\n')}\n`);
  for (let k = 0; k < lm.orders.length; k++) {
    await write(`\n\\${k + 1}-grams:\n`);
    const last = k === lm.orders.length - 1;
    let chunk = '';
    for (const [key, e] of lm.orders[k] as Map<string, NGram>) {
      chunk += `${e.logp.toFixed(4)} ${key}${last ? '' : ` ${e.bow.toFixed(4)}`}\n`;
      if (chunk.length > 1 << 16) {
        await write(chunk);
        chunk = '';
      }
    }
    await write(chunk);
  }
  await write('\n\\end\\\n');
  out.end();
  await once(out, 'finish');
  return counts;
}
