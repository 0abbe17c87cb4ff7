/**
 * Silero VAD (v5/v6 ONNX) for many streams at once: one onnxruntime session per worker, each
 * stream with its own recurrent state and 64-sample context, all streams that have a 32 ms
 * window ready run as one batch. sherpa-onnx's own `Vad` holds a session per instance (about
 * 9 MiB and 40 ms to create: 0.9 GB for 100 calls); batched here, a window costs about 0.04 ms
 * of CPU a stream (docs/benchmarks.md).
 */
import type { InferenceSession, Tensor } from 'onnxruntime-node';

const WINDOW = 512; // 32 ms at 16 kHz
const CONTEXT = 64;
const STATE = 2 * 128;

export interface VadStream {
  /** Samples waiting for a whole window (16 kHz floats). */
  pending: Float32Array;
  pendingLength: number;
  context: Float32Array;
  state: Float32Array;
}

export function newVadStream(): VadStream {
  return { pending: new Float32Array(WINDOW * 4), pendingLength: 0, context: new Float32Array(CONTEXT), state: new Float32Array(STATE) };
}

export const VAD_WINDOW = WINDOW;

export class SileroVad {
  private readonly sr: Tensor;

  private constructor(
    private readonly ort: typeof import('onnxruntime-node'),
    private readonly session: InferenceSession,
  ) {
    this.sr = new ort.Tensor('int64', BigInt64Array.from([16000n]), []);
  }

  static async load(path: string): Promise<SileroVad> {
    const ort = (await import('onnxruntime-node')) as typeof import('onnxruntime-node');
    const session = await ort.InferenceSession.create(path, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    if (!session.inputNames.includes('state') || !session.inputNames.includes('sr')) {
      throw new Error(`${path} is not a Silero VAD v5/v6 model (inputs ${session.inputNames.join(', ')})`);
    }
    return new SileroVad(ort, session);
  }

  /** Frees the session (before the worker thread ends: a session freed at teardown aborts the process). */
  async release(): Promise<void> {
    await this.session.release();
  }

  /** Queues 16 kHz samples of a stream. */
  push(s: VadStream, samples: Float32Array): void {
    if (s.pendingLength + samples.length > s.pending.length) {
      const bigger = new Float32Array(Math.max(s.pending.length * 2, s.pendingLength + samples.length));
      bigger.set(s.pending.subarray(0, s.pendingLength));
      s.pending = bigger;
    }
    s.pending.set(samples, s.pendingLength);
    s.pendingLength += samples.length;
  }

  /**
   * Speech probabilities of every whole window the streams have queued, in order per stream,
   * with each window's samples. Windows of different streams share a run.
   */
  async run(streams: VadStream[]): Promise<{ prob: number; samples: Float32Array }[][]> {
    const out: { prob: number; samples: Float32Array }[][] = streams.map(() => []);
    for (;;) {
      const ready = streams.map((s, i) => ({ s, i })).filter(({ s }) => s.pendingLength >= WINDOW);
      if (!ready.length) return out;
      const B = ready.length;
      const input = new Float32Array(B * (CONTEXT + WINDOW));
      const state = new Float32Array(2 * B * 128);
      const windows: Float32Array[] = [];
      ready.forEach(({ s }, b) => {
        const w = s.pending.slice(0, WINDOW);
        windows.push(w);
        input.set(s.context, b * (CONTEXT + WINDOW));
        input.set(w, b * (CONTEXT + WINDOW) + CONTEXT);
        // state is [2, B, 128]: the stream's two halves go to rows 0 and 1 of column b.
        state.set(s.state.subarray(0, 128), b * 128);
        state.set(s.state.subarray(128), (B + b) * 128);
      });
      const r = await this.session.run({
        input: new this.ort.Tensor('float32', input, [B, CONTEXT + WINDOW]),
        state: new this.ort.Tensor('float32', state, [2, B, 128]),
        sr: this.sr,
      });
      const probs = (r.output as Tensor).data as Float32Array;
      const next = (r.stateN as Tensor).data as Float32Array;
      ready.forEach(({ s, i }, b) => {
        s.state.set(next.subarray(b * 128, b * 128 + 128), 0);
        s.state.set(next.subarray((B + b) * 128, (B + b) * 128 + 128), 128);
        const w = windows[b] as Float32Array;
        s.context.set(w.subarray(WINDOW - CONTEXT));
        s.pending.copyWithin(0, WINDOW, s.pendingLength);
        s.pendingLength -= WINDOW;
        (out[i] as { prob: number; samples: Float32Array }[]).push({ prob: probs[b] as number, samples: w });
      });
    }
  }
}
