/**
 * Sample-rate conversion of 16-bit PCM by windowed-sinc interpolation. Going down
 * (16 kHz to 8 kHz) the filter's cut-off follows the lower rate, so telephone-band audio is
 * not folded back as aliasing noise the recognizer would hear.
 */
const HALF_TAPS = 16;

export function resample(pcm: Int16Array, fromRate: number, toRate: number): Int16Array {
  if (!(fromRate > 0 && toRate > 0)) throw new RangeError(`resample: rates must be positive (got ${fromRate} -> ${toRate}).`);
  if (fromRate === toRate) return pcm.slice();
  const ratio = toRate / fromRate;
  const cutoff = Math.min(1, ratio);
  const outLength = Math.floor((pcm.length * toRate) / fromRate);
  const out = new Int16Array(outLength);
  const span = Math.ceil(HALF_TAPS / cutoff);
  for (let i = 0; i < outLength; i++) {
    const center = i / ratio;
    const first = Math.max(0, Math.ceil(center - span));
    const last = Math.min(pcm.length - 1, Math.floor(center + span));
    let acc = 0;
    let norm = 0;
    for (let j = first; j <= last; j++) {
      const x = (j - center) * cutoff;
      // Hann-windowed sinc.
      const w = 0.5 + 0.5 * Math.cos((Math.PI * (j - center)) / (span + 1));
      const k = (x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x)) * w;
      acc += (pcm[j] as number) * k;
      norm += k;
    }
    const v = norm === 0 ? 0 : Math.round(acc / norm);
    out[i] = Math.max(-32768, Math.min(32767, v));
  }
  return out;
}
