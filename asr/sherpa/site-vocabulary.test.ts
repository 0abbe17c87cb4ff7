/**
 * Site vocabulary through the running engine: a name the general sources do not know comes out
 * in other characters, the site adds it (MODELS_DIR/asr/lm/extra.txt, as `hotline asr build-lm`
 * reads it, or a place in the organisation tree), the converter is rebuilt, and the next
 * stream of the same engine, without a restart, writes the site's characters. Real model
 * (SHERPA_MODEL_DIR: the installed one), real clip.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../app/config.js';
import { createAsrEngine } from '../engine.js';
import { mulawDecode, mulawEncode } from '../g711.js';
import { buildPinyinLm } from '../pinyin/build.js';
import { resample } from '../resample.js';
import { recognizePcm } from '../transcribe.js';
import { decodeWav } from '../wav.js';
import { installedSherpaModelDir } from './setup.js';

test('a name added by the site is heard in its characters on the next call, without a restart', async () => {
  const installed = installedSherpaModelDir(loadConfig().values);
  assert.ok(installed, 'the sherpa model is set up (npx hotline models)');
  const models = mkdtempSync(join(tmpdir(), 'site-vocab-'));
  const values = loadConfig({ MODELS_DIR: models, SHERPA_MODEL_DIR: installed, ASR_ENGINE: 'sherpa', ASR_THREADS: '1' }).values;
  await buildPinyinLm(values);
  const choice = createAsrEngine(values);
  assert.ok(choice.engine, choice.description);
  const engine = choice.engine;
  try {
    // Common Voice: 谷德刚毕业于实践大学 (a person's name the general sources lack).
    const file = join(values.SHARED_DIR, 'speech', 'cv-zh-CN_18571604.wav');
    const a = decodeWav(readFileSync(file), file);
    const pcm = mulawDecode(mulawEncode(resample(a.pcm, a.sampleRate, 8000)));
    const heard = async () =>
      (await recognizePcm(engine, pcm, 8000)).results
        .filter((r) => r.final)
        .map((r) => r.text)
        .join('');
    const before = await heard();
    assert.ok(!before.includes('谷德刚'), before);

    mkdirSync(join(models, 'asr', 'lm'), { recursive: true });
    writeFileSync(join(models, 'asr', 'lm', 'extra.txt'), '谷德刚\n');
    await new Promise((r) => setTimeout(r, 20));
    await buildPinyinLm(values);
    const after = await heard();
    assert.match(after, /^谷德刚/, `after the rebuild: ${after}`);
  } finally {
    await engine.close();
  }
});
