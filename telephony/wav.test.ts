/** Prompts and stream audio through asr's resampler: what callers hear keeps its length and loudness. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeWav, encodeWav, resample } from '../asr/index.js';
import { PcmRateStream, pcmBytes, pcmSamples, readPromptPcm8k } from './wav.js';

const GREETING = join(import.meta.dirname, 'prompts', 'greeting.wav');
const rms = (a: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) ** 2;
  return Math.sqrt(s / Math.max(1, a.length));
};
const stored = () => decodeWav(readFileSync(GREETING), GREETING);

test('an 8 kHz prompt is played as it is stored, sample for sample', () => {
  const wav = stored();
  assert.equal(wav.sampleRate, 8000);
  assert.deepEqual(pcmSamples(readPromptPcm8k(GREETING)), wav.pcm);
});

test('a 16 kHz prompt comes out at 8 kHz with the same length and loudness', () => {
  const pcm8k = stored().pcm;
  const wide = join(mkdtempSync(join(tmpdir(), 'prompt-')), 'greeting-16k.wav');
  writeFileSync(wide, encodeWav(resample(pcm8k, 8000, 16000), 16000));
  const back = pcmSamples(readPromptPcm8k(wide));
  assert.equal(back.length, pcm8k.length);
  const ratio = rms(back) / rms(pcm8k);
  assert.ok(ratio > 0.97 && ratio < 1.03, `energy kept: ${ratio.toFixed(3)}`);
  // The same speech, not only as loud: the round trip's error is small beside it.
  const error = back.map((v, i) => v - (pcm8k[i] as number));
  assert.ok(rms(error) < 0.1 * rms(pcm8k), `round-trip error ${rms(error).toFixed(0)} of ${rms(pcm8k).toFixed(0)}`);
});

test('a 16 kHz stream in 20 ms frames (and odd ones) comes out as the whole stream would', () => {
  const tone = Int16Array.from({ length: 16000 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 16000)));
  const whole = resample(tone, 16000, 8000);
  const stream = new PcmRateStream(16000, 8000);
  const out: number[] = [];
  for (let i = 0, k = 0; i < tone.length; k++) {
    const n = k % 3 === 2 ? 317 : 320;
    out.push(...pcmSamples(stream.push(pcmBytes(tone.slice(i, i + n)))));
    i += n;
  }
  // All but the last millisecond or two, which wait for samples that never come.
  assert.ok(out.length >= whole.length - 20 && out.length <= whole.length, `${out.length} of ${whole.length}`);
  assert.deepEqual(out, [...whole.subarray(0, out.length)]);
});
