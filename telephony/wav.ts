/**
 * Prompt WAVs as 8 kHz PCM, and PCM between 16 and 8 kHz frame by frame for 16 kHz
 * audio-fork streams (a short filter that works on each 20 ms frame as it comes).
 */
import { existsSync, readFileSync } from 'node:fs';
import { decodeWav } from '../asr/index.js';

/**
 * A prompt WAV (PCM or G.711, mono or stereo, 8 or 16 kHz: asr's reader) as 8 kHz 16-bit
 * little-endian PCM, the rate calls are played at. Throws a message naming the file.
 */
export function readPromptPcm8k(path: string): Buffer {
  if (!existsSync(path)) throw new Error(`prompt ${path} not found`);
  const wav = decodeWav(readFileSync(path), path);
  const pcm = Buffer.from(wav.pcm.buffer, wav.pcm.byteOffset, wav.pcm.byteLength);
  return wav.sampleRate === 8000 ? Buffer.from(pcm) : downsample16to8(pcm);
}

// A short half-band low-pass (windowed sinc) keeps 4-8 kHz out of the 8 kHz signal.
const TAPS = [-0.0106, 0, 0.0329, 0, -0.0881, 0, 0.3118, 0.5, 0.3118, 0, -0.0881, 0, 0.0329, 0, -0.0106];

/** 16 kHz → 8 kHz. */
export function downsample16to8(pcm: Buffer): Buffer {
  const n = pcm.length >> 1;
  const out = Buffer.alloc((n >> 1) * 2);
  const half = (TAPS.length - 1) / 2;
  for (let i = 0; i < n >> 1; i++) {
    let acc = 0;
    for (let t = 0; t < TAPS.length; t++) {
      const j = 2 * i + t - half;
      if (j >= 0 && j < n) acc += (TAPS[t] as number) * pcm.readInt16LE(j * 2);
    }
    out.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(acc))), i * 2);
  }
  return out;
}

/** 8 kHz → 16 kHz by zero-stuffing and the same low-pass (gain 2). */
export function upsample8to16(pcm: Buffer): Buffer {
  const n = pcm.length >> 1;
  const out = Buffer.alloc(n * 4);
  const half = (TAPS.length - 1) / 2;
  for (let i = 0; i < 2 * n; i++) {
    let acc = 0;
    for (let t = 0; t < TAPS.length; t++) {
      const j = i + t - half;
      if (j >= 0 && j < 2 * n && j % 2 === 0) acc += 2 * (TAPS[t] as number) * pcm.readInt16LE(j);
    }
    out.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(acc))), i * 2);
  }
  return out;
}
