/**
 * The sherpa engine on real audio: the shared pinyin transducer (set up in MODELS_DIR by
 * `hotline models`) and the converter (`hotline asr build-lm`), in worker threads, on shared
 * Mandarin clips at 8 kHz G.711 µ-law as calls bring them. No level change before the engine:
 * its front end does that.
 */
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../app/config.js';
import { cerCounts } from '../cer.js';
import { createAsrEngine } from '../engine.js';
import { AsrErrors } from '../errors.js';
import { mulawDecode, mulawEncode } from '../g711.js';
import { resample } from '../resample.js';
import { asrPaths } from '../settings.js';
import type { AsrEngine, AsrResult } from '../types.js';
import { decodeWav } from '../wav.js';
import { installedSherpaModelDir } from './setup.js';

const values = loadConfig({ ASR_ENGINE: 'sherpa', ASR_POOL_SIZE: '3', ASR_THREADS: '1' }).values;
const paths = asrPaths(values);
const modelDir = installedSherpaModelDir(values);

const telephone = (file: string) => {
  const a = decodeWav(readFileSync(join(paths.sharedDir, 'speech', file)), file);
  return mulawDecode(mulawEncode(resample(a.pcm, a.sampleRate, 8000)));
};
const reference = (file: string) =>
  (
    readFileSync(join(paths.sharedDir, 'speech', 'manifest.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { audio: string; text: string })
      .find((m) => m.audio === file) as { text: string }
  ).text;

/** Where speech starts and ends in a clip, by 20 ms frame energy (the clips have quiet edges). */
function speechBounds(pcm: Int16Array, rate: number): { startMs: number; endMs: number } {
  const frame = rate / 50;
  const loud: number[] = [];
  for (let i = 0; i + frame <= pcm.length; i += frame) {
    let e = 0;
    for (let k = i; k < i + frame; k++) e += (pcm[k] as number) ** 2;
    if (10 * Math.log10(e / frame / 32768 ** 2 + 1e-12) > -45) loud.push(i / frame);
  }
  return { startMs: (loud[0] ?? 0) * 20, endMs: ((loud.at(-1) ?? 0) + 1) * 20 };
}

let engine: AsrEngine;
before(async () => {
  assert.ok(modelDir, 'the sherpa model is set up (npx hotline models)');
  const choice = createAsrEngine(values);
  assert.ok(choice.engine, choice.description);
  assert.match(choice.description, /^sherpa with .*transducer, pinyin converted with .*Silero VAD endpoints; up to 3 streams/);
  engine = choice.engine;
});
after(async () => {
  await engine?.close();
});

/** Streams audio in 20 ms frames, like RTP, and records how much audio had been sent when each result came. */
async function stream(pcm: Int16Array, pace = false): Promise<{ results: AsrResult[]; sentMs: number[] }> {
  const results: AsrResult[] = [];
  const sentMs: number[] = [];
  let sent = 0;
  const s = await engine.openStream({
    sampleRate: 8000,
    onResult: (r) => {
      results.push(r);
      sentMs.push(sent);
    },
    onError: (e) => assert.fail(e),
  });
  for (let off = 0; off < pcm.length; off += 160) {
    s.push(pcm.subarray(off, off + 160));
    sent = ((off + 160) * 1000) / 8000;
    // Real time at 5x, so the worker keeps up and the arrival positions mean something.
    if (pace && off % 1600 === 0) await new Promise((r) => setTimeout(r, 20));
  }
  await s.close();
  return { results, sentMs };
}

test('8 kHz µ-law: partials while the caller speaks, a final per utterance, readable characters', async () => {
  const file = 'aishell-sample_BAC009S0252W0440.wav';
  const { results } = await stream(telephone(file));
  const first = results.findIndex((r) => r.final);
  assert.ok(first > 0, `partials before the final: ${JSON.stringify(results)}`);
  assert.ok(results.slice(0, first).every((r) => !r.final && /^[\u4e00-\u9fff0-9]+$/.test(r.text)));
  const finals = results.filter((r) => r.final);
  const text = finals.map((r) => r.text).join('');
  const c = cerCounts(reference(file), text);
  assert.ok(c.errors / c.chars <= 0.3, `"${text}" against "${reference(file)}": CER ${((100 * c.errors) / c.chars).toFixed(0)} %`);
  for (const f of finals) {
    assert.ok(typeof f.startMs === 'number' && typeof f.endMs === 'number' && f.endMs > f.startMs, JSON.stringify(f));
    assert.ok(typeof f.confidence === 'number' && f.confidence >= 0 && f.confidence <= 1);
  }
});

test('two calls at once on one worker thread: each stream gets its own words', async () => {
  const [a, b] = await Promise.all([
    stream(telephone('aishell-sample_BAC009S0252W0476.wav'), true),
    stream(telephone('aishell-sample_BAC009S0150W0086.wav'), true),
  ]);
  const text = (r: { results: AsrResult[] }) =>
    r.results
      .filter((x) => x.final)
      .map((x) => x.text)
      .join('');
  assert.match(text(a as { results: AsrResult[] }), /无人员伤亡/);
  assert.match(text(b as { results: AsrResult[] }), /^1[0-9]{10}$/);
});

test('a spoken phone number comes out as digits', async () => {
  const { results } = await stream(telephone('aishell-sample_BAC009S0150W0086.wav'));
  const text = results
    .filter((r) => r.final)
    .map((r) => r.text)
    .join('');
  assert.match(text, /^1[0-9]{10}$/, text);
});

test('endpoints: two utterances with a pause give two finals, each soon after its speech ends', async () => {
  const a = telephone('aishell-sample_BAC009S0150W0063.wav');
  const b = telephone('aishell-sample_BAC009S0150W0018.wav');
  const gap = new Int16Array(8000 * 2);
  const pcm = new Int16Array(a.length + gap.length + b.length + gap.length);
  pcm.set(a, 0);
  pcm.set(b, a.length + gap.length);
  const { results, sentMs } = await stream(pcm, true);
  const finals = results.map((r, i) => ({ r, at: sentMs[i] as number })).filter((x) => x.r.final);
  assert.equal(finals.length, 2, JSON.stringify(results));
  const endA = speechBounds(a, 8000).endMs;
  const endB = (a.length + gap.length) / 8 + speechBounds(b, 8000).endMs;
  // Each final arrives about 1 s of audio after its speech ended at the latest, not at the end
  // of the stream (the measured figures, over all clips, are in docs/benchmarks.md; here the
  // audio is sent at 5x real time, so arrival positions carry up to a chunk of slack).
  assert.ok((finals[0]?.at as number) - endA <= 1300, `first final ${finals[0]?.at} ms, speech ended at ${endA} ms`);
  assert.ok((finals[1]?.at as number) - endB <= 1300, `second final ${finals[1]?.at} ms, speech ended at ${endB} ms`);
  assert.ok((finals[0]?.r.endMs as number) - endA <= 1000, `first final's end ${finals[0]?.r.endMs} ms`);
  // The first partial comes while the first words are spoken.
  const firstPartial = sentMs[results.findIndex((r) => !r.final)] as number;
  assert.ok(firstPartial - speechBounds(a, 8000).startMs <= 800, `first partial at ${firstPartial} ms`);
  assert.match(finals[1]?.r.text ?? '', /酒家/);
});

test("without the VAD (ASR_VAD=off) the recognizer's trailing-silence rule ends utterances", async () => {
  const choice = createAsrEngine({ ...values, ASR_VAD: 'off' });
  assert.ok(choice.engine, choice.description);
  assert.match(choice.description, /trailing-silence endpoints/);
  const other = choice.engine;
  try {
    const a = telephone('aishell-sample_BAC009S0150W0063.wav');
    const b = telephone('aishell-sample_BAC009S0150W0018.wav');
    const pcm = new Int16Array(a.length + 16000 + b.length + 16000);
    pcm.set(a, 0);
    pcm.set(b, a.length + 16000);
    const results: AsrResult[] = [];
    const s = await other.openStream({ sampleRate: 8000, onResult: (r) => results.push(r) });
    for (let off = 0; off < pcm.length; off += 160) s.push(pcm.subarray(off, off + 160));
    await s.close();
    const finals = results.filter((r) => r.final);
    assert.equal(finals.length, 2, JSON.stringify(results));
    assert.match(finals[1]?.text ?? '', /酒家/);
    assert.ok((finals[0]?.endMs as number) < (finals[1]?.startMs as number), JSON.stringify(finals));
  } finally {
    await other.close();
  }
});

test('the pool limit: one stream more than ASR_POOL_SIZE is refused with ASR_BUSY, and a closed one frees its place', async () => {
  const open = await Promise.all([1, 2, 3].map(() => engine.openStream({ sampleRate: 8000, onResult: () => {} })));
  try {
    await assert.rejects(
      engine.openStream({ sampleRate: 8000, onResult: () => {} }),
      (e: unknown) => AsrErrors.ASR_BUSY.is(e) && e.statusCode === 503,
    );
    await open.shift()?.close();
    open.push(await engine.openStream({ sampleRate: 8000, onResult: () => {} }));
  } finally {
    await Promise.all(open.map((s) => s.close()));
  }
});

test('a model folder with a missing file is refused with its path; a corrupt file is refused when the stream opens, without a crash', async () => {
  assert.ok(modelDir);
  const broken = mkdtempSync(join(tmpdir(), 'sherpa-broken-'));
  cpSync(modelDir, broken, { recursive: true });
  const joiner = join(broken, 'joiner-epoch-12-avg-2-chunk-16-left-64.int8.onnx');
  rmSync(joiner);
  const missing = createAsrEngine({ ...values, SHERPA_MODEL_DIR: broken });
  assert.equal(missing.engine, null);
  assert.match(missing.description, /joiner\*\.onnx is missing/);
  assert.ok(missing.description.includes(broken));

  // Starts like an ONNX file, then garbage: only loading it can tell.
  copyFileSync(join(modelDir, 'joiner-epoch-12-avg-2-chunk-16-left-64.int8.onnx'), joiner);
  const encoder = join(broken, 'encoder-epoch-12-avg-2-chunk-16-left-64.int8.onnx');
  const bytes = readFileSync(encoder);
  writeFileSync(encoder, Buffer.concat([bytes.subarray(0, 64), Buffer.alloc(4096, 0xa5)]));
  const corrupt = createAsrEngine({ ...values, SHERPA_MODEL_DIR: broken });
  assert.ok(corrupt.engine, corrupt.description);
  try {
    await assert.rejects(
      corrupt.engine.openStream({ sampleRate: 8000, onResult: () => {} }),
      (e: unknown) => AsrErrors.ASR_START_FAILED.is(e) && String(e.params.reason).includes(encoder),
    );
  } finally {
    await corrupt.engine.close();
  }
  // The good engine still works after the broken one failed.
  const { results } = await stream(telephone('aishell-sample_BAC009S0150W0018.wav'));
  assert.ok(results.some((r) => r.final));
});

test('the keyword spotter hears the phrases it is given in the audio itself, with their time; silence and other words stay quiet', async () => {
  assert.ok(engine.setKeywords, 'the sherpa engine has a keyword spotter');
  const set = await engine.setKeywords([{ phrase: '起火' }, { phrase: '持刀' }, { phrase: '火' }, { phrase: 'fire' }]);
  assert.deepEqual(set.spotted.sort(), ['持刀', '起火'].sort());
  assert.deepEqual(set.skipped.sort(), ['fire', '火'].sort(), 'one syllable and non-Chinese phrases are read in the transcript only');
  const hitsOf = async (pcm: Int16Array) => {
    const hits: { keyword: string; startMs: number; endMs: number }[] = [];
    const s = await engine.openStream({
      sampleRate: 8000,
      onResult: () => {},
      onKeyword: (h) => hits.push(h),
      onError: (e) => assert.fail(e),
    });
    for (let off = 0; off < pcm.length; off += 160) s.push(pcm.subarray(off, off + 160));
    await s.close();
    return hits;
  };
  // 车辆起火无人员伤亡: 起火 is said at about 1.3 s.
  const fire = await hitsOf(telephone('aishell-sample_BAC009S0252W0476.wav'));
  assert.deepEqual(
    fire.map((h) => h.keyword),
    ['起火'],
  );
  assert.ok(fire[0]!.startMs > 800 && fire[0]!.startMs < 2000 && fire[0]!.endMs > fire[0]!.startMs, JSON.stringify(fire));
  assert.deepEqual(await hitsOf(telephone('aishell-sample_BAC009S0150W0086.wav')), [], 'a phone number read out has no keyword');
  assert.deepEqual(await hitsOf(new Int16Array(8000 * 2)), []);
  // A new list replaces the old one, for streams opened from then on.
  await engine.setKeywords([{ phrase: '持刀' }]);
  assert.deepEqual(await hitsOf(telephone('aishell-sample_BAC009S0252W0476.wav')), []);
  await engine.setKeywords([]);
});
