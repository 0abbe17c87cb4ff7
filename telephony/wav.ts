/**
 * Prompt WAVs as 8 kHz PCM, and call audio between Buffers of 16-bit PCM and asr's
 * resampler (one resampler for the product: asr/resample.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { decodeWav, type ResampleCarry, resample } from '../asr/index.js';

/** 16-bit LE PCM bytes as samples (copied: a Buffer's bytes may not be 2-byte aligned). */
export const pcmSamples = (buf: Buffer): Int16Array => new Int16Array(new Uint8Array(buf).buffer);
export const pcmBytes = (pcm: Int16Array): Buffer => Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);

/**
 * A prompt WAV (PCM or G.711, mono or stereo, 8 or 16 kHz: asr's reader) as 8 kHz 16-bit
 * little-endian PCM, the rate calls are played at. Throws a message naming the file.
 */
export function readPromptPcm8k(path: string): Buffer {
  if (!existsSync(path)) throw new Error(`prompt ${path} not found`);
  const wav = decodeWav(readFileSync(path), path);
  return Buffer.from(pcmBytes(wav.sampleRate === 8000 ? wav.pcm : resample(wav.pcm, wav.sampleRate, 8000)));
}

/**
 * One direction of a call's audio converted frame by frame (a 16 kHz PBX stream and the
 * 8 kHz call): the frames come out as the whole stream would, a millisecond or two late.
 */
export class PcmRateStream {
  private readonly carry: ResampleCarry = {};

  constructor(
    private readonly fromRate: number,
    private readonly toRate: number,
  ) {}

  /** The converted audio the frame completes (may be empty for a very short first frame). */
  push(pcm: Buffer): Buffer {
    return pcmBytes(resample(pcmSamples(pcm), this.fromRate, this.toRate, { carry: this.carry }));
  }
}
