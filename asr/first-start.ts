/**
 * What the first `npm start` does for speech, so that two commands give a working recognizer:
 * install the sherpa model (from SHARED_DIR, else the official archive, checksum-verified,
 * with a progress bar) and build the pinyin converter from the site's own texts and places.
 * Later starts find both and do nothing. Offline without a copy the server still starts, and
 * says why there is no recognition.
 */
import type { Queryable } from '../db/index.js';
import { buildPinyinLm, pinyinDir } from './pinyin/build.js';
import { pinyinProblems } from './pinyin/load.js';
import type { AsrSettings } from './settings.js';
import { DEFAULT_SHERPA_MODEL } from './sherpa/catalogue.js';
import { progressBar } from './sherpa/progress.js';
import { describeSherpaModelDir, installedSherpaModelDir, installSherpaModel } from './sherpa/setup.js';

export async function prepareSpeechOnStart(
  values: AsrSettings,
  opts: { db?: Queryable; log: (line: string) => void; warn: (line: string) => void; download?: boolean },
): Promise<void> {
  const engine = values.ASR_ENGINE ?? 'auto';
  if (engine !== 'auto' && engine !== 'sherpa') return;
  let dir = installedSherpaModelDir(values);
  if (!dir && !values.SHERPA_MODEL_DIR) {
    const name = values.SHERPA_MODEL ?? DEFAULT_SHERPA_MODEL;
    opts.log(`speech: setting up the sherpa model ${name} (first start)`);
    const report = await installSherpaModel(values, name, {
      download: opts.download ?? true,
      log: (l) => opts.log(`speech: ${l}`),
      progress: progressBar('speech: downloading'),
    });
    for (const p of report.problems) opts.warn(`speech: ${p}`);
    dir = installedSherpaModelDir(values);
  }
  if (!dir) return;
  const model = describeSherpaModelDir(dir);
  if ('problems' in model || model.output !== 'pinyin') return;
  if (!pinyinProblems(pinyinDir(values)).length) return;
  opts.log('speech: building the pinyin converter from the hotline texts and places (first start, seconds)');
  try {
    opts.log(`speech: ${(await buildPinyinLm(values, { db: opts.db })).summary}`);
  } catch (err) {
    opts.warn(`speech: the pinyin converter could not be built: ${(err as Error).message}`);
  }
}
