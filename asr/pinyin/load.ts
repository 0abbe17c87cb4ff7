/**
 * Loads the converter that `hotline asr build-lm` built (asr/pinyin/build.ts), and loads it
 * again when a rebuild replaced it: `current()` compares the manifest's modification time, so
 * a site that renamed a street gets its new name on the next stream without a restart.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readArpa } from '../lm/arpa.js';
import { PINYIN_FILES, type PinyinManifest } from './build.js';
import { PinyinDecoder } from './decoder.js';
import { loadGeneralLm } from './general.js';
import { indexLexicon, lexiconFromTsv } from './lexicon.js';
import { arpaWordLm, interpolate, unigramWordLm, type WordLm } from './ngram.js';

/** What is missing for the converter in `dir`, with what to run; empty when it can load. */
export function pinyinProblems(dir: string): string[] {
  const missing = Object.values(PINYIN_FILES)
    .filter((f) => f !== PINYIN_FILES.corpusCache)
    .map((f) => join(dir, f))
    .filter((p) => !existsSync(p));
  return missing.length ? [`the pinyin converter is not built (missing ${missing.join(', ')}): run \`npx hotline asr build-lm\``] : [];
}

export async function loadPinyinDecoder(dir: string): Promise<{ decoder: PinyinDecoder; manifest: PinyinManifest }> {
  const problems = pinyinProblems(dir);
  if (problems.length) throw new Error(problems.join('; '));
  const manifest = JSON.parse(readFileSync(join(dir, PINYIN_FILES.manifest), 'utf8')) as PinyinManifest;
  const entries = lexiconFromTsv(readFileSync(join(dir, PINYIN_FILES.lexicon), 'utf8'));
  if (!entries.length) throw new Error(`${join(dir, PINYIN_FILES.lexicon)} holds no words: run \`npx hotline asr build-lm\` again.`);
  const parts: { lm: WordLm; weight: number }[] = [
    { lm: unigramWordLm(entries.map((e) => [e.word, e.weight] as [string, number])), weight: manifest.weights.unigram },
    { lm: arpaWordLm(await readArpa(join(dir, PINYIN_FILES.domainLm))), weight: manifest.weights.domain },
  ];
  if (manifest.general && manifest.weights.general > 0) {
    parts.push({ lm: await loadGeneralLm(manifest.general), weight: manifest.weights.general });
  }
  return { decoder: new PinyinDecoder(indexLexicon(entries), interpolate(parts)), manifest };
}

/** One loaded decoder per process, replaced when the manifest changes. */
export class PinyinDecoderCache {
  private loaded?: { decoder: PinyinDecoder; mtime: number };
  private loading?: Promise<PinyinDecoder>;
  constructor(readonly dir: string) {}

  /** The manifest time of a rebuild that failed to load: not tried again until the next rebuild. */
  private failed?: number;

  async current(): Promise<PinyinDecoder> {
    const mtime = statSync(join(this.dir, PINYIN_FILES.manifest), { throwIfNoEntry: false })?.mtimeMs ?? 0;
    if (this.loaded && (this.loaded.mtime === mtime || this.failed === mtime)) return this.loaded.decoder;
    this.loading ??= loadPinyinDecoder(this.dir)
      .then(({ decoder }) => {
        this.loaded = { decoder, mtime };
        return decoder;
      })
      .catch((err) => {
        // A broken rebuild must not stop the calls: keep converting with what was loaded before.
        if (!this.loaded) throw err;
        this.failed = mtime;
        return this.loaded.decoder;
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }
}
