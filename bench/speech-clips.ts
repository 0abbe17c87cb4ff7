/**
 * The shared speech clips as the ASR benchmarks use them: the manifest, a clip's audio on
 * the telephone path, and the text form both sides of a CER are compared in.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeWav, mulawDecode, mulawEncode, resample } from '../asr/index.js';
import type { SampleRate } from '../asr/types.js';

export interface Clip {
  audio: string;
  text: string;
  seconds: number;
}

export function speechClips(sharedDir: string, limit?: number): { dir: string; clips: Clip[] } {
  const dir = join(sharedDir, 'speech');
  const clips = readFileSync(join(dir, 'manifest.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Clip)
    .slice(0, limit);
  return { dir, clips };
}

/** A clip at `rate`; at 8 kHz the telephone path: down to 8 kHz, through G.711 µ-law and back. */
export function clipAudio(dir: string, file: string, rate: SampleRate = 8000): Int16Array {
  const a = decodeWav(readFileSync(join(dir, file)), file);
  if (rate === a.sampleRate) return a.pcm;
  return mulawDecode(mulawEncode(resample(a.pcm, a.sampleRate, rate)));
}

const BACK = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/**
 * Digits the transcript cleanup wrote go back to the characters spoken (the references spell
 * numbers in characters), and 幺 counts as 一: the cleanup writes both as 1.
 */
export const scoringForm = (s: string) => s.replace(/[0-9]/g, (d) => BACK[Number(d)] as string).replace(/幺/g, '一');
