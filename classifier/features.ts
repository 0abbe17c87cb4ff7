/**
 * Text → hashed sparse features, shared by training and inference so both see exactly
 * the same features. ONNX cannot segment Chinese words or hash strings; everything after
 * this step (sublinear tf, idf, l2 normalisation, the linear layer, softmax) is in the
 * ONNX graph and mirrored by `reference.ts`.
 */
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';

export interface FeatureConfig {
  /** Number of hash buckets (a power of two). */
  buckets: number;
  /** Character n-gram lengths over the Chinese characters of the text. */
  charNgrams: number[];
  /** Jieba words as features. */
  words: boolean;
}

export interface SparseFeatures {
  /** Distinct bucket indices, ascending. */
  ids: Int32Array;
  /** Raw count of each bucket in the text (≥ 1). */
  counts: Float32Array;
}

let jieba: Jieba | undefined;
function segmenter(): Jieba {
  // Loading the dictionary takes ~0.3 s: once per process, on first use.
  jieba ??= Jieba.withDict(dict);
  return jieba;
}

// The Han ranges (CJK extension A, unified ideographs, compatibility ideographs), once.
const HAN = '\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff';
const CJK = new RegExp(`[${HAN}]`);
const NON_CJK_RUN = new RegExp(`[^${HAN}]+`, 'g');
// Speech recognisers put a space between words ("车辆 起火"); typed Chinese has none.
const SPACE_IN_CHINESE = new RegExp(`(?<=[${HAN}]) (?=[${HAN}])`, 'g');
const ASCII_WORD = /^[a-z]{2,}$/;

export function hasChinese(text: string): boolean {
  return CJK.test(text);
}

/** Full-width to half-width, lower case, one space between runs. */
export function normalise(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** 32-bit FNV-1a over UTF-16 code units: fast, stable across platforms and versions. */
export function fnv1a(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Words of a text. Natural text is segmented with jieba; already segmented text
 * (tokens separated by spaces, the training set's second half) keeps its tokens so
 * that its segmentation is not redone differently. Digits, punctuation and the
 * anonymisation codes (A3, K8) carry no class information and are dropped.
 */
export function words(text: string, presegmented = false): string[] {
  const raw = presegmented ? text.split(' ') : segmenter().cut(text, true);
  const out: string[] = [];
  for (const w of raw) {
    const t = w.trim();
    if (!t) continue;
    if (CJK.test(t) || ASCII_WORD.test(t)) out.push(t);
  }
  return out;
}

/** Only the Chinese characters, runs of anything else collapsed to one separator. */
export function chineseOnly(text: string): string {
  return text.replace(NON_CJK_RUN, '|');
}

/** The hashed feature vector of one text. */
export function featurise(text: string, cfg: FeatureConfig, presegmented = false): SparseFeatures {
  const norm = presegmented ? normalise(text) : normalise(text).replace(SPACE_IN_CHINESE, '');
  const mask = cfg.buckets - 1;
  const counts = new Map<number, number>();
  const add = (key: string) => {
    const b = fnv1a(key) & mask;
    counts.set(b, (counts.get(b) ?? 0) + 1);
  };
  // Segmented training rows lost their stop words; n-grams run across the gap, as
  // they would across the stop word in natural text: a little noise, same features.
  const chars = chineseOnly(presegmented ? norm.replace(/ /g, '') : norm);
  for (const n of cfg.charNgrams) {
    for (let i = 0; i + n <= chars.length; i++) {
      const g = chars.slice(i, i + n);
      if (g.includes('|')) continue;
      add(`c${n}:${g}`);
    }
  }
  if (cfg.words) for (const w of words(norm, presegmented)) add(`w:${w}`);
  const ids = Int32Array.from([...counts.keys()].sort((a, b) => a - b));
  const c = new Float32Array(ids.length);
  for (let i = 0; i < ids.length; i++) c[i] = counts.get(ids[i] as number) as number;
  return { ids, counts: c };
}
