/**
 * Pinyin syllables as the converter sees them: a toneless spelling (ü written v, as Rime and
 * pinyin-pro's `v` option write it), a tone 1-4 or 5 (neutral) or 0 (unknown), and a "loose"
 * key that merges the initials and finals callers (and a small acoustic model) confuse, so one
 * index lookup finds 知道 for a heard "zi dao" and the score, not the lookup, decides.
 */

export interface Syllable {
  /** Toneless spelling, e.g. "zhong", "lv". */
  base: string;
  /** 1-4, 5 = neutral, 0 = unknown. */
  tone: number;
}

const INITIALS = new Set([
  'b',
  'p',
  'm',
  'f',
  'd',
  't',
  'n',
  'l',
  'g',
  'k',
  'h',
  'j',
  'q',
  'x',
  'zh',
  'ch',
  'sh',
  'r',
  'z',
  'c',
  's',
  'y',
  'w',
]);

const MARKED: Record<string, [string, number]> = {};
for (const [plain, marks] of [
  ['a', 'āáǎà'],
  ['e', 'ēéěè'],
  ['i', 'īíǐì'],
  ['o', 'ōóǒò'],
  ['u', 'ūúǔù'],
  ['v', 'ǖǘǚǜ'],
  ['n', '\u0000ńňǹ'],
  ['m', '\u0000ḿ\u0000\u0000'],
] as const) {
  [...marks].forEach((ch, i) => {
    if (ch !== '\u0000') MARKED[ch] = [plain, i + 1];
  });
}

/** A final with a tone mark ("iǎn", "üè", "en") to its toneless spelling and tone (5 when unmarked). */
export function parseFinal(token: string): { final: string; tone: number } {
  let tone = 5;
  let final = '';
  for (const ch of token.normalize('NFC')) {
    const m = MARKED[ch];
    if (m) {
      final += m[0];
      tone = m[1];
    } else final += ch === 'ü' ? 'v' : ch;
  }
  return { final, tone };
}

export const isInitial = (token: string) => INITIALS.has(token);

/** Spelling rules between the model's initial+final pieces and standard pinyin (j/q/x/y + ü is written u). */
function spell(initial: string, final: string): string {
  if (final.startsWith('v') && (initial === 'j' || initial === 'q' || initial === 'x' || initial === 'y'))
    return `${initial}u${final.slice(1)}`;
  return initial + final;
}

/**
 * Groups the recognizer's tokens (initials, tonal finals) into syllables. Returns each syllable
 * with the index of its last token, so a caller can map syllables back to token timestamps.
 * Tokens that are not pinyin (Latin letters for English words, <unk>) are skipped.
 */
export function tokensToSyllables(tokens: readonly string[]): { syllables: Syllable[]; lastToken: number[] } {
  const syllables: Syllable[] = [];
  const lastToken: number[] = [];
  let initial = '';
  tokens.forEach((t, i) => {
    if (INITIALS.has(t)) {
      initial = t;
      return;
    }
    if (!/^[a-zü\u00e0-\u01dc\u0144\u0148\u01f9\u1e3f]+$/u.test(t)) {
      initial = '';
      return;
    }
    const { final, tone } = parseFinal(t);
    syllables.push({ base: spell(initial, final), tone });
    lastToken.push(i);
    initial = '';
  });
  return { syllables, lastToken };
}

/** "zhong1" or "lv4" or "ma" (pinyin-pro's num style, or Rime's toneless) to a syllable. */
export function parseNumbered(s: string): Syllable {
  const m = /^([a-zü]+?)([0-5])?$/.exec(s.trim().toLowerCase().replace(/ü/g, 'v').replace(/u:/g, 'v'));
  if (!m) return { base: s, tone: 0 };
  const tone = m[2] === undefined ? 0 : m[2] === '0' ? 5 : Number(m[2]);
  return { base: m[1] as string, tone };
}

/**
 * The loose key: zh/z, ch/c, sh/s, n/l, f/h merged; -ng/-n merged after a, e, i; "r" kept.
 * Measured on the shared clips these are the confusions that matter for this model and for
 * southern callers alike; the exact spelling still scores better than a loose match.
 */
export function looseKey(base: string): string {
  let s = base;
  s = s.replace(/^([zcs])h/, '$1');
  s = s.replace(/^n(?=[^g]|$)/, 'l');
  s = s.replace(/^f/, 'h');
  s = s.replace(/(a|e|i)ng$/, '$1n');
  return s;
}
