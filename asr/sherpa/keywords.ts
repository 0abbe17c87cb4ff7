/**
 * Spoken keywords for sherpa-onnx's KeywordSpotter: site phrases (the emergency rules'
 * words, 起火, 持刀 …) written as the pinyin model's tokens (initial and toned final,
 * `q ǐ h uǒ`), one line each with its own boost and threshold, in the spotter's
 * keywords-file format: `q ǐ h uǒ :1.5 #0.3 @起火`.
 */
import { readFileSync } from 'node:fs';
import { pinyin } from 'pinyin-pro';

export interface SpokenKeyword {
  /** The phrase in characters, reported back on a hit (e.g. 起火). */
  phrase: string;
  /** Boost of the phrase's path in the search (sherpa's keywords_score; 1 = none). */
  boost?: number;
  /** Least mean token probability for a hit (sherpa's keywords_threshold, 0–1). */
  threshold?: number;
}

const INITIALS = ['zh', 'ch', 'sh', 'b', 'p', 'm', 'f', 'd', 't', 'n', 'l', 'g', 'k', 'h', 'j', 'q', 'x', 'r', 'z', 'c', 's', 'y', 'w'];
const HAN_ONLY = /^[\u3400-\u9fff]+$/u;

/** A syllable with its tone mark (`huǒ`) as the model's tokens (`h uǒ`). */
export function syllableTokens(syllable: string): string[] {
  for (const i of INITIALS) {
    if (syllable.startsWith(i) && syllable.length > i.length) return [i, syllable.slice(i.length)];
  }
  return [syllable];
}

/**
 * The phrase as model tokens, or null when it cannot be spotted: not all Chinese
 * characters, shorter than two syllables (too many false alarms), or a syllable the
 * model has no token for.
 */
export function phraseTokens(phrase: string, vocabulary: ReadonlySet<string>): string[] | null {
  if (!HAN_ONLY.test(phrase) || phrase.length < 2) return null;
  const syllables = pinyin(phrase, { type: 'array', toneType: 'symbol', v: false }) as string[];
  const tokens = syllables.flatMap((s) => syllableTokens(s.replace(/v/g, 'ü')));
  return tokens.every((t) => vocabulary.has(t)) ? tokens : null;
}

/** The model's token list (tokens.txt: `token id` per line). */
export function readVocabulary(tokensFile: string): Set<string> {
  return new Set(
    readFileSync(tokensFile, 'utf8')
      .split('\n')
      .map((l) => l.trim().split(/\s+/)[0])
      .filter((t): t is string => !!t),
  );
}

/**
 * The keywords file's text for the phrases that can be spotted; the others are listed
 * in `skipped`, so a site learns which of its words are read only in the transcript.
 */
export function keywordsFileText(list: SpokenKeyword[], vocabulary: ReadonlySet<string>): { text: string; skipped: string[] } {
  const lines: string[] = [];
  const skipped: string[] = [];
  const seen = new Set<string>();
  for (const k of list) {
    if (seen.has(k.phrase)) continue;
    seen.add(k.phrase);
    const tokens = phraseTokens(k.phrase, vocabulary);
    if (!tokens) {
      skipped.push(k.phrase);
      continue;
    }
    const boost = k.boost !== undefined ? ` :${k.boost}` : '';
    const threshold = k.threshold !== undefined ? ` #${k.threshold}` : '';
    lines.push(`${tokens.join(' ')}${boost}${threshold} @${k.phrase}`);
  }
  return { text: lines.length ? `${lines.join('\n')}\n` : '', skipped };
}

/**
 * The literal phrases a rule pattern stands for: a keyword is itself; a regex made only
 * of characters, groups of alternatives and optional parts (`(煤气|燃气)泄(漏|露)`,
 * `掉进(河|湖)`) expands into its phrases, at most `limit`; any other regex gives none
 * (it is still checked on the transcript).
 */
export function rulePhrases(pattern: string, kind: 'keyword' | 'regex', limit = 24): string[] {
  if (kind === 'keyword') return [pattern.trim()];
  const out = expand(pattern, limit);
  return out ? [...new Set(out)].filter((p) => p.length >= 2) : [];
}

function expand(p: string, limit: number): string[] | null {
  let results = [''];
  let i = 0;
  while (i < p.length) {
    const ch = p[i]!;
    let options: string[];
    if (ch === '(') {
      let depth = 0;
      let j = i;
      for (; j < p.length; j++) {
        if (p[j] === '(') depth++;
        else if (p[j] === ')' && --depth === 0) break;
      }
      if (j >= p.length) return null;
      let inner = p.slice(i + 1, j);
      if (inner.startsWith('?:')) inner = inner.slice(2);
      const alts = splitTop(inner);
      const parts: string[] = [];
      for (const a of alts) {
        const e = expand(a, limit);
        if (!e) return null;
        parts.push(...e);
      }
      options = parts;
      i = j + 1;
    } else if (HAN_ONLY.test(ch)) {
      options = [ch];
      i++;
    } else {
      return null;
    }
    if (p[i] === '?') {
      options = [...options, ''];
      i++;
    }
    const next: string[] = [];
    for (const r of results) for (const o of options) next.push(r + o);
    if (next.length > limit) return null;
    results = next;
  }
  return results;
}

function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')') depth--;
    else if (s[i] === '|' && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}
