/**
 * Builds what the pinyin converter loads (MODELS_DIR/asr/lm/): the lexicon with tones and site
 * words (pinyin-lexicon.tsv), the hotline's word trigram over that lexicon's words
 * (hotline-pinyin.arpa), and a manifest naming the general-Chinese model to mix in
 * (pinyin-lm.json). Part of `hotline asr build-lm`; a server that runs the sherpa engine
 * picks the new files up on its next stream, without a restart.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Queryable } from '../../db/index.js';
import { writeArpa } from '../lm/arpa.js';
import { catalogueSentences, numberSentences, segmentAll, segmentedTextSets, siteVocabulary, textSetFiles } from '../lm/build.js';
import { estimateLm } from '../lm/estimate.js';
import type { Lexicon } from '../lm/segment.js';
import { type AsrSettings, asrPaths } from '../settings.js';
import { type GeneralLmSource, generalLmSource, generalLmWords } from './general.js';
import { buildLexicon, isSimplifiedWord, lexiconToTsv, readRimeDict } from './lexicon.js';

export const PINYIN_FILES = {
  lexicon: 'pinyin-lexicon.tsv',
  domainLm: 'hotline-pinyin.arpa',
  manifest: 'pinyin-lm.json',
  corpusCache: 'pinyin-corpus.cache',
} as const;

export interface PinyinManifest {
  built: string;
  general: GeneralLmSource | null;
  /** Interpolation weights of the hotline model, the general model and the lexicon unigram. */
  weights: { domain: number; general: number; unigram: number };
  lexiconWords: number;
  siteWords: number;
}

export const DEFAULT_WEIGHTS = { domain: 0.45, general: 0.45, unigram: 0.1 };

/** Where the Rime pinyin dictionary is: installed by `hotline models`, the shared copy, or Debian's package. */
export function rimeDictPath(values: AsrSettings): string | undefined {
  const paths = asrPaths(values);
  return [
    join(paths.modelsDir, 'asr', 'lexicon', 'pinyin_simp.dict.yaml'),
    join(paths.sharedDir, 'models', 'rime-pinyin-simp-dict', 'pinyin_simp.dict.yaml'),
    '/usr/share/rime-data/pinyin_simp.dict.yaml',
  ].find((p) => existsSync(p));
}

export const pinyinDir = (values: AsrSettings) => dirname(asrPaths(values).domainLm);

const PLACE_SUFFIX = /(街道办事处|街道|社区居委会|居委会|社区|村委会|村|网格|小区|镇|乡)$/;

/** Site words: places (and their names without 街道/社区/..., as callers shorten them), categories, short extra lines. */
export function siteWordsOf(places: string[], categories: string[], extraLines: string[]): string[] {
  const out = new Set<string>();
  const add = (w: string) => {
    const t = w.trim();
    if ([...t].length >= 2 && isSimplifiedWord(t)) out.add(t);
  };
  for (const p of places) {
    add(p);
    const stem = p.replace(PLACE_SUFFIX, '');
    if (stem !== p) add(stem);
  }
  for (const c of categories) for (const part of c.split(/[、/（）()，,\s]+/)) add(part);
  for (const l of extraLines) if ([...l.trim()].length <= 8) add(l);
  return [...out];
}

export interface BuildPinyinReport {
  dir: string;
  summary: string;
}

export async function buildPinyinLm(
  values: AsrSettings,
  opts: { db?: Queryable; textSets?: string[]; weights?: PinyinManifest['weights'] } = {},
): Promise<BuildPinyinReport> {
  const started = performance.now();
  const paths = asrPaths(values);
  const dir = pinyinDir(values);
  const dict = rimeDictPath(values);
  if (!dict)
    throw new Error(
      `No pinyin dictionary: run \`npx hotline models\` (copies it from ${join(paths.sharedDir, 'models', 'rime-pinyin-simp-dict')}) or \`apt-get install rime-data-pinyin-simp\`.`,
    );
  const general = generalLmSource(values);
  const extraFile = join(dir, 'extra.txt');
  const extraLines = existsSync(extraFile)
    ? readFileSync(extraFile, 'utf8')
        .split('\n')
        .filter((l) => l.trim())
    : [];
  const { categories, places } = await siteVocabulary(opts.db);
  const siteWords = siteWordsOf(places, categories, extraLines);
  const entries = buildLexicon({
    rime: readRimeDict(dict),
    extraWords: general ? await generalLmWords(general) : [],
    siteWords,
  });
  const words = new Set(entries.map((e) => e.word));
  let maxLength = 1;
  for (const w of words) maxLength = Math.max(maxLength, [...w].length);
  const lex: Lexicon = { has: (w) => words.has(w), maxLength: Math.min(maxLength, 8) };

  const files = textSetFiles(paths.sharedDir, opts.textSets);
  if (!files.length) throw new Error(`No text to build the LM from: ${join(paths.sharedDir, 'text')} has no */train.jsonl.`);
  mkdirSync(dir, { recursive: true });
  const segmented = [
    ...segmentedTextSets(files, dict, join(dir, PINYIN_FILES.corpusCache), lex),
    ...segmentAll([...(await catalogueSentences(opts.db)), ...numberSentences(), ...extraLines], lex),
  ];
  const domain = estimateLm(segmented);
  // Each file is written aside and renamed, the manifest last: a worker that sees the new
  // manifest finds the files it names complete.
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, `${name}.tmp`), text);
    renameSync(join(dir, `${name}.tmp`), join(dir, name));
  };
  write(PINYIN_FILES.lexicon, lexiconToTsv(entries));
  const counts = await writeArpa(domain, join(dir, `${PINYIN_FILES.domainLm}.tmp`));
  renameSync(join(dir, `${PINYIN_FILES.domainLm}.tmp`), join(dir, PINYIN_FILES.domainLm));
  const manifest: PinyinManifest = {
    built: new Date().toISOString(),
    general,
    weights: opts.weights ?? (general ? DEFAULT_WEIGHTS : { domain: 0.85, general: 0, unigram: 0.15 }),
    lexiconWords: entries.length,
    siteWords: siteWords.length,
  };
  write(PINYIN_FILES.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
  const seconds = (performance.now() - started) / 1000;
  return {
    dir,
    summary: `wrote the pinyin converter's models to ${dir}: ${entries.length} words (${siteWords.length} site words), hotline trigram ${counts.join('/')} n-grams from ${segmented.length} sentences, general model ${general ? `${general.kind} ${general.path}` : 'none (install sunpinyin-data for better accuracy)'}, in ${seconds.toFixed(1)} s`,
  };
}
