/**
 * The general-Chinese word model mixed with the hotline's own: it keeps ordinary speech (时间,
 * 孩子, 上班) from drifting into complaint phrases. Preferred: the open-gram trigram of Debian's
 * `sunpinyin-data` (72k words, CC BY-SA 3.0: read where apt installed it, never copied into
 * the repository). Without it, the generic PocketSphinx model's 5,000-word trigram.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readArpa } from '../lm/arpa.js';
import { readSunpinyinLm, SUNPINYIN_DIR } from '../lm/sunpinyin.js';
import { type AsrSettings, asrPaths } from '../settings.js';
import { arpaWordLm, compactWordLm, type WordLm } from './ngram.js';

export type GeneralLmSource = { kind: 'sunpinyin'; path: string } | { kind: 'arpa'; path: string };

export function generalLmSource(values: AsrSettings): GeneralLmSource | null {
  if (existsSync(join(SUNPINYIN_DIR, 'lm_sc.t3g')) && existsSync(join(SUNPINYIN_DIR, 'pydict_sc.bin')))
    return { kind: 'sunpinyin', path: SUNPINYIN_DIR };
  const ps = join(asrPaths(values).pocketsphinxModel, 'model/lm/zh_CN/gigatdt.5000.arpa');
  return existsSync(ps) ? { kind: 'arpa', path: ps } : null;
}

export async function loadGeneralLm(source: GeneralLmSource): Promise<WordLm> {
  if (source.kind === 'sunpinyin') return compactWordLm(readSunpinyinLm(source.path));
  return arpaWordLm(await readArpa(source.path));
}

/** The model's words (for the lexicon: pinyin-pro pronounces those Rime lacks). */
export async function generalLmWords(source: GeneralLmSource): Promise<string[]> {
  const lm = await loadGeneralLm(source);
  return [...lm.words].filter((w) => w && !w.startsWith('<'));
}
