/**
 * The engines on real audio: PocketSphinx (Debian's libpocketsphinx3, the Mandarin model
 * from SHARED_DIR or MODELS_DIR) decodes real clips in worker threads; the Vosk library
 * (libvosk.so from `hotline models`) is loaded for real, and the only Vosk model here is
 * the shared partial copy, so the Vosk tests stop at its clear refusal.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { loadConfig } from '../app/config.js';
import { createAsrEngine } from './engine.js';
import { AsrErrors } from './errors.js';
import { mulawDecode, mulawEncode } from './g711.js';
import { checkVoskModel, loadVosk, VoskModelHandle } from './native/vosk.js';
import { resample } from './resample.js';
import { asrPaths } from './settings.js';
import type { AsrEngine, AsrResult } from './types.js';
import { decodeWav } from './wav.js';

const values = loadConfig({ ASR_ENGINE: 'pocketsphinx', ASR_POOL_SIZE: '2', ASR_LM: 'generic' }).values;
const paths = asrPaths(values);
const CLIP = `${paths.sharedDir}/speech/aishell-sample_BAC009S0252W0319.wav`;

let engine: AsrEngine;
before(() => {
  const choice = createAsrEngine(values);
  assert.ok(choice.engine, choice.description);
  assert.match(choice.description, /pocketsphinx .*generic LM .*up to 2 streams/);
  engine = choice.engine;
});
after(async () => {
  await engine?.close();
});

/** Streams audio in 20 ms frames, like RTP, and collects what the engine says. */
async function stream(pcm: Int16Array, rate: 8000 | 16000): Promise<AsrResult[]> {
  const results: AsrResult[] = [];
  const s = await engine.openStream({ sampleRate: rate, onResult: (r) => results.push(r), onError: (e) => assert.fail(e) });
  const frame = rate / 50;
  for (let off = 0; off < pcm.length; off += frame) s.push(pcm.subarray(off, off + frame));
  await s.close();
  return results;
}

function assertPartialsThenFinal(results: AsrResult[]) {
  const firstFinal = results.findIndex((r) => r.final);
  assert.ok(firstFinal > 0, `partials come before the first final: ${JSON.stringify(results)}`);
  assert.ok(results.slice(0, firstFinal).every((r) => !r.final && r.text.length > 0));
  const finals = results.filter((r) => r.final);
  const text = finals.map((r) => r.text).join('');
  // Real Mandarin recognition: Chinese characters, no spaces between words.
  assert.match(text, /^[\u4e00-\u9fff0-9]{3,}$/, text);
  for (const f of finals) {
    assert.ok(typeof f.startMs === 'number' && typeof f.endMs === 'number' && f.endMs > f.startMs, JSON.stringify(f));
    assert.ok(f.confidence === undefined || (f.confidence >= 0 && f.confidence <= 1));
  }
  return text;
}

test('16 kHz: partial results while the caller speaks, then a final', async () => {
  const audio = decodeWav(readFileSync(CLIP));
  assert.equal(audio.sampleRate, 16000);
  const text = assertPartialsThenFinal(await stream(audio.pcm, 16000));
  const endMs = Math.round(audio.seconds * 1000);
  assert.ok(text.length >= 5, `a sentence, not a syllable: ${text} (${endMs} ms of audio)`);
});

test('8 kHz telephone audio (G.711 µ-law) is recognized natively at 8 kHz', async () => {
  const audio = decodeWav(readFileSync(CLIP));
  const phone = mulawDecode(mulawEncode(resample(audio.pcm, 16000, 8000)));
  const text = assertPartialsThenFinal(await stream(phone, 8000));
  assert.ok(text.length >= 5, text);
});

test('a full pool refuses a new stream with ASR_BUSY and accepts again once a stream ends', async () => {
  const open = () => engine.openStream({ sampleRate: 8000, onResult: () => {} });
  const a = await open();
  const b = await open();
  await assert.rejects(open(), (err: unknown) => AsrErrors.ASR_BUSY.is(err) && err.statusCode === 503 && err.params.size === 2);
  // Silence decodes to nothing and closes cleanly.
  a.push(new Int16Array(1600));
  await a.close();
  const c = await open();
  await Promise.all([b.close(), c.close()]);
  await assert.rejects(
    engine.openStream({ sampleRate: 11025 as 8000, onResult: () => {} }),
    (err: unknown) => AsrErrors.ASR_SAMPLE_RATE_UNSUPPORTED.is(err) && err.params.rate === 11025,
  );
});

test('a missing PocketSphinx model gives no engine and a reason naming the path', () => {
  const choice = createAsrEngine(loadConfig({ ASR_ENGINE: 'pocketsphinx', POCKETSPHINX_MODEL_PATH: '/nonexistent/ps-model' }).values);
  assert.equal(choice.engine, null);
  assert.match(choice.description, /\/nonexistent\/ps-model does not exist/);
  const none = createAsrEngine(
    loadConfig({
      ASR_ENGINE: 'auto',
      SHERPA_MODEL_DIR: '/nonexistent/sherpa',
      POCKETSPHINX_MODEL_PATH: '/nonexistent/ps-model',
      VOSK_MODEL_PATH: '/nonexistent/vosk',
    }).values,
  );
  assert.equal(none.engine, null);
  assert.match(
    none.description,
    /no speech recognition: sherpa not usable .*\/nonexistent\/sherpa.*Vosk model not usable .*\/nonexistent\/vosk.*PocketSphinx not usable/,
  );
  const domain = createAsrEngine(loadConfig({ ASR_ENGINE: 'pocketsphinx', ASR_LM: 'domain', MODELS_DIR: '/nonexistent/models' }).values);
  if (!existsSync('/nonexistent/models')) assert.match(domain.description, /no domain LM at .*hotline asr build-lm/);
});

test('Vosk: the library loads; the partial shared model is refused naming what is missing, without a crash', () => {
  const partial = `${paths.sharedDir}/models/vosk-model-small-cn-0.22.partial`;
  const problems = checkVoskModel(partial);
  assert.match(problems.join('; '), /missing am\/final\.mdl, graph\/HCLr\.fst \+ graph\/Gr\.fst .*ivector\/final\.ie/);
  assert.deepEqual(checkVoskModel('/nonexistent/vosk'), ['the folder /nonexistent/vosk does not exist']);
  const choice = createAsrEngine(loadConfig({ ASR_ENGINE: 'vosk', VOSK_MODEL_PATH: partial }).values);
  assert.equal(choice.engine, null);
  assert.match(choice.description, /The Vosk engine cannot start: missing am\/final\.mdl.*vosk-model-small-cn-0\.22\.partial/);
  // Auto falls through to PocketSphinx when there is no sherpa model and the Vosk model is incomplete.
  const auto = createAsrEngine(
    loadConfig({ ASR_ENGINE: 'auto', SHERPA_MODEL_DIR: '/nonexistent/sherpa', VOSK_MODEL_PATH: partial, ASR_LM: 'generic' }).values,
  );
  assert.equal(auto.engine?.name, 'pocketsphinx');
  void auto.engine?.close();

  assert.throws(() => loadVosk('/nonexistent/libvosk.so'), /\/nonexistent\/libvosk\.so is missing: run `npx hotline models`/);
  if (!existsSync(paths.voskLibrary)) {
    // Said, not hidden: without `hotline models` (npm pack vosk) the real library is not here.
    assert.fail(`libvosk.so is not set up at ${paths.voskLibrary}: run \`npx hotline models\` (scripts/setup-asr.sh) before the tests.`);
  }
  const lib = loadVosk(paths.voskLibrary);
  assert.equal(typeof lib.vosk_model_new, 'function');
  assert.throws(() => new VoskModelHandle(lib, partial), /The Vosk model at .*partial is not usable: missing am\/final\.mdl/);
});
