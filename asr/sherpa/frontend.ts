/**
 * The telephone front end for the sherpa engine: 16-bit PCM at 8 or 16 kHz in, float samples at
 * the same rate out with an automatic gain. The pinyin model was trained on WenetSpeech at
 * normal levels; telephone audio reaches it 15-20 dB quieter, and its syllable errors on the
 * shared clips went from 11 % (level normalised) to 24 % (as received). Resampling to 16 kHz is
 * left to sherpa-onnx, whose streaming resampler keeps state across chunks.
 *
 * The gain follows the speech level, not the peaks: the level is the loudest recent 20 ms frame
 * energy (fast to rise, slow to fall, so pauses do not pump up line noise), and the gain brings
 * it to TARGET_DB, bounded to [MIN_GAIN_DB, MAX_GAIN_DB]. A soft limiter keeps loud callers
 * from clipping.
 */

export interface AgcOptions {
  /** Level (dBFS of a loud 20 ms frame's RMS) the speech is brought to. */
  targetDb: number;
  maxGainDb: number;
  minGainDb: number;
  /** Level assumed before any speech was heard (typical telephone speech). */
  initialLevelDb: number;
  /** How fast the level estimate falls, dB per second. */
  releaseDbPerSecond: number;
  /** Frames quieter than this are noise: they do not move the level estimate. */
  noiseFloorDb: number;
}

export const DEFAULT_AGC: AgcOptions = {
  targetDb: -8,
  maxGainDb: 30,
  minGainDb: -6,
  initialLevelDb: -30,
  releaseDbPerSecond: 1.5,
  noiseFloorDb: -55,
};

export class TelephoneFrontEnd {
  private levelDb: number;
  private gain: number;
  private readonly frame: number;
  private readonly options: AgcOptions;

  constructor(
    readonly sampleRate: number,
    options: Partial<AgcOptions> = {},
  ) {
    this.options = { ...DEFAULT_AGC, ...options };
    this.levelDb = this.options.initialLevelDb;
    this.gain = this.targetGain();
    this.frame = Math.round(sampleRate / 50);
  }

  private targetGain(): number {
    const o = this.options;
    const db = Math.max(o.minGainDb, Math.min(o.maxGainDb, o.targetDb - this.levelDb));
    return 10 ** (db / 20);
  }

  /** The gain now applied, in dB (for logs and tests). */
  get gainDb(): number {
    return 20 * Math.log10(this.gain);
  }

  reset(): void {
    this.levelDb = this.options.initialLevelDb;
    this.gain = this.targetGain();
  }

  /** Applies the gain to `pcm`; returns float samples in [-1, 1] at the input's rate. */
  process(pcm: Int16Array): Float32Array {
    const out = new Float32Array(pcm.length);
    const o = this.options;
    const frameSeconds = this.frame / this.sampleRate;
    for (let i = 0; i < pcm.length; i += this.frame) {
      const end = Math.min(pcm.length, i + this.frame);
      let energy = 0;
      for (let k = i; k < end; k++) energy += (pcm[k] as number) * (pcm[k] as number);
      const db = 10 * Math.log10(energy / Math.max(1, end - i) / (32768 * 32768) + 1e-12);
      if (db > o.noiseFloorDb) {
        // Rise at once to a louder frame (a shout must not clip for long), fall slowly.
        this.levelDb = db > this.levelDb ? db : Math.max(db, this.levelDb - o.releaseDbPerSecond * frameSeconds);
      }
      const target = this.targetGain();
      // Gain moves over one frame, without steps that would click.
      const g0 = this.gain;
      const n = end - i;
      for (let k = 0; k < n; k++) {
        const g = g0 + ((target - g0) * (k + 1)) / n;
        out[i + k] = softLimit(((pcm[i + k] as number) / 32768) * g);
      }
      this.gain = target;
    }
    return out;
  }
}

/** Linear below 0.8, then a smooth knee that never exceeds 1. */
function softLimit(x: number): number {
  const a = Math.abs(x);
  if (a <= 0.8) return x;
  const y = 0.8 + 0.2 * Math.tanh((a - 0.8) / 0.2);
  return x < 0 ? -y : y;
}

/**
 * 8 kHz to 16 kHz for a stream: every input sample is kept and one is interpolated between
 * each pair by a Hann-windowed sinc over HALF_TAPS neighbours on each side. The last samples
 * of a chunk are held back until the next chunk brings the neighbours they need.
 */
export class Upsampler2x {
  private static readonly HALF_TAPS = 32;
  private static readonly kernel = (() => {
    const n = Upsampler2x.HALF_TAPS;
    const k = new Float32Array(2 * n);
    // Taps at offsets -n+0.5 ... n-0.5 input samples from the point halfway between two inputs.
    for (let i = 0; i < 2 * n; i++) {
      const x = i - n + 0.5;
      const w = 0.5 + 0.5 * Math.cos((Math.PI * x) / (n + 0.5));
      k[i] = (Math.sin(Math.PI * x) / (Math.PI * x)) * w;
    }
    let sum = 0;
    for (const v of k) sum += v;
    for (let i = 0; i < k.length; i++) k[i] = (k[i] as number) / sum;
    return k;
  })();
  private history = new Float32Array(2 * Upsampler2x.HALF_TAPS);

  reset(): void {
    this.history.fill(0);
  }

  /** Returns 2 output samples per input sample, delayed by HALF_TAPS input samples. */
  process(input: Float32Array): Float32Array {
    const n = Upsampler2x.HALF_TAPS;
    const k = Upsampler2x.kernel;
    const buf = new Float32Array(this.history.length + input.length);
    buf.set(this.history);
    buf.set(input, this.history.length);
    const out = new Float32Array(input.length * 2);
    // Output pair m: the input sample at buf[m + n - 1] and the midpoint after it.
    for (let m = 0; m < input.length; m++) {
      const c = m + n - 1;
      out[2 * m] = buf[c] as number;
      let acc = 0;
      for (let t = 0; t < 2 * n; t++) acc += (buf[c - n + 1 + t] as number) * (k[t] as number);
      out[2 * m + 1] = acc;
    }
    this.history = buf.slice(buf.length - this.history.length);
    return out;
  }
}
