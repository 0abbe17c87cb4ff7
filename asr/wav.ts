/**
 * WAV files in and out: 16-bit PCM, G.711 µ-law or A-law, mono or stereo (mixed down), at
 * 8 or 16 kHz. Anything else is refused with a message that says how to convert it.
 */
import { AsrErrors } from './errors.js';
import { alawDecode, mulawDecode } from './g711.js';
import type { SampleRate } from './types.js';

export type WavEncoding = 'pcm16' | 'mulaw' | 'alaw';

export interface DecodedAudio {
  sampleRate: SampleRate;
  /** Mono 16-bit PCM. */
  pcm: Int16Array;
  encoding: WavEncoding;
  seconds: number;
}

export const SUPPORTED_RATES: readonly SampleRate[] = [8000, 16000];

/** Parses a WAV file's bytes; `name` only labels error messages. */
export function decodeWav(bytes: Uint8Array, name = 'audio'): DecodedAudio {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length === 0) throw AsrErrors.ASR_WAV_EMPTY({ name });
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw AsrErrors.ASR_WAV_NOT_WAV({ name });
  }
  let fmt: { format: number; channels: number; rate: number; bits: number } | undefined;
  let data: Buffer | undefined;
  let off = 12;
  while (off + 8 <= buf.length) {
    const id = buf.toString('ascii', off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    const body = buf.subarray(off + 8, Math.min(buf.length, off + 8 + size));
    if (id === 'fmt ') {
      if (body.length < 16) throw AsrErrors.ASR_WAV_FMT_TRUNCATED({ name });
      let format = body.readUInt16LE(0);
      // WAVE_FORMAT_EXTENSIBLE keeps the real format in the sub-format GUID's first two bytes.
      if (format === 0xfffe && body.length >= 26) format = body.readUInt16LE(24);
      fmt = { format, channels: body.readUInt16LE(2), rate: body.readUInt32LE(4), bits: body.readUInt16LE(14) };
    } else if (id === 'data') {
      data = body;
      break;
    }
    off += 8 + size + (size % 2);
  }
  if (!fmt) throw AsrErrors.ASR_WAV_NO_FMT({ name });
  if (!data) throw AsrErrors.ASR_WAV_NO_DATA({ name });
  let encoding: WavEncoding;
  if (fmt.format === 1 && fmt.bits === 16) encoding = 'pcm16';
  else if (fmt.format === 7 && fmt.bits === 8) encoding = 'mulaw';
  else if (fmt.format === 6 && fmt.bits === 8) encoding = 'alaw';
  else {
    throw AsrErrors.ASR_WAV_FORMAT_UNSUPPORTED({ name, format: fmt.format, bits: fmt.bits });
  }
  if (!(SUPPORTED_RATES as readonly number[]).includes(fmt.rate)) {
    throw AsrErrors.ASR_WAV_RATE_UNSUPPORTED({ name, rate: fmt.rate });
  }
  if (fmt.channels < 1 || fmt.channels > 8) throw AsrErrors.ASR_WAV_CHANNELS_INVALID({ name, channels: fmt.channels });
  const bytesPerSample = encoding === 'pcm16' ? 2 : 1;
  const frames = Math.floor(data.length / (bytesPerSample * fmt.channels));
  if (frames === 0) throw AsrErrors.ASR_WAV_NO_SAMPLES({ name });
  let all: Int16Array;
  if (encoding === 'pcm16') {
    all = new Int16Array(frames * fmt.channels);
    for (let i = 0; i < all.length; i++) all[i] = data.readInt16LE(i * 2);
  } else {
    const raw = new Uint8Array(data.buffer, data.byteOffset, frames * fmt.channels);
    all = encoding === 'mulaw' ? mulawDecode(raw) : alawDecode(raw);
  }
  const pcm = fmt.channels === 1 ? all : mixDown(all, fmt.channels);
  return { sampleRate: fmt.rate as SampleRate, pcm, encoding, seconds: pcm.length / fmt.rate };
}

function mixDown(interleaved: Int16Array, channels: number): Int16Array {
  const out = new Int16Array(interleaved.length / channels);
  for (let i = 0; i < out.length; i++) {
    let s = 0;
    for (let c = 0; c < channels; c++) s += interleaved[i * channels + c] as number;
    out[i] = Math.round(s / channels);
  }
  return out;
}

/** A WAV file of `pcm` (16-bit) or of G.711 bytes, for tests, benchmarks and the telephony bridge. */
export function encodeWav(samples: Int16Array | Uint8Array, sampleRate: number, encoding: WavEncoding = 'pcm16'): Buffer {
  const bits = encoding === 'pcm16' ? 16 : 8;
  const data = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(encoding === 'pcm16' ? 1 : encoding === 'mulaw' ? 7 : 6, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE((sampleRate * bits) / 8, 28);
  header.writeUInt16LE(bits / 8, 32);
  header.writeUInt16LE(bits, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}
