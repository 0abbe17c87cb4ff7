/**
 * Reading the prompt WAVs and changing PCM between 16 and 8 kHz, for telephony's own needs
 * (prompts, 16 kHz audio-fork streams), so the bridge does not depend on the ASR engine.
 */

/** 16-bit mono PCM from a WAV file (8 or 16 kHz; stereo takes the first channel). */
export function readWavPcm(buf: Buffer, name: string): { rate: number; pcm: Buffer } {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error(`${name} is not a WAV file: convert it with \`sox in.wav -r 8000 -c 1 -b 16 out.wav\``);
  }
  let off = 12;
  let fmt: { format: number; channels: number; rate: number; bits: number } | undefined;
  while (off + 8 <= buf.length) {
    const id = buf.toString('ascii', off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    const body = off + 8;
    if (id === 'fmt ') {
      fmt = {
        format: buf.readUInt16LE(body),
        channels: buf.readUInt16LE(body + 2),
        rate: buf.readUInt32LE(body + 4),
        bits: buf.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (fmt?.format !== 1 || fmt.bits !== 16 || (fmt.rate !== 8000 && fmt.rate !== 16000)) {
        throw new Error(`${name} must be 16-bit PCM at 8 or 16 kHz: convert it with \`sox in.wav -r 8000 -c 1 -b 16 out.wav\``);
      }
      const data = buf.subarray(body, Math.min(buf.length, body + size));
      if (fmt.channels === 1) return { rate: fmt.rate, pcm: Buffer.from(data) };
      const frames = Math.floor(data.length / (2 * fmt.channels));
      const mono = Buffer.alloc(frames * 2);
      for (let i = 0; i < frames; i++) mono.writeInt16LE(data.readInt16LE(i * 2 * fmt.channels), i * 2);
      return { rate: fmt.rate, pcm: mono };
    }
    off = body + size + (size % 2);
  }
  throw new Error(`${name} has no audio data chunk`);
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
