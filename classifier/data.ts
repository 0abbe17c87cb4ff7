/**
 * The base training data (Teddy Cup 2020 C messages under SHARED_DIR/text) and the
 * fixed, group-aware holdout every model version is evaluated on.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fnv1a } from './features.js';

export interface LabelledText {
  id: string;
  text: string;
  /** Category name (one of the 7 first-level classes) or a catalogue code for corrections. */
  category: string;
  /** True for the jieba-segmented, stop-word-free rows. */
  presegmented: boolean;
  /** Rows that are the same message (raw row and its segmented twin, near-duplicates) share a group. */
  group: string;
}

export interface Split {
  train: LabelledText[];
  holdout: LabelledText[];
}

export const RAW_FILE = 'text/teddy2020c-raw/train.jsonl';
export const SEGMENTED_FILE = 'text/teddy2020c-segmented/train.jsonl';
export const HOLDOUT_FRACTION = 0.2;

function readJsonl(path: string): Record<string, unknown>[] {
  if (!existsSync(path)) {
    throw new Error(`Training data not found at ${path}: set SHARED_DIR to the folder that holds text/teddy2020c-*/train.jsonl.`);
  }
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      try {
        return JSON.parse(l);
      } catch {
        throw new Error(`${path} line ${i + 1} is not JSON: fix or replace the file.`);
      }
    });
}

/** Loads both training sets; groups raw rows with their segmented twin and near-duplicates. */
export function loadBaseData(sharedDir: string): LabelledText[] {
  const seg = readJsonl(join(sharedDir, SEGMENTED_FILE));
  const raw = readJsonl(join(sharedDir, RAW_FILE));
  const group = nearDuplicateGroups(seg.map((r) => ({ id: String(r.id), tokens: String(r.text).split(' ') })));
  const rows: LabelledText[] = seg.map((r) => ({
    id: String(r.id),
    text: String(r.text),
    category: String(r.category),
    presegmented: true,
    group: group.get(String(r.id)) ?? String(r.id),
  }));
  for (const r of raw) {
    const segId = String(r.seg_id ?? r.id);
    rows.push({
      id: String(r.id),
      text: String(r.text),
      category: String(r.category),
      presegmented: false,
      group: group.get(segId) ?? segId,
    });
  }
  return rows;
}

/**
 * Union of rows whose token sets have Jaccard similarity ≥ 0.8 (the same rule the data
 * set's own train/test split used), so a re-posted message cannot sit in both parts.
 * Only pairs whose sizes allow 0.8 are compared.
 */
export function nearDuplicateGroups(docs: { id: string; tokens: string[] }[], threshold = 0.8): Map<string, string> {
  const vocab = new Map<string, number>();
  const sets = docs.map((d) => {
    const s = new Set<number>();
    for (const t of d.tokens) {
      if (!t) continue;
      let v = vocab.get(t);
      if (v === undefined) {
        v = vocab.size;
        vocab.set(t, v);
      }
      s.add(v);
    }
    return Int32Array.from([...s].sort((a, b) => a - b));
  });
  const parent = docs.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  const order = docs.map((_, i) => i).sort((a, b) => sets[a]!.length - sets[b]!.length);
  for (let oi = 0; oi < order.length; oi++) {
    const a = sets[order[oi]!]!;
    for (let oj = oi + 1; oj < order.length; oj++) {
      const b = sets[order[oj]!]!;
      // |A∩B|/|A∪B| ≤ |A|/|B|: once B is too large, every later one is too.
      if (a.length < threshold * b.length) break;
      let i = 0;
      let j = 0;
      let inter = 0;
      while (i < a.length && j < b.length) {
        if (a[i] === b[j]) {
          inter++;
          i++;
          j++;
        } else if (a[i]! < b[j]!) i++;
        else j++;
      }
      if (inter / (a.length + b.length - inter) >= threshold) parent[find(order[oi]!)] = find(order[oj]!);
    }
  }
  const out = new Map<string, string>();
  const root = new Map<number, string>();
  docs.forEach((d, i) => {
    const r = find(i);
    const name = root.get(r) ?? d.id;
    root.set(r, name);
    out.set(d.id, name);
  });
  return out;
}

/**
 * The fixed holdout: per category, the groups with the lowest salted hash until the
 * fraction is reached. It depends only on the data, so every retrain sees the same one.
 */
export function splitHoldout(rows: LabelledText[], fraction = HOLDOUT_FRACTION): Split {
  const groupsByCategory = new Map<string, Set<string>>();
  const groupCategory = new Map<string, string>();
  for (const r of rows) {
    if (!groupCategory.has(r.group)) groupCategory.set(r.group, r.category);
    const set = groupsByCategory.get(r.category) ?? new Set();
    set.add(r.group);
    groupsByCategory.set(r.category, set);
  }
  const held = new Set<string>();
  for (const [cat, groups] of groupsByCategory) {
    const sorted = [...groups].filter((g) => groupCategory.get(g) === cat).sort((a, b) => fnv1a(`holdout:${a}`) - fnv1a(`holdout:${b}`));
    const n = Math.round(sorted.length * fraction);
    for (const g of sorted.slice(0, n)) held.add(g);
  }
  return { train: rows.filter((r) => !held.has(r.group)), holdout: rows.filter((r) => held.has(r.group)) };
}
