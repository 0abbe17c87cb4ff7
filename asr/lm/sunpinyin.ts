/**
 * Reads the general-Chinese word trigram of Debian's `sunpinyin-data` (CC BY-SA 3.0, so it is
 * read from the installed package at build time and nothing made from it is committed) into
 * plain typed arrays. The files are read directly: sunpinyin-utils is not needed at run time.
 *
 * lm_sc.t3g, sunpinyin's "threaded" back-off model (CThreadSlm, written by slmthread), all
 * little-endian 32-bit words:
 *   u32 N (3), u32 useLogPr (0: tables hold P and bow; 1: they hold -ln P and -ln bow),
 *   u32 levelSize[N+1] (each counts one pseudo tail node), f32 pr[65536], f32 bow[16384],
 *   then level 0 (the root), levels 1..N-1 as 12-byte nodes and level N as 8-byte leaves.
 *   node: wid:18 bow:14 | pr:16 chLo:16 | bon:23 bol:2 chHi:7 (bit fields from bit 0 up)
 *   leaf: wid:18 prLo:14 | bon:23 bol:2 prHi:2
 * A node's children are [ch, next node's ch) in the level below, sorted by word id; pr and
 * bow index the two quantised tables. The bow sits on the history node, as in ARPA: a node
 * for (w1) or (w1 w2) carries bow(w1) or bow(w1 w2). (bol, bon) is the "thread" to the node
 * of the shortened history that has children; it only speeds up sunpinyin's look-ups and is
 * the standard back-off path, so it is not needed here. The root holds the 0-gram: a uniform
 * 1/200000 and the weight that unigram look-ups back off with.
 *
 * pydict_sc.bin, the pinyin trie (CPinyinTrie): u32 wordCount, u32 nodeCount, u32
 * stringOffset, the trie nodes, and at stringOffset wordCount NUL-terminated UTF-32LE strings:
 * the text of word id 0, 1, 2, ... in order.
 *
 * The shipped model was pruned hard at the top order: its 1M trigrams sit under 988k bigram
 * contexts (one each, mostly a comma, the non-word token or 的 after a rare pair), so most of
 * its context information is in the 2.5M bigrams.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** An n-gram back-off model as parallel typed arrays; all probabilities log10. */
export interface NgramTables {
  /**
   * word id -> word text ('' where an id has no word). sunpinyin's model has no sentence
   * markers (<s>, </s>): its training stream had none, so there is no id for them. Id 0 is
   * sunpinyin's "not a word" token (runs of text outside its lexicon: digits, Latin letters,
   * symbols, unknown characters) and 70..79 are Chinese punctuation (，。；？！：“”、…); these
   * have probabilities but '' as text, like every id whose text is not all Chinese characters.
   */
  words: string[];
  /**
   * index = word id. A word of the lexicon without its own unigram gets sunpinyin's 0-gram
   * estimate (root bow x 1/200000, about 1e-12), which is what sunpinyin itself gives it; an
   * id with neither text nor unigram has -Infinity.
   */
  uni: { logp: Float32Array; bow: Float32Array };
  bi: { w1: Uint32Array; w2: Uint32Array; logp: Float32Array; bow: Float32Array }; // sorted by (w1, w2)
  tri: { w1: Uint32Array; w2: Uint32Array; w3: Uint32Array; logp: Float32Array }; // sorted by (w1, w2, w3)
}

export const SUNPINYIN_DIR = '/usr/lib/x86_64-linux-gnu/sunpinyin/data';

const LM_FILE = 'lm_sc.t3g';
const DICT_FILE = 'pydict_sc.bin';
const PR_LEVELS = 1 << 16;
const BOW_LEVELS = 1 << 14;
const NODE_BYTES = 12;
const LEAF_BYTES = 8;
const HAN = /^\p{Script=Han}+$/u;

/** Reads the installed model; throws an Error naming the missing file and `apt-get install sunpinyin-data` when absent, or naming the file and offset when it is malformed. */
export function readSunpinyinLm(dir: string = SUNPINYIN_DIR): NgramTables {
  const lmPath = join(dir, LM_FILE);
  const dictPath = join(dir, DICT_FILE);
  const lm = readThreadedTrigram(lmPath, readInstalled(lmPath));
  const lexicon = readWordTable(dictPath, readInstalled(dictPath));

  const size = Math.max(lexicon.length, lm.maxWid + 1);
  const words = Array.from({ length: size }, (_, id) => lexicon[id] ?? '');
  const logp = new Float32Array(size);
  const bow = new Float32Array(size);
  for (let id = 0; id < size; id++) logp[id] = words[id] ? lm.floorLogp : Number.NEGATIVE_INFINITY;
  for (let i = 0; i < lm.uniWid.length; i++) {
    const id = lm.uniWid[i] as number;
    logp[id] = lm.uniLogp[i] as number;
    bow[id] = lm.uniBow[i] as number;
  }
  return { words, uni: { logp, bow }, bi: lm.bi, tri: lm.tri };
}

function readInstalled(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`${path} is missing: the sunpinyin language model comes from Debian's package (apt-get install sunpinyin-data).`);
    }
    throw err;
  }
}

function malformed(path: string, offset: number, what: string): never {
  throw new Error(`${path} is malformed at byte offset ${offset}: ${what}.`);
}

interface ThreadedTrigram {
  maxWid: number;
  /** log10 of what sunpinyin gives a word with no unigram: root bow x root pr. */
  floorLogp: number;
  uniWid: Uint32Array;
  uniLogp: Float32Array;
  uniBow: Float32Array;
  bi: NgramTables['bi'];
  tri: NgramTables['tri'];
}

function readThreadedTrigram(path: string, buf: Buffer): ThreadedTrigram {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.length < 24) malformed(path, 0, `${buf.length} bytes, shorter than the header`);
  const n = dv.getUint32(0, true);
  if (n !== 3) malformed(path, 0, `order ${n}; this reader expects a little-endian trigram (3)`);
  const useLogPr = dv.getUint32(4, true);
  if (useLogPr > 1) malformed(path, 4, `useLogPr flag ${useLogPr}`);
  const sizes = [0, 1, 2, 3].map((l) => dv.getUint32(8 + 4 * l, true));
  const prAt = 24;
  const bowAt = prAt + 4 * PR_LEVELS;
  const levelAt = [bowAt + 4 * BOW_LEVELS];
  for (let l = 0; l < 3; l++) levelAt.push((levelAt[l] as number) + NODE_BYTES * (sizes[l] as number));
  const expected = (levelAt[3] as number) + LEAF_BYTES * (sizes[3] as number);
  if (expected !== buf.length || sizes.some((s) => s < 1) || sizes[0] !== 2) {
    malformed(path, 8, `level sizes ${sizes.join(', ')} imply ${expected} bytes but the file has ${buf.length}`);
  }

  // Quantised tables to log10; a value that cannot be a probability is reported where it is used.
  const toLog10 = (v: number) => (useLogPr ? -v / Math.LN10 : Math.log10(v));
  const prTable = Float64Array.from({ length: PR_LEVELS }, (_, i) => toLog10(dv.getFloat32(prAt + 4 * i, true)));
  const bowTable = Float64Array.from({ length: BOW_LEVELS }, (_, i) => toLog10(dv.getFloat32(bowAt + 4 * i, true)));
  const prOf = (idx: number, at: number) => {
    const v = prTable[idx] as number;
    if (!(Number.isFinite(v) && v <= 0)) malformed(path, at, `probability table entry ${idx} is not a probability`);
    return v;
  };
  const bowOf = (idx: number, at: number) => {
    const v = bowTable[idx] as number;
    if (!Number.isFinite(v)) malformed(path, at, `back-off table entry ${idx} is not a positive weight`);
    return v;
  };

  const node = (level: number, i: number) => (levelAt[level] as number) + NODE_BYTES * i;
  const wid = (at: number) => dv.getUint32(at, true) & 0x3ffff;
  const nodeBow = (at: number) => dv.getUint32(at, true) >>> 18;
  const nodePr = (at: number) => dv.getUint32(at + 4, true) & 0xffff;
  const children = (at: number) => ((dv.getUint32(at + 8, true) >>> 25) << 16) | (dv.getUint32(at + 4, true) >>> 16);
  const leafPr = (at: number) => (((dv.getUint32(at + 4, true) >>> 25) & 3) << 14) | (dv.getUint32(at, true) >>> 18);

  // Each node's child range ends where the next node's begins, so the ranges must tile the
  // level below exactly; anything else means the file is not what this reader assumes.
  // In the shipped file the pseudo tail of the bigram level holds 0 instead of the trigram
  // count; read as that count, the last bigram's range ends at the end of the leaves.
  const childRange = (level: number, i: number, below: number) => {
    const at = node(level, i);
    const h = children(at);
    const isLast = i + 2 === sizes[level];
    const t = isLast && children(at + NODE_BYTES) === 0 ? below : children(at + NODE_BYTES);
    if (h > t || t > below) malformed(path, at, `children [${h}, ${t}) outside level ${level + 1} of ${below}`);
    return [h, t] as const;
  };
  const n1 = (sizes[1] as number) - 1;
  const n2 = (sizes[2] as number) - 1;
  const n3 = (sizes[3] as number) - 1;
  const root = node(0, 0);
  if (childRange(0, 0, n1).join() !== `0,${n1}`) malformed(path, root, 'the root does not span the unigram level');
  const floorLogp = bowOf(nodeBow(root), root) + prOf(nodePr(root), root);

  const uniWid = new Uint32Array(n1);
  const uniLogp = new Float32Array(n1);
  const uniBow = new Float32Array(n1);
  const bi = { w1: new Uint32Array(n2), w2: new Uint32Array(n2), logp: new Float32Array(n2), bow: new Float32Array(n2) };
  const tri = { w1: new Uint32Array(n3), w2: new Uint32Array(n3), w3: new Uint32Array(n3), logp: new Float32Array(n3) };
  let maxWid = 0;
  let prevCh = 0;
  for (let i = 0; i < n1; i++) {
    const at = node(1, i);
    const w = wid(at);
    if (i > 0 && w <= (uniWid[i - 1] as number)) malformed(path, at, `unigram word ids out of order (${w} after ${uniWid[i - 1]})`);
    uniWid[i] = w;
    uniLogp[i] = prOf(nodePr(at), at);
    uniBow[i] = bowOf(nodeBow(at), at);
    if (w > maxWid) maxWid = w;
    const [h, t] = childRange(1, i, n2);
    if (h !== prevCh) malformed(path, at, `bigram range starts at ${h}, expected ${prevCh}`);
    prevCh = t;
    for (let j = h; j < t; j++) {
      const bat = node(2, j);
      const w2 = wid(bat);
      if (j > h && w2 <= (bi.w2[j - 1] as number)) malformed(path, bat, `bigram word ids out of order (${w2} after ${bi.w2[j - 1]})`);
      bi.w1[j] = w;
      bi.w2[j] = w2;
      bi.logp[j] = prOf(nodePr(bat), bat);
      bi.bow[j] = bowOf(nodeBow(bat), bat);
    }
  }
  if (prevCh !== n2) malformed(path, node(1, n1), `unigram children end at ${prevCh}, expected ${n2}`);

  prevCh = 0;
  for (let j = 0; j < n2; j++) {
    const [h, t] = childRange(2, j, n3);
    if (h !== prevCh) malformed(path, node(2, j), `trigram range starts at ${h}, expected ${prevCh}`);
    prevCh = t;
    for (let k = h; k < t; k++) {
      const at = (levelAt[3] as number) + LEAF_BYTES * k;
      const w3 = wid(at);
      if (k > h && w3 <= (tri.w3[k - 1] as number)) malformed(path, at, `trigram word ids out of order (${w3} after ${tri.w3[k - 1]})`);
      tri.w1[k] = bi.w1[j] as number;
      tri.w2[k] = bi.w2[j] as number;
      tri.w3[k] = w3;
      tri.logp[k] = prOf(leafPr(at), at);
      if (w3 > maxWid) maxWid = w3;
    }
  }
  if (prevCh !== n3) malformed(path, node(2, n2), `bigram children end at ${prevCh}, expected ${n3}`);
  for (let j = 0; j < n2; j++) if ((bi.w2[j] as number) > maxWid) maxWid = bi.w2[j] as number;
  return { maxWid, floorLogp, uniWid, uniLogp, uniBow, bi, tri };
}

/** Word texts by id from the pinyin trie's string table; '' for ids whose text is not all Chinese characters. */
function readWordTable(path: string, buf: Buffer): string[] {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.length < 12) malformed(path, 0, `${buf.length} bytes, shorter than the header`);
  const count = dv.getUint32(0, true);
  const stringsAt = dv.getUint32(8, true);
  if (stringsAt < 12 || stringsAt > buf.length || (buf.length - stringsAt) % 4 !== 0) {
    malformed(path, 8, `string table offset ${stringsAt} does not fit a file of ${buf.length} bytes`);
  }
  const words: string[] = new Array(count);
  let p = stringsAt;
  for (let id = 0; id < count; id++) {
    const start = p;
    let text = '';
    for (;;) {
      if (p + 4 > buf.length) malformed(path, start, `word ${id} of ${count} runs past the end of the file`);
      const c = dv.getUint32(p, true);
      p += 4;
      if (c === 0) break;
      if (c > 0x10ffff) malformed(path, p - 4, `word ${id} holds ${c}, not a Unicode code point`);
      text += String.fromCodePoint(c);
    }
    words[id] = HAN.test(text) ? text : '';
  }
  return words;
}
