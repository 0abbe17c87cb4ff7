/** `hotline models` without a network: what it sets up, and how it refuses a bad or missing Vosk model. */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../app/config.js';
import { setupModels, VOSK_ZIP_BYTES } from './models.js';

test('models: copies PocketSphinx, refuses a wrong Vosk zip (and deletes it), explains an offline download failure', async () => {
  const models = mkdtempSync(join(tmpdir(), 'asr-models-'));
  const values = loadConfig({ MODELS_DIR: models }).values;
  mkdirSync(join(models, 'asr'), { recursive: true });
  const zip = join(models, 'asr', 'vosk-model-small-cn-0.22.zip');
  writeFileSync(zip, 'PK not really a model');
  const lines: string[] = [];
  const first = await setupModels(values, { download: false, extractLibrary: false, log: (l) => lines.push(l) });
  assert.ok(existsSync(join(models, 'asr/pocketsphinx-zh-tdt_sc_8k/model/hmm/zh/tdt_sc_8k/mdef')));
  assert.match(first.done.join('\n'), /PocketSphinx model copied/);
  assert.match(
    first.problems.join('\n'),
    new RegExp(`zip is 21 bytes, expected ${VOSK_ZIP_BYTES}: an incomplete or different file; the file was removed`),
  );
  assert.match(first.problems.join('\n'), /libvosk\.so missing at /);
  assert.match(lines.join('\n'), /vosk-model-small-cn-0\.22\.partial is only a partial copy \(missing am\/final\.mdl/);
  assert.equal(existsSync(zip), false);

  // Downloading from a machine without Internet access: a clear message, not a stack trace.
  const second = await setupModels(values, { download: true, extractLibrary: false, downloadTimeoutMs: 5000 });
  assert.match(second.done.join('\n'), /PocketSphinx model already in/);
  const vosk = second.problems.find((p) => p.startsWith('Vosk model:')) ?? '';
  assert.match(
    vosk,
    /cannot download https:\/\/alphacephei\.com\/vosk\/models\/vosk-model-small-cn-0\.22\.zip .*Copy the official zip to .*\.zip and run hotline models again/,
  );
});
