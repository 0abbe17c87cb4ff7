/**
 * Leaf categories of the site's catalogue (事项清单), proposed without labelled data per
 * leaf: the catalogue's own names, descriptions and site-editable keywords, the top-level
 * model as a prior, and every dispatcher's correction as a labelled example that counts
 * at once (nearest neighbours over the corrections). Plain functions over an index that
 * is rebuilt from the categories table; nothing here is trained.
 */
import { normalise, words } from './features.js';

export interface CatalogueNode {
  id: number | null;
  code: string;
  name: string;
  parentCode: string | null;
  description: string | null;
  keywords: string[];
  active: boolean;
  /** The node's own default department (org unit code), or null to inherit the parent's. */
  department: string | null;
}

export interface PathStep {
  code: string;
  name: string;
}

interface Leaf {
  node: CatalogueNode;
  path: PathStep[];
  /** The top-level code whose model probability is this leaf's prior. */
  root: string;
  /** Catch-all leaves (其他): win only when nothing more specific is said. */
  other: boolean;
  /** The department the category routes to without a place override (its own or a parent's). */
  department: string | null;
}

/** A dispatcher's final category for a text, as a neighbour to later texts. */
export interface Example {
  text: string;
  categoryCode: string;
  departmentCode: string | null;
}

interface IndexedExample extends Example {
  vec: Map<string, number>;
}

export interface LeafIndex {
  leaves: Leaf[];
  byCode: Map<string, number>;
  /** keyword → (leaf index, weight) */
  keywords: Map<string, { leaf: number; w: number }[]>;
  /** Longest keyword length, to bound the substring scan. */
  maxKeyword: number;
  /** Character bigram → leaves whose name/description has it, with its idf. */
  grams: Map<string, { leaves: Set<number>; idf: number }>;
  /** Per leaf, the length normaliser of its name score: √(bigrams in its document + 4). */
  nameNorm: Float64Array;
  examples: IndexedExample[];
  /** idf of the examples' features, from the catalogue and examples together. */
  exampleIdf: Map<string, number>;
  /** Feature → examples that have it (inverted index). */
  postings: Map<string, number[]>;
  /** Words of the examples → how many examples of each leaf have them: keywords learned from dispatchers. */
  learned: Map<string, Map<number, number>>;
}

/** The scoring weights; `bench/classifier-leaf.ts tune` fits them on classifier/leaf-tune.jsonl. */
export interface LeafWeights {
  keyword: number;
  name: number;
  prior: number;
  neighbour: number;
  other: number;
  /** Softmax temperature that makes the probabilities calibrated. */
  temperature: number;
  /** Least cosine similarity for a correction to count as a neighbour. */
  minSimilarity: number;
  /** Factor for a keyword said as where the problem is (加油站旁边, 在地铁口). */
  place: number;
  /** Weight of the words learned from dispatchers' decisions. */
  learned: number;
  /** For a leaf routed to a unit the text asks for by name (请城管来, departments.ts). */
  mention: number;
}

export const DEFAULT_WEIGHTS: LeafWeights = {
  keyword: 0.7,
  name: 0.3,
  prior: 0.9,
  neighbour: 6,
  other: 0,
  temperature: 1.5,
  minSimilarity: 0.3,
  place: 0.3,
  learned: 2,
  mention: 1,
};

// Name endings that say nothing about what the citizen reports (路灯异常 → 路灯).
const NAME_SUFFIX = /(设施)?(异常|问题|管理|乱象|类)$/u;
const HAN = /[\u3400-\u9fff\uf900-\ufaff]/u;
const PLACE_AFTER = /^(旁边|旁|门口|附近|那边|边上|对面|周边|一带|前面|后面|里面|那段|那一段|靠近|入口|出口|的位置|那里|这边)/u;
const PLACE_BEFORE = /(在|靠近|到|从|近)$/u;
const ROAD_AFTER = /^(路|街|大道|大街|巷|弄|胡同)/u;

/** Only the Chinese characters and letters/digits of a text, without spaces or punctuation. */
export function squeezeText(text: string): string {
  return normalise(text).replace(/[^\p{L}\p{N}]+/gu, '');
}

function bigrams(s: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 2 <= s.length; i++) {
    const g = s.slice(i, i + 2);
    if (HAN.test(g[0]!) && HAN.test(g[1]!)) out.push(g);
  }
  return out;
}

/** Words a leaf is known by: its site keywords, its name and its name without 异常/问题. */
function leafTerms(node: CatalogueNode): { term: string; boost: number }[] {
  const terms = new Map<string, number>();
  const add = (t: string, boost: number) => {
    const k = squeezeText(t);
    if (k.length < 2) return;
    terms.set(k, Math.max(terms.get(k) ?? 0, boost));
  };
  for (const k of node.keywords) add(k, 1);
  add(node.name, 1.2);
  const core = node.name.replace(NAME_SUFFIX, '');
  if (core !== node.name) add(core, 1.1);
  // 道路遗撒（洒）, 早（夜）市: both readings.
  const paren = /（([^）]+)）/u;
  if (paren.test(node.name)) {
    add(node.name.replace(paren, ''), 1.1);
    add(node.name.replace(paren, '$1'), 1);
  }
  return [...terms].map(([term, boost]) => ({ term, boost }));
}

/**
 * Builds the index from the catalogue: every active node without active children is a
 * leaf; so is any category a dispatcher filed a case under, leaf or not.
 */
export function buildLeafIndex(nodes: CatalogueNode[], examples: Example[] = [], priorLabels: string[] = []): LeafIndex {
  const byCodeNode = new Map(nodes.map((n) => [n.code, n]));
  const hasChild = new Set(nodes.filter((n) => n.active && n.parentCode).map((n) => n.parentCode as string));
  const used = new Set(examples.map((e) => e.categoryCode));
  const leaves: Leaf[] = [];
  for (const node of nodes) {
    if (!node.active) continue;
    if (hasChild.has(node.code) && !used.has(node.code)) continue;
    const path: PathStep[] = [];
    for (let n: CatalogueNode | undefined = node, guard = 0; n && guard < 20; guard++) {
      path.unshift({ code: n.code, name: n.name });
      n = n.parentCode ? byCodeNode.get(n.parentCode) : undefined;
    }
    // The nearest ancestor the model knows (M01…M07); the site's own trees have none.
    const root = [...path].reverse().find((p) => priorLabels.includes(p.code))?.code ?? path[0]!.code;
    let department: string | null = null;
    for (let i = path.length - 1; i >= 0 && !department; i--) department = byCodeNode.get(path[i]!.code)?.department ?? null;
    leaves.push({ node, path, root, other: /^其他|^其它/u.test(node.name), department });
  }
  const byCode = new Map(leaves.map((l, i) => [l.node.code, i]));

  // Keyword weight: longer and rarer phrases say more (井盖 is shared by 20 leaves).
  const df = new Map<string, number>();
  const termsOf = leaves.map((l) => leafTerms(l.node));
  for (const terms of termsOf) for (const { term } of terms) df.set(term, (df.get(term) ?? 0) + 1);
  const keywords = new Map<string, { leaf: number; w: number }[]>();
  let maxKeyword = 0;
  termsOf.forEach((terms, leaf) => {
    for (const { term, boost } of terms) {
      const idf = Math.log(1 + leaves.length / (df.get(term) ?? 1));
      const w = boost * Math.min(term.length, 6) ** 0.7 * idf;
      const list = keywords.get(term) ?? [];
      list.push({ leaf, w });
      keywords.set(term, list);
      maxKeyword = Math.max(maxKeyword, term.length);
    }
  });

  // Name and description bigrams: what lets a brand-new category with no keywords compete.
  const leafGrams = leaves.map((l) => {
    const m = new Map<string, number>();
    const doc = `${l.node.name}|${l.node.name}|${l.node.description ?? ''}|${l.path.map((p) => p.name).join('|')}|${l.node.keywords.join('|')}`;
    for (const g of bigrams(squeezeText(doc))) m.set(g, (m.get(g) ?? 0) + 1);
    return m;
  });
  const gramDf = new Map<string, Set<number>>();
  leafGrams.forEach((m, i) => {
    for (const g of m.keys()) {
      const s = gramDf.get(g) ?? new Set<number>();
      s.add(i);
      gramDf.set(g, s);
    }
  });
  const grams = new Map([...gramDf].map(([g, s]) => [g, { leaves: s, idf: Math.log(1 + leaves.length / s.size) }]));

  const exampleIdf = new Map<string, number>();
  const exDf = new Map<string, number>();
  const feats = examples.map((e) => exampleFeatures(e.text));
  for (const f of feats) for (const k of f.keys()) exDf.set(k, (exDf.get(k) ?? 0) + 1);
  const n = Math.max(examples.length, 1);
  // Smoothed so that a handful of corrections do not give their shared words zero weight.
  for (const [k, d] of exDf) exampleIdf.set(k, Math.log((n + 20) / (d + 1)) + 1);
  const indexed = examples.map((e, i) => ({ ...e, vec: weigh(feats[i]!, exampleIdf) }));
  const postings = new Map<string, number[]>();
  indexed.forEach((e, i) => {
    for (const k of e.vec.keys()) {
      const list = postings.get(k) ?? [];
      list.push(i);
      postings.set(k, list);
    }
  });
  const learned = new Map<string, Map<number, number>>();
  for (const e of examples) {
    const leaf = byCode.get(e.categoryCode);
    if (leaf === undefined) continue;
    for (const w of new Set(exampleWords(e.text))) {
      const m = learned.get(w) ?? new Map<number, number>();
      m.set(leaf, (m.get(leaf) ?? 0) + 1);
      learned.set(w, m);
    }
  }
  const nameNorm = Float64Array.from(leafGrams, (m) => Math.sqrt([...m.values()].reduce((a, b) => a + b, 0) + 4));
  return { leaves, byCode, keywords, maxKeyword, grams, nameNorm, examples: indexed, exampleIdf, postings, learned };
}

// Words that say nothing about the category, whatever the dispatcher chose.
const FILLER = new Set([
  '那个',
  '就是',
  '这个',
  '我们',
  '你们',
  '他们',
  '一下',
  '反映',
  '投诉',
  '希望',
  '请问',
  '问题',
  '现在',
  '一直',
  '没有',
  '还是',
  '已经',
  '什么',
  '怎么',
  '可以',
  '能不能',
  '嗯嗯',
  '你好',
  '喂喂',
]);

function exampleWords(text: string): string[] {
  return words(normalise(text)).filter((w) => w.length >= 2 && !FILLER.has(w));
}

function exampleFeatures(text: string): Map<string, number> {
  const s = squeezeText(text);
  const m = new Map<string, number>();
  for (const g of bigrams(s)) m.set(g, (m.get(g) ?? 0) + 1);
  for (const ch of s) if (HAN.test(ch)) m.set(ch, (m.get(ch) ?? 0) + 0.5);
  return m;
}

function weigh(f: Map<string, number>, idf: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  let norm = 0;
  for (const [k, c] of f) {
    const v = (1 + Math.log(c + 0.5)) * (idf.get(k) ?? Math.log(40) + 1);
    out.set(k, v);
    norm += v * v;
  }
  norm = Math.sqrt(norm) || 1;
  for (const [k, v] of out) out.set(k, v / norm);
  return out;
}

export interface Neighbour {
  example: Example;
  similarity: number;
}

/** The corrections most like the text, most similar first. */
export function neighbours(index: LeafIndex, text: string, min: number, k = 5): Neighbour[] {
  if (!index.examples.length) return [];
  const q = weigh(exampleFeatures(text), index.exampleIdf);
  const dot = new Float64Array(index.examples.length);
  const touched: number[] = [];
  // Features most examples share (a common character, 小区) add little to any cosine and cost
  // a pass over every example: they are left out of the sum (measured: 56 ms → about 2 ms per
  // proposal with 5,000 decisions, bench in docs/benchmarks.md).
  const common = Math.max(50, index.examples.length / 10);
  for (const [g, v] of q) {
    const list = index.postings.get(g);
    if (!list || list.length > common) continue;
    for (const i of list) {
      if (dot[i] === 0) touched.push(i);
      dot[i] = dot[i]! + v * (index.examples[i]!.vec.get(g) ?? 0);
    }
  }
  return touched
    .filter((i) => dot[i]! >= min)
    .sort((a, b) => dot[b]! - dot[a]!)
    .slice(0, k)
    .map((i) => ({ example: index.examples[i]!, similarity: dot[i]! }));
}

export interface LeafEvidence {
  /** The keywords (or name words) of the leaf found in the text, with where. */
  keywords: { word: string; at: number }[];
  neighbour: number;
}

export interface LeafScore {
  code: string;
  department: string | null;
  name: string;
  id: number | null;
  path: PathStep[];
  p: number;
  evidence: LeafEvidence;
}

/**
 * Every leaf's probability for a text. `prior` is the top-level model's probability per
 * top-level code (missing codes get `fallbackPrior`: the catalogue's own trees that the
 * model was not trained on, e.g. the GB/T city-management matters).
 */
export function scoreLeaves(
  index: LeafIndex,
  text: string,
  prior: Map<string, number>,
  weights: LeafWeights = DEFAULT_WEIGHTS,
  /** The units the text names (departments.ts `departmentsNamed`). */
  named: ReadonlySet<string> = new Set(),
): { scores: LeafScore[]; neighbours: Neighbour[] } {
  const s = squeezeText(text);
  const n = index.leaves.length;
  const kw = new Float64Array(n);
  const found: { word: string; at: number }[][] = Array.from({ length: n }, () => []);
  // Every substring up to the longest keyword: ~10 lookups per character.
  const perLeaf: number[][] = Array.from({ length: n }, () => []);
  // Each keyword once, with its strongest reading over its occurrences.
  const said = new Map<string, { factor: number; at: number }>();
  for (let i = 0; i < s.length; i++) {
    for (let len = 2; len <= index.maxKeyword && i + len <= s.length; len++) {
      const sub = s.slice(i, i + len);
      if (!index.keywords.has(sub)) continue;
      // 建设路, 文化路: a road's name, not what the caller reports.
      if (ROAD_AFTER.test(s.slice(i + len, i + len + 2))) continue;
      // 加油站旁边的井盖: a place named to say where, not what is wrong there.
      const where = PLACE_AFTER.test(s.slice(i + len, i + len + 3)) || PLACE_BEFORE.test(s.slice(Math.max(0, i - 2), i));
      const factor = where ? weights.place : 1;
      const prev = said.get(sub);
      if (!prev || factor > prev.factor) said.set(sub, { factor, at: i });
    }
  }
  for (const [sub, { factor, at }] of said) {
    for (const h of index.keywords.get(sub) ?? []) {
      perLeaf[h.leaf]!.push(h.w * factor);
      found[h.leaf]!.push({ word: sub, at });
    }
  }
  for (let l = 0; l < n; l++) {
    // Diminishing: the strongest keyword counts fully, each next one half as much.
    const ws = perLeaf[l]!.sort((a, b) => b - a);
    let v = 0;
    for (let j = 0; j < ws.length; j++) v += ws[j]! / 2 ** j;
    kw[l] = v;
  }

  const name = new Float64Array(n);
  const qGrams = new Set(bigrams(s));
  for (const g of qGrams) {
    const e = index.grams.get(g);
    if (!e) continue;
    for (const l of e.leaves) name[l] = name[l]! + e.idf;
  }
  for (let l = 0; l < n; l++) name[l] = name[l]! / index.nameNorm[l]!;

  // Words dispatchers' decisions tied to a leaf: the share of the examples with the word that
  // went there, trusted more the more examples there are (one correction: half).
  const taught = new Float64Array(n);
  if (index.learned.size) {
    for (const w of new Set(exampleWords(text))) {
      const m = index.learned.get(w);
      if (!m) continue;
      let total = 0;
      for (const c of m.values()) total += c;
      for (const [leaf, c] of m) taught[leaf] = taught[leaf]! + (c / total) * (total / (total + 1)) * Math.min(w.length, 4) ** 0.5;
    }
  }

  const near = neighbours(index, text, weights.minSimilarity);
  const nb = new Float64Array(n);
  for (const x of near) {
    const l = index.byCode.get(x.example.categoryCode);
    if (l === undefined) continue;
    nb[l] = Math.max(nb[l]!, x.similarity);
  }
  // A leaf's neighbour evidence also counts, a little, for the top-level prior: a few
  // corrections can fix a leaf the model sends to the wrong top level.
  const fallbackPrior = Math.max(...[...prior.values(), 0]);
  const anyKeyword = kw.some((v) => v > 0);
  const raw = new Float64Array(n);
  for (let l = 0; l < n; l++) {
    const leaf = index.leaves[l]!;
    const p = prior.get(leaf.root) ?? fallbackPrior * 0.8;
    raw[l] =
      weights.keyword * kw[l]! +
      weights.name * name[l]! +
      weights.prior * Math.log(p + 0.02) +
      weights.neighbour * nb[l]! +
      weights.learned * taught[l]! +
      (leaf.department && named.has(leaf.department) ? weights.mention : 0) +
      (leaf.other && !anyKeyword ? weights.other : 0);
  }
  let max = -Infinity;
  for (const v of raw) max = Math.max(max, v);
  let sum = 0;
  const e = new Float64Array(n);
  for (let l = 0; l < n; l++) {
    e[l] = Math.exp((raw[l]! - max) / weights.temperature);
    sum += e[l]!;
  }
  const scores = index.leaves.map((leaf, l) => ({
    code: leaf.node.code,
    department: leaf.department,
    name: leaf.node.name,
    id: leaf.node.id,
    path: leaf.path,
    p: e[l]! / sum,
    evidence: { keywords: found[l]!, neighbour: nb[l]! },
  }));
  scores.sort((a, b) => b.p - a.p);
  return { scores, neighbours: near };
}

/**
 * The department most likely over all leaves (their probabilities summed per department),
 * and the best leaf routed there. When the top leaf is a near tie between units (a manhole
 * of 市政 or of 电力?) the mass of its neighbours decides; the proposal stays consistent
 * (the category is one the department handles).
 */
export function byDepartment(scores: LeafScore[]): { leaf: LeafScore | undefined; department: string | null; p: number } {
  const mass = new Map<string, number>();
  for (const s of scores) if (s.department) mass.set(s.department, (mass.get(s.department) ?? 0) + s.p);
  let best: string | null = null;
  let bestP = 0;
  for (const [d, p] of mass) {
    if (p > bestP) {
      best = d;
      bestP = p;
    }
  }
  const leaf = best ? scores.find((s) => s.department === best) : scores[0];
  return { leaf: leaf ?? scores[0], department: best, p: bestP };
}
