/**
 * Pinyin to Chinese characters, the way an input method does it: a beam search over the word
 * lattice that the lexicon spells out of the heard syllables, scored by the word language model
 * plus penalties for what the ear got differently (tones, confusable initials and finals, a
 * character's rarer readings). All scores are log10.
 *
 * The search runs left to right and keeps its states per syllable position, so a partial result
 * that only grew at its end costs the new syllables, not the whole utterance (`Conversion`).
 */
import type { LexEntry, LexiconIndex } from './lexicon.js';
import type { WordLm } from './ngram.js';
import { looseKey, type Syllable } from './syllables.js';

export interface DecoderOptions {
  /** States kept per position. */
  beam: number;
  /** Candidate words kept per lattice span. */
  perSpan: number;
  /** Tone mismatch penalties. */
  toneMismatch: number;
  toneNeutral: number;
  tone23: number;
  /** Penalty per syllable matched only through the loose key (words of 2+ syllables only). */
  loose: number;
  /** Weight of a single character's rarer-reading log share. */
  reading: number;
  /** Bonus for site vocabulary (places, categories), per syllable. */
  siteBonus: number;
  /** Probability floor for a word no model knows (log10). */
  floor: number;
}

export const DEFAULT_DECODER_OPTIONS: DecoderOptions = {
  beam: 16,
  perSpan: 24,
  toneMismatch: 1.5,
  toneNeutral: 0.7,
  tone23: 1.0,
  loose: 1.5,
  reading: 0.5,
  siteBonus: 0.4,
  floor: -9,
};

interface State {
  score: number;
  h1: string | undefined;
  h2: string;
  word: string;
  back: State | undefined;
}

/** Characters whose tone changes with the next syllable (一, 不): no tone penalty. */
const SANDHI = new Set(['一', '不']);

const DIGIT_SYLLABLES: Record<string, string> = {
  ling: '零',
  yi: '一',
  yao: '幺',
  er: '二',
  liang: '两',
  san: '三',
  si: '四',
  wu: '五',
  liu: '六',
  qi: '七',
  ba: '八',
  jiu: '九',
};

export class PinyinDecoder {
  readonly options: DecoderOptions;
  constructor(
    readonly lexicon: LexiconIndex,
    readonly lm: WordLm,
    options: Partial<DecoderOptions> = {},
  ) {
    this.options = { ...DEFAULT_DECODER_OPTIONS, ...options };
  }

  /** Penalty (>= 0) for reading the heard syllables as this entry; Infinity when it may not. */
  penalty(entry: LexEntry, heard: readonly Syllable[], from: number): number {
    const o = this.options;
    let pen = 0;
    const multi = entry.syllables.length > 1;
    const chars = multi ? [...entry.word] : [entry.word];
    for (let k = 0; k < entry.syllables.length; k++) {
      const want = entry.syllables[k] as Syllable;
      const got = heard[from + k] as Syllable;
      if (want.base !== got.base) {
        if (!multi) return Number.POSITIVE_INFINITY;
        pen += o.loose;
      }
      if (want.tone && got.tone && want.tone !== got.tone && !SANDHI.has(chars[k] as string)) {
        if (want.tone === 5 || got.tone === 5) pen += o.toneNeutral;
        else if ((want.tone === 2 && got.tone === 3) || (want.tone === 3 && got.tone === 2)) pen += o.tone23;
        else pen += o.toneMismatch;
      }
    }
    pen -= o.reading * entry.readingLog;
    if (entry.site) pen -= o.siteBonus * entry.syllables.length;
    return pen;
  }

  /** Candidate words for heard[from, to), best first, with their penalties. */
  candidates(heard: readonly Syllable[], from: number, to: number): { entry: LexEntry; pen: number }[] {
    const key = heard
      .slice(from, to)
      .map((s) => looseKey(s.base))
      .join(' ');
    const list = this.lexicon.byKey.get(key);
    if (!list) return [];
    const out: { entry: LexEntry; pen: number }[] = [];
    for (const entry of list) {
      const pen = this.penalty(entry, heard, from);
      if (Number.isFinite(pen)) out.push({ entry, pen });
    }
    // Prefer close matches, then frequent words; the LM decides among the kept ones.
    out.sort((a, b) => a.pen - b.pen || b.entry.weight - a.entry.weight);
    return out.slice(0, this.options.perSpan);
  }

  logProb(h1: string | undefined, h2: string, w: string): number {
    const p = this.lm.prob(h1, h2, w);
    return p > 0 ? Math.log10(p) : this.options.floor;
  }

  /** A fresh incremental conversion (one per utterance being heard). */
  start(): Conversion {
    return new Conversion(this);
  }

  /** Converts a whole syllable sequence. */
  convert(heard: readonly Syllable[]): string {
    return this.start().update(heard);
  }
}

const sameSyllable = (a: Syllable | undefined, b: Syllable | undefined) => !!a && !!b && a.base === b.base && a.tone === b.tone;

export class Conversion {
  private heard: Syllable[] = [];
  /** Syllables inside a spoken number (digitRunMask). */
  private digits: boolean[] = [];
  /** states[i]: the best states after the first i syllables. */
  private states: State[][] = [[{ score: 0, h1: undefined, h2: '<s>', word: '', back: undefined }]];

  constructor(private readonly d: PinyinDecoder) {}

  /** Converts `heard`, reusing the states of the prefix it shares with the previous call. */
  update(heard: readonly Syllable[]): string {
    const mask = digitRunMask(heard);
    let common = 0;
    while (
      common < heard.length &&
      common < this.heard.length &&
      sameSyllable(heard[common], this.heard[common]) &&
      mask[common] === this.digits[common]
    )
      common++;
    this.heard = heard.slice();
    this.digits = mask;
    this.states.length = common + 1;
    for (let i = common + 1; i <= heard.length; i++) this.states[i] = this.extend(i);
    return this.text();
  }

  private extend(i: number): State[] {
    const d = this.d;
    const best = new Map<string, State>();
    const maxLen = Math.min(d.lexicon.maxSyllables, i);
    for (let len = 1; len <= maxLen; len++) {
      const j = i - len;
      const from = this.states[j];
      if (!from?.length) continue;
      const inNumber = this.digits.slice(j, i).some(Boolean);
      if (inNumber && len > 1) continue;
      const digit = inNumber ? DIGIT_SYLLABLES[(this.heard[j] as Syllable).base] : undefined;
      let cands = digit
        ? [{ entry: { word: digit, syllables: [this.heard[j] as Syllable], weight: 1, readingLog: 0 }, pen: 0 }]
        : d.candidates(this.heard, j, i);
      if (!cands.length && len === 1) cands = [{ entry: fallbackEntry(this.heard[j] as Syllable), pen: 3 }];
      for (const c of cands) {
        const w = c.entry.word;
        for (const s of from) {
          const score = s.score + d.logProb(s.h1, s.h2, w) - c.pen;
          const key = `${s.h2}\u0001${w}`;
          const prev = best.get(key);
          if (!prev || prev.score < score) best.set(key, { score, h1: s.h2, h2: w, word: w, back: s });
        }
      }
    }
    return [...best.values()].sort((a, b) => b.score - a.score).slice(0, d.options.beam);
  }

  /** The best path's text, the end-of-sentence probability included. */
  text(): string {
    const n = this.heard.length;
    if (!n) return '';
    return this.best();
  }

  private best(): string {
    const last = this.states[this.heard.length] ?? [];
    let top: State | undefined;
    let topScore = Number.NEGATIVE_INFINITY;
    for (const s of last) {
      const sc = s.score + this.d.logProb(s.h1, s.h2, '</s>');
      if (sc > topScore) {
        topScore = sc;
        top = s;
      }
    }
    const words: string[] = [];
    for (let s = top; s?.back; s = s.back) words.push(s.word);
    return words.reverse().join('');
  }
}

/** A syllable no lexicon word spells: its commonest character would be a guess, so nothing. */
function fallbackEntry(s: Syllable): LexEntry {
  return { word: '', syllables: [s], weight: 0, readingLog: 0 };
}

const isDigit = (s: Syllable | undefined) => !!s && s.base in DIGIT_SYLLABLES;

/**
 * Spoken numbers (phone numbers, house numbers) are syllables the language model cannot help
 * with: in a stretch of 6 or more syllables that starts and ends with a digit and is at least
 * 70 % digits, every digit syllable is written as a digit (the others are converted as usual).
 */
export function digitRunMask(heard: readonly Syllable[]): boolean[] {
  const mask = heard.map(() => false);
  let i = 0;
  while (i < heard.length) {
    if (!isDigit(heard[i])) {
      i++;
      continue;
    }
    // Grow the stretch while it stays 70 % digits; remember the last end that is a digit.
    let digits = 0;
    let bestEnd = -1;
    for (let k = i; k < heard.length; k++) {
      if (isDigit(heard[k])) digits++;
      if (digits / (k - i + 1) < 0.7) break;
      if (isDigit(heard[k])) bestEnd = k;
    }
    if (bestEnd - i + 1 >= 6) {
      for (let k = i; k <= bestEnd; k++) mask[k] = isDigit(heard[k]);
      i = bestEnd + 1;
    } else i++;
  }
  return mask;
}
