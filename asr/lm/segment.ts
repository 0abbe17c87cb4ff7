/**
 * Word segmentation restricted to the acoustic model's dictionary: the LM may only hold
 * words the recognizer can pronounce. jieba proposes words; one it does not know is split
 * into the longest dictionary words, down to single characters; a character outside the
 * dictionary breaks the sentence.
 */
import { readFileSync } from 'node:fs';
import { Jieba } from '@node-rs/jieba';
import { dict as jiebaDict } from '@node-rs/jieba/dict.js';

export interface Lexicon {
  has(word: string): boolean;
  maxLength: number;
}

/** Words of a PocketSphinx dictionary (word, tab or space, phones; variants as word(2)). */
export function readLexicon(path: string): Lexicon {
  const words = new Set<string>();
  let maxLength = 1;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const w = line.split(/[\t ]/, 1)[0]?.replace(/\(\d+\)$/, '');
    if (!w) continue;
    words.add(w);
    if ([...w].length > maxLength) maxLength = [...w].length;
  }
  return { has: (w) => words.has(w), maxLength: Math.min(maxLength, 8) };
}

let jieba: Jieba | undefined;

const CHINESE_RUN = /[\u3400-\u9fff]+/g;
const ARABIC = /[0-9０-９]/g;
const DIGIT_WORDS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/** Splits text into runs of Chinese characters (punctuation, Latin letters and symbols end a sentence). */
export function sentencesOf(text: string): string[] {
  // Digits are read out one by one in the hotline's numbers (phone, house, room).
  const spoken = text.replace(ARABIC, (d) => DIGIT_WORDS[Number.parseInt(d.normalize('NFKC'), 10)] as string);
  return spoken.match(CHINESE_RUN) ?? [];
}

/** Forward maximum matching over the lexicon; undefined marks a character it cannot pronounce. */
function splitUnknown(token: string, lex: Lexicon): (string | undefined)[] {
  const chars = [...token];
  const out: (string | undefined)[] = [];
  for (let i = 0; i < chars.length; ) {
    let taken = 0;
    for (let n = Math.min(lex.maxLength, chars.length - i); n >= 1; n--) {
      const w = chars.slice(i, i + n).join('');
      if (lex.has(w)) {
        out.push(w);
        taken = n;
        break;
      }
    }
    if (!taken) {
      out.push(undefined);
      taken = 1;
    }
    i += taken;
  }
  return out;
}

/** Segments one sentence of Chinese characters into dictionary words; returns the pieces between unknown characters. */
export function segmentSentence(sentence: string, lex: Lexicon): string[][] {
  jieba ??= Jieba.withDict(jiebaDict);
  const pieces: string[][] = [[]];
  for (const token of jieba.cut(sentence, false)) {
    const words = lex.has(token) ? [token] : splitUnknown(token, lex);
    for (const w of words) {
      if (w) (pieces.at(-1) as string[]).push(w);
      else if ((pieces.at(-1) as string[]).length) pieces.push([]);
    }
  }
  return pieces.filter((p) => p.length > 0);
}
