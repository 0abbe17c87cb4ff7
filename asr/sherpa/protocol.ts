/** Messages between the sherpa engine (asr/sherpa/engine.ts) and its worker threads (worker.ts). */
import type { AsrResult, KeywordHit, SampleRate } from '../types.js';
import type { SherpaModelDescription } from './model-dir.js';

export interface SherpaWorkerSpec {
  model: SherpaModelDescription;
  /** Where the pinyin converter's files are (pinyin models only). */
  pinyinDir?: string;
  /** Silero VAD model, for endpoints; endpoints fall back to the recognizer's own rules without it. */
  vad?: string;
  /** Threads of onnxruntime per worker (1: the pool of workers is the parallelism). */
  numThreads: number;
  /** The keyword spotter's keywords file (pinyin models only); none = no spotting. */
  keywords?: string | null;
}

export type SherpaRequest =
  | { type: 'open'; id: number; sampleRate: SampleRate }
  | { type: 'audio'; id: number; pcm: ArrayBuffer }
  | { type: 'close'; id: number }
  /** New spoken keywords for every stream (null: stop spotting). */
  | { type: 'keywords'; file: string | null }
  | { type: 'shutdown' };

export type SherpaReply =
  | { type: 'ready'; description: string }
  | { type: 'failed'; message: string }
  | { type: 'opened'; id: number }
  | { type: 'results'; id: number; results: AsrResult[] }
  | { type: 'hits'; id: number; hits: KeywordHit[] }
  | { type: 'keywords-failed'; message: string }
  | { type: 'closed'; id: number; results: AsrResult[] }
  | { type: 'error'; id?: number; message: string };
