/**
 * The converter's lexicon: words with their tonal pinyin and a frequency weight, indexed by
 * the loose key of their syllables (syllables.ts). Sources, in order: the Rime pinyin_simp
 * dictionary (Apache-2.0, a copy in SHARED_DIR, Debian's rime-data-pinyin-simp otherwise),
 * the words of the language models, and the site's own vocabulary (places, categories, a word
 * list). Only simplified characters of GB2312 are kept: general sources also carry traditional
 * forms (證監會) that a 12345 transcript must never show.
 *
 * Building needs pinyin-pro (tones in context) and takes seconds; it happens in
 * `hotline asr build-lm`, which writes a TSV that the recognizer workers load in milliseconds.
 */
import { readFileSync } from 'node:fs';
import { pinyin } from 'pinyin-pro';
import { looseKey, parseNumbered, type Syllable } from './syllables.js';

export interface LexEntry {
  word: string;
  syllables: Syllable[];
  /** Frequency weight from the source (Rime's weight; 1 when unknown). */
  weight: number;
  /** log10 share of this reading among a single character's readings (0 for the main one, 0 for words). */
  readingLog: number;
  /** Site vocabulary (a place, a category): favoured in the search. */
  site?: boolean;
}

let gbSet: Set<string> | undefined;
/** The 6,763 hanzi of GB2312 (levels 1 and 2), decoded from their code points. */
export function gb2312Hanzi(): Set<string> {
  if (gbSet) return gbSet;
  const dec = new TextDecoder('gbk');
  const set = new Set<string>();
  for (let hi = 0xb0; hi <= 0xf7; hi++) {
    for (let lo = 0xa1; lo <= 0xfe; lo++) {
      const ch = dec.decode(new Uint8Array([hi, lo]));
      if (ch.length === 1 && /\p{Script=Han}/u.test(ch)) set.add(ch);
    }
  }
  // 〇 is how zero is written in years and some numbers; GB2312 has it outside the hanzi rows.
  set.add('〇');
  gbSet = set;
  return set;
}

export const isSimplifiedWord = (w: string) => {
  const gb = gb2312Hanzi();
  for (const ch of w) if (!gb.has(ch)) return false;
  return w.length > 0;
};

/** Rows of a Rime dictionary (`word<TAB>pin yin<TAB>weight` after the `...` line). */
export function readRimeDict(path: string): { word: string; pinyin: string[]; weight: number }[] {
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf('\n...');
  const body = start >= 0 ? text.slice(start + 4) : text;
  const rows: { word: string; pinyin: string[]; weight: number }[] = [];
  for (const line of body.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const [word, py, w] = line.split('\t');
    if (!word || !py) continue;
    rows.push({ word, pinyin: py.trim().split(/\s+/), weight: Number(w) || 0 });
  }
  return rows;
}

/** Tonal readings of one character, as pinyin-pro knows them. */
function charReadings(ch: string): Syllable[] {
  return (pinyin(ch, { multiple: true, type: 'array', toneType: 'num', v: true }) as string[]).map(parseNumbered);
}

/**
 * Tones for a word whose toneless syllables a source gave: pinyin-pro's reading in context when
 * it agrees with the source, else each character's reading that matches, else tone unknown.
 */
export function tonesFor(word: string, bases?: readonly string[]): Syllable[] {
  const inContext = (pinyin(word, { type: 'array', toneType: 'num', v: true }) as string[]).map(parseNumbered);
  const chars = [...word];
  if (!bases) return inContext.length === chars.length ? inContext : chars.map((c) => charReadings(c)[0] ?? { base: '', tone: 0 });
  if (inContext.length === bases.length && inContext.every((s, i) => s.base === bases[i])) return inContext;
  return bases.map((b, i) => {
    const ch = chars[i];
    const r = ch ? charReadings(ch).find((s) => s.base === b) : undefined;
    return r ?? { base: b, tone: 0 };
  });
}

export interface BuildLexiconInput {
  rime: { word: string; pinyin: string[]; weight: number }[];
  /** Words of the language models that Rime lacks (pronounced by pinyin-pro). */
  extraWords?: Iterable<string>;
  /** The site's places, categories and word list. */
  siteWords?: Iterable<string>;
}

/** Builds the entries (see the module comment); deterministic for the same input. */
export function buildLexicon(input: BuildLexiconInput): LexEntry[] {
  const out: LexEntry[] = [];
  const seen = new Set<string>();
  // A character's readings with their weights, for the rare-reading penalty.
  const readingWeights = new Map<string, Map<string, number>>();
  for (const r of input.rime) {
    if ([...r.word].length !== 1 || r.pinyin.length !== 1) continue;
    const m = readingWeights.get(r.word) ?? new Map<string, number>();
    m.set(r.pinyin[0] as string, (m.get(r.pinyin[0] as string) ?? 0) + r.weight);
    readingWeights.set(r.word, m);
  }
  for (const r of input.rime) {
    if (!isSimplifiedWord(r.word) || [...r.word].length !== r.pinyin.length) continue;
    const key = `${r.word}\t${r.pinyin.join(' ')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    let readingLog = 0;
    if (r.pinyin.length === 1) {
      const m = readingWeights.get(r.word);
      const max = m ? Math.max(...m.values()) : 0;
      readingLog = max > 0 ? Math.max(-3, Math.log10(Math.max(r.weight, 1) / max)) : 0;
    }
    out.push({ word: r.word, syllables: tonesFor(r.word, r.pinyin), weight: r.weight, readingLog });
  }
  const known = new Set(out.map((e) => e.word));
  const addWord = (w: string, site: boolean) => {
    if (!isSimplifiedWord(w)) return;
    if (known.has(w)) {
      if (site) for (const e of out) if (e.word === w) e.site = true;
      return;
    }
    known.add(w);
    out.push({ word: w, syllables: tonesFor(w), weight: 1, readingLog: 0, ...(site ? { site: true } : {}) });
  };
  for (const w of input.extraWords ?? []) addWord(w, false);
  for (const w of input.siteWords ?? []) addWord(w, true);
  return out;
}

const syllableText = (s: Syllable) => `${s.base}${s.tone || ''}`;

export function lexiconToTsv(entries: readonly LexEntry[]): string {
  return `${entries
    .map((e) => `${e.word}\t${e.syllables.map(syllableText).join(' ')}\t${e.weight}\t${e.readingLog.toFixed(3)}${e.site ? '\tsite' : ''}`)
    .join('\n')}\n`;
}

export function lexiconFromTsv(text: string): LexEntry[] {
  const out: LexEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const [word, py, w, rl, site] = line.split('\t');
    if (!word || !py) continue;
    out.push({
      word,
      syllables: py.split(' ').map(parseNumbered),
      weight: Number(w) || 0,
      readingLog: Number(rl) || 0,
      ...(site === 'site' ? { site: true } : {}),
    });
  }
  return out;
}

/** Entries by the loose key of their syllables (space-joined), for the lattice. */
export interface LexiconIndex {
  byKey: Map<string, LexEntry[]>;
  maxSyllables: number;
}

export function indexLexicon(entries: readonly LexEntry[]): LexiconIndex {
  const byKey = new Map<string, LexEntry[]>();
  let maxSyllables = 1;
  for (const e of entries) {
    const key = e.syllables.map((s) => looseKey(s.base)).join(' ');
    const list = byKey.get(key);
    if (list) list.push(e);
    else byKey.set(key, [e]);
    if (e.syllables.length > maxSyllables) maxSyllables = e.syllables.length;
  }
  for (const list of byKey.values()) list.sort((a, b) => b.weight - a.weight);
  return { byKey, maxSyllables: Math.min(maxSyllables, 10) };
}
