/**
 * A new PocketSphinx decoder decodes its first utterance a second time once it has its own
 * cepstral mean (asr/native/pocketsphinx.ts). Real decoders, real AISHELL clips from
 * SHARED_DIR/speech at 8 kHz µ-law: the errors with the second pass must be fewer than
 * without it (85 % against 47 % CER on 20 clips with the domain LM, docs/benchmarks.md).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../app/config.js';
import { cerCounts } from './cer.js';
import { pocketsphinxModel } from './engine.js';
import { mulawDecode, mulawEncode } from './g711.js';
import { PocketSphinxRecognizer } from './native/pocketsphinx.js';
import { resample } from './resample.js';
import { asrPaths } from './settings.js';
import { decodeWav } from './wav.js';

const paths = asrPaths(loadConfig({ ASR_ENGINE: 'pocketsphinx', ASR_LM: 'generic' }).values);
const manifest = new Map(
  readFileSync(join(paths.sharedDir, 'speech', 'manifest.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { audio: string; text: string })
    .map((r) => [r.audio, r.text]),
);
const CLIPS = ['W0086', 'W0186', 'W0205', 'W0305'].map((w) => `aishell-sample_BAC009S0150${w}.wav`);

function firstUtteranceText(pcm: Int16Array, secondPass: boolean): string {
  const { model, problems } = pocketsphinxModel(paths, 'generic');
  assert.ok(model, problems.join('; '));
  const r = new PocketSphinxRecognizer(model, 8000, { secondPass });
  try {
    const results = [];
    for (let off = 0; off < pcm.length; off += 160) results.push(...r.accept(pcm.subarray(off, off + 160)));
    results.push(...r.finish());
    return results
      .filter((x) => x.final)
      .map((x) => x.text)
      .join('');
  } finally {
    r.free();
  }
}

test('a new decoder hears its first utterance better with the second pass', () => {
  let withPass = 0;
  let without = 0;
  const seen: string[] = [];
  for (const clip of CLIPS) {
    const reference = manifest.get(clip);
    assert.ok(reference, `${clip} is in the manifest`);
    const audio = decodeWav(readFileSync(join(paths.sharedDir, 'speech', clip)));
    const phone = mulawDecode(mulawEncode(resample(audio.pcm, audio.sampleRate, 8000)));
    const a = firstUtteranceText(phone, true);
    const b = firstUtteranceText(phone, false);
    withPass += cerCounts(reference, a).errors;
    without += cerCounts(reference, b).errors;
    seen.push(`${reference}: ${a} / ${b}`);
  }
  assert.ok(withPass < without, `errors with the second pass ${withPass}, without ${without}\n${seen.join('\n')}`);
});
