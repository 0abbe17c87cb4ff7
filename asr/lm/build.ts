/**
 * `hotline asr build-lm`: the hotline's own language model. Sentences come from the
 * hotline's message texts (SHARED_DIR/text/<set>/train.jsonl: development parts only, never
 * the speech references), the category names and the organisation's place names (from the
 * database, so a new street is one rebuild away), spoken phone and house numbers, and an
 * optional extra.txt; they are segmented into words the acoustic model can pronounce, a
 * trigram model is estimated and mixed with the generic LM.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Queryable } from '../../db/index.js';
import { pocketsphinxModel } from '../engine.js';
import { type AsrSettings, asrPaths } from '../settings.js';
import { mixLms, readArpa, writeArpa } from './arpa.js';
import { estimateLm } from './estimate.js';
import { type Lexicon, readLexicon, segmentSentence, sentencesOf } from './segment.js';

export interface BuildLmOptions {
  db?: Queryable;
  /** Share of the domain model in the mix (the rest is the generic LM). */
  weight?: number;
  out?: string;
  /** Text sets under SHARED_DIR/text to read (default: every folder with a train.jsonl). */
  textSets?: string[];
}

export interface BuildLmReport {
  out: string;
  sentences: number;
  words: number;
  counts: number[];
  seconds: number;
  summary: string;
}

export const DEFAULT_DOMAIN_WEIGHT = 0.5;

/** A small deterministic generator, so the same inputs always give the same LM. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const SPOKEN = ['零', '幺', '二', '三', '四', '五', '六', '七', '八', '九'];

/** How callers say numbers: mobile and landline numbers digit by digit (1 as 幺 or 一), house and room numbers. */
export function numberSentences(count = 400): string[] {
  const r = rng(12345);
  const digit = (d: number) => (d === 1 && r() < 0.5 ? '一' : (SPOKEN[d] as string));
  const digits = (n: number, first?: number) =>
    Array.from({ length: n }, (_, i) => digit(i === 0 && first !== undefined ? first : Math.floor(r() * 10))).join('');
  const out: string[] = [];
  const lead = ['我的电话是', '电话', '手机号', '联系电话', '号码是', '我的手机是', ''];
  for (let i = 0; i < count; i++) {
    const mobile = digit(1) + SPOKEN[3 + Math.floor(r() * 7)] + digits(9);
    const kind = i % 4;
    if (kind === 0) out.push(`${lead[Math.floor(r() * lead.length)]}${mobile}`);
    else if (kind === 1) out.push(digits(8));
    else if (kind === 2) out.push(`${digits(1 + Math.floor(r() * 2))}号楼${digits(1)}单元${digits(3)}室`);
    else out.push(`${lead[Math.floor(r() * lead.length)]}${digits(7 + Math.floor(r() * 5))}`);
  }
  return out;
}

export function textSetFiles(sharedDir: string, sets?: string[]): string[] {
  const root = join(sharedDir, 'text');
  if (!existsSync(root)) return [];
  const names = sets ?? readdirSync(root).filter((d) => existsSync(join(root, d, 'train.jsonl')));
  return names.map((name) => {
    const file = join(root, name, 'train.jsonl');
    if (!existsSync(file)) throw new Error(`No ${file}: the text set ${name} does not exist.`);
    return file;
  });
}

function textSetSentences(files: string[]): string[] {
  const out: string[] = [];
  for (const file of files) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const row = JSON.parse(line) as { text?: string };
      // The segmented set's rows are space-separated words without stop words: each row is one sentence.
      if (row.text) out.push(...sentencesOf(row.text.replace(/(?<=[\u3400-\u9fff]) (?=[\u3400-\u9fff])/g, '')));
    }
  }
  return out;
}

/**
 * The text sets, segmented. Segmentation is most of a build's time and the texts rarely
 * change, so it is cached beside the LM, keyed by the files' sizes and times: adding a
 * street name then rebuilds without segmenting the texts again.
 */
export function segmentedTextSets(files: string[], dict: string, cacheFile: string, lex: Lexicon): string[][] {
  const signature = JSON.stringify([...files, dict].map((f) => [f, statSync(f).size, statSync(f).mtimeMs]));
  if (existsSync(cacheFile)) {
    const [head, ...rows] = readFileSync(cacheFile, 'utf8').split('\n');
    if (head === signature) return rows.filter(Boolean).map((r) => r.split(' '));
  }
  const pieces = [...segmentAll(textSetSentences(files), lex)];
  mkdirSync(dirname(cacheFile), { recursive: true });
  writeFileSync(cacheFile, `${signature}\n${pieces.map((p) => p.join(' ')).join('\n')}\n`);
  return pieces;
}

/** The site's own names: its categories and its organisation's places (the default catalogue without a database). */
export async function siteVocabulary(db: Queryable | undefined): Promise<{ categories: string[]; places: string[] }> {
  if (db) {
    const cats = await db.query<{ name: string }>('SELECT name FROM categories');
    const units = await db.query<{ name: string }>('SELECT name FROM org_units');
    return { categories: cats.rows.map((c) => c.name), places: units.rows.map((u) => u.name) };
  }
  const catalogue = JSON.parse(readFileSync(new URL('../../org/default-catalogue.json', import.meta.url), 'utf8')) as { name: string }[];
  return { categories: catalogue.map((c) => c.name), places: [] };
}

export async function catalogueSentences(db: Queryable | undefined): Promise<string[]> {
  const { categories, places } = await siteVocabulary(db);
  // Carrier phrases: callers name a place inside a sentence, not alone.
  return [...categories, ...places, ...places.flatMap((p) => [`我住在${p}`, `${p}这边`, `在${p}附近`])];
}

export function* segmentAll(sentences: string[], lex: Lexicon): Generator<string[]> {
  for (const s of sentences) {
    for (const text of sentencesOf(s)) yield* segmentSentence(text, lex);
  }
}

export async function buildDomainLm(values: AsrSettings, opts: BuildLmOptions = {}): Promise<BuildLmReport> {
  const started = performance.now();
  const paths = asrPaths(values);
  const generic = pocketsphinxModel(paths, 'generic');
  if (!generic.model)
    throw new Error(`The PocketSphinx model is needed to build the LM: ${generic.problems.join('; ')}. Run \`npx hotline models\`.`);
  const weight = opts.weight ?? DEFAULT_DOMAIN_WEIGHT;
  const out = opts.out ?? paths.domainLm;
  const lex = readLexicon(generic.model.dict);

  const extraFile = join(dirname(paths.domainLm), 'extra.txt');
  const files = textSetFiles(paths.sharedDir, opts.textSets);
  const segmented = [
    ...segmentedTextSets(files, generic.model.dict, join(dirname(paths.domainLm), 'text-corpus.cache'), lex),
    ...segmentAll(
      [
        ...(await catalogueSentences(opts.db)),
        ...numberSentences(),
        ...(existsSync(extraFile) ? readFileSync(extraFile, 'utf8').split('\n') : []),
      ],
      lex,
    ),
  ];
  if (!files.length) throw new Error(`No text to build the LM from: ${join(paths.sharedDir, 'text')} has no */train.jsonl.`);
  const words = segmented.reduce((n, p) => n + p.length, 0);
  const domain = estimateLm(segmented);
  const mixed = weight >= 1 ? domain : mixLms(domain, await readArpa(generic.model.lm), weight);
  mkdirSync(dirname(out), { recursive: true });
  // Written aside and renamed, so a running server never reads a half-written model.
  const counts = await writeArpa(mixed, `${out}.tmp`);
  renameSync(`${out}.tmp`, out);
  const seconds = (performance.now() - started) / 1000;
  return {
    out,
    sentences: segmented.length,
    words,
    counts,
    seconds,
    summary: `wrote ${out}: ${counts.map((c, i) => `${c} ${i + 1}-grams`).join(', ')} from ${segmented.length} sentences (${words} words), domain weight ${weight}, in ${seconds.toFixed(1)} s`,
  };
}
