/**
 * Whole-file recognition through the streaming contract (the same path as live calls):
 * used by `hotline asr transcribe` and the benchmarks.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { AsrErrors } from './errors.js';
import { resample } from './resample.js';
import type { AsrEngine, AsrResult, KeywordHit, SampleRate } from './types.js';
import { decodeWav } from './wav.js';

export interface Transcript {
  audio: string;
  text: string;
  seconds: number;
  decode_seconds: number;
}

/** A transcript with what it was made of: the final segments and the spoken keywords heard. */
export interface DetailedTranscript extends Transcript {
  finals: AsrResult[];
  hits: KeywordHit[];
}

/**
 * Recognizes `pcm` as fast as the engine goes, in 100 ms frames; resolves with every result
 * and the seconds from the first frame to the last result (opening the stream not counted).
 */
export async function recognizePcm(
  engine: AsrEngine,
  pcm: Int16Array,
  sampleRate: SampleRate,
): Promise<{ results: AsrResult[]; hits: KeywordHit[]; seconds: number }> {
  const results: AsrResult[] = [];
  const hits: KeywordHit[] = [];
  let failure: Error | undefined;
  const stream = await engine.openStream({
    sampleRate,
    onResult: (r) => results.push(r),
    onKeyword: (h) => hits.push(h),
    onError: (e) => (failure ??= e),
  });
  const started = performance.now();
  const frame = sampleRate / 10;
  for (let off = 0; off < pcm.length; off += frame) stream.push(pcm.subarray(off, off + frame));
  await stream.close();
  if (failure) throw AsrErrors.ASR_FAILED({ reason: failure.message });
  return { results, hits, seconds: (performance.now() - started) / 1000 };
}

/** Reads a WAV file (8/16 kHz, PCM or G.711), optionally resamples it, and recognizes it. */
export async function transcribeFile(engine: AsrEngine, path: string, opts: { rate?: SampleRate } = {}): Promise<DetailedTranscript> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw AsrErrors.ASR_AUDIO_UNREADABLE({ path, reason: (err as NodeJS.ErrnoException).code ?? (err as Error).message });
  }
  const audio = decodeWav(bytes, basename(path));
  const rate = opts.rate ?? audio.sampleRate;
  const pcm = rate === audio.sampleRate ? audio.pcm : resample(audio.pcm, audio.sampleRate, rate);
  const { results, hits, seconds: decodeSeconds } = await recognizePcm(engine, pcm, rate);
  const finals = results.filter((r) => r.final);
  return {
    audio: basename(path),
    text: results
      .filter((r) => r.final)
      .map((r) => r.text)
      .join(''),
    seconds: Math.round(audio.seconds * 1000) / 1000,
    decode_seconds: Math.round(decodeSeconds * 1000) / 1000,
    finals,
    hits,
  };
}
