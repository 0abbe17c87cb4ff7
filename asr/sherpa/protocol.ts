/** Messages between the sherpa engine (asr/sherpa/engine.ts) and its worker threads (worker.ts). */
import type { AsrResult, SampleRate } from '../types.js';
import type { SherpaModelDescription } from './model-dir.js';

export interface SherpaWorkerSpec {
  model: SherpaModelDescription;
  /** Where the pinyin converter's files are (pinyin models only). */
  pinyinDir?: string;
  /** Silero VAD model, for endpoints; endpoints fall back to the recognizer's own rules without it. */
  vad?: string;
  /** Threads of onnxruntime per worker (1: the pool of workers is the parallelism). */
  numThreads: number;
}

export type SherpaRequest =
  | { type: 'open'; id: number; sampleRate: SampleRate }
  | { type: 'audio'; id: number; pcm: ArrayBuffer }
  | { type: 'close'; id: number }
  | { type: 'shutdown' };

export type SherpaReply =
  | { type: 'ready'; description: string }
  | { type: 'failed'; message: string }
  | { type: 'opened'; id: number }
  | { type: 'results'; id: number; results: AsrResult[] }
  | { type: 'closed'; id: number; results: AsrResult[] }
  | { type: 'error'; id?: number; message: string };
