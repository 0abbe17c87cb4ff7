/**
 * Sample-rate conversion of 16-bit PCM by windowed-sinc interpolation. Going down
 * (16 kHz to 8 kHz) the filter's cut-off follows the lower rate, so telephone-band audio is
 * not folded back as aliasing noise the recognizer would hear.
 *
 * A stream converted frame by frame (a call's 20 ms frames) passes the same `carry` object
 * with each frame: the samples the filter still needs are kept in it, so the frames come
 * out as the whole stream would (no clicks at frame edges, no sample lost to an odd frame
 * length), `HALF_TAPS` input samples late.
 */
const HALF_TAPS = 16;
/** Kernels kept per conversion, one per distinct sub-sample phase (2 for 8→16 kHz, 1 for 16→8 kHz). */
const MAX_CACHED_PHASES = 4096;

/** A stream's state between frames; start with `{}` and pass the same object every time. */
export interface ResampleCarry {
  fromRate?: number;
  toRate?: number;
  /** Input samples still needed by the filter, from input index `start`. */
  history?: Int16Array;
  start?: number;
  /** Input samples received so far. */
  received?: number;
  /** Output samples produced so far. */
  produced?: number;
}

export interface ResampleOptions {
  /** Convert a stream frame by frame: this frame's output is what the filter can complete so far. */
  carry?: ResampleCarry;
  /** With `carry`: this is the stream's last frame; the rest comes out, as at the end of a buffer. */
  end?: boolean;
}

interface Kernel {
  ratio: number;
  cutoff: number;
  span: number;
  /** Windowed-sinc weights by phase (the fractional part of the input position), for offsets -span..span. */
  phases: Map<number, Float64Array>;
}

const kernels = new Map<string, Kernel>();

function kernelFor(fromRate: number, toRate: number): Kernel {
  const key = `${fromRate}:${toRate}`;
  let k = kernels.get(key);
  if (!k) {
    const ratio = toRate / fromRate;
    const cutoff = Math.min(1, ratio);
    k = { ratio, cutoff, span: Math.ceil(HALF_TAPS / cutoff), phases: new Map() };
    kernels.set(key, k);
  }
  return k;
}

/** The weights for input offsets -span..span around a position whose fractional part is `frac`. */
function weights(k: Kernel, frac: number): Float64Array {
  const cached = k.phases.get(frac);
  if (cached) return cached;
  const w = new Float64Array(2 * k.span + 1);
  for (let d = -k.span; d <= k.span; d++) {
    const t = d - frac;
    const x = t * k.cutoff;
    // Hann-windowed sinc.
    const hann = 0.5 + 0.5 * Math.cos((Math.PI * t) / (k.span + 1));
    w[d + k.span] = (x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x)) * hann;
  }
  if (k.phases.size < MAX_CACHED_PHASES) k.phases.set(frac, w);
  return w;
}

/**
 * Output samples `from`..`to-1` of a signal whose input samples `start`.. are in `input`
 * (`total` of them known so far; the filter is cut at the last one, as at a buffer's end).
 */
function convolve(k: Kernel, input: Int16Array, start: number, total: number, from: number, to: number): Int16Array {
  const out = new Int16Array(Math.max(0, to - from));
  for (let i = from; i < to; i++) {
    const center = i / k.ratio;
    const base = Math.floor(center);
    const w = weights(k, center - base);
    const first = Math.max(0, Math.ceil(center - k.span));
    const last = Math.min(total - 1, Math.floor(center + k.span));
    let acc = 0;
    let norm = 0;
    for (let j = first; j <= last; j++) {
      const kw = w[j - base + k.span] as number;
      acc += (input[j - start] as number) * kw;
      norm += kw;
    }
    const v = norm === 0 ? 0 : Math.round(acc / norm);
    out[i - from] = Math.max(-32768, Math.min(32767, v));
  }
  return out;
}

export function resample(pcm: Int16Array, fromRate: number, toRate: number, opts: ResampleOptions = {}): Int16Array {
  if (!(fromRate > 0 && toRate > 0)) throw new RangeError(`resample: rates must be positive (got ${fromRate} -> ${toRate}).`);
  if (fromRate === toRate) return pcm.slice();
  const k = kernelFor(fromRate, toRate);
  const c = opts.carry;
  if (!c) return convolve(k, pcm, 0, pcm.length, 0, Math.floor((pcm.length * toRate) / fromRate));
  if (c.fromRate === undefined) Object.assign(c, { fromRate, toRate, history: new Int16Array(0), start: 0, received: 0, produced: 0 });
  else if (c.fromRate !== fromRate || c.toRate !== toRate)
    throw new RangeError(`resample: this stream converts ${c.fromRate} -> ${c.toRate}, not ${fromRate} -> ${toRate}.`);
  const start = c.start ?? 0;
  const history = concat(c.history ?? new Int16Array(0), pcm);
  const received = (c.received ?? 0) + pcm.length;
  const produced = c.produced ?? 0;
  // Every output sample whose filter window lies inside what has arrived (all of them at the end).
  let until = Math.floor((received * toRate) / fromRate);
  if (!opts.end) while (until > produced && Math.floor((until - 1) / k.ratio + k.span) > received - 1) until--;
  const out = convolve(k, history, start, received, produced, Math.max(produced, until));
  const next = Math.max(produced, until);
  const keepFrom = Math.min(received, Math.max(start, Math.ceil(next / k.ratio - k.span)));
  c.history = history.slice(keepFrom - start);
  c.start = keepFrom;
  c.received = received;
  c.produced = next;
  return out;
}

function concat(a: Int16Array, b: Int16Array): Int16Array {
  if (!a.length) return b;
  const out = new Int16Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
