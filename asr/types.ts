/**
 * The streaming speech-recognition contract every engine implements (sherpa-onnx, Vosk, PocketSphinx,
 * remote vosk-server) and every audio source uses (telephony's media bridge, the
 * WebSocket ASR endpoint, `hotline asr transcribe`).
 *
 * Audio is 16-bit signed little-endian mono PCM at the stream's sample rate.
 * Results arrive through `onResult`: partials (final: false) while speech goes on, each
 * replacing the previous partial, then one final result at each endpoint (pause), and
 * a last final on `close()` if speech was pending.
 */
export type SampleRate = 8000 | 16000;

export interface AsrResult {
  text: string;
  final: boolean;
  /** Milliseconds from the start of the stream. */
  startMs?: number;
  endMs?: number;
  /** 0..1 where the engine gives one. */
  confidence?: number;
}

/** A spoken keyword the engine's keyword spotter heard (sherpa with a pinyin model). */
export interface KeywordHit {
  /** The phrase as the keyword list gave it (e.g. 起火). */
  keyword: string;
  /** Milliseconds from the start of the stream. */
  startMs: number;
  endMs: number;
}

export interface StreamOptions {
  sampleRate: SampleRate;
  onResult(result: AsrResult): void;
  /** Spoken keywords heard in the audio itself (engines with a keyword spotter only). */
  onKeyword?(hit: KeywordHit): void;
  /** A failure of the recognizer after the stream opened (the stream is then closed). */
  onError?(err: Error): void;
}

export interface AsrStream {
  /** Queues PCM for recognition; never blocks the caller's thread on decoding. */
  push(pcm: Buffer | Int16Array): void;
  /** Flushes the last result (delivered before the promise resolves) and frees the recognizer. */
  close(): Promise<void>;
}

export interface AsrEngine {
  readonly name: 'sherpa' | 'vosk' | 'pocketsphinx' | 'remote';
  /**
   * Opens a stream. Rejects with a HotlineError (503, code ASR_BUSY) when the recognizer
   * pool is full, rather than slowing every other call down.
   */
  openStream(options: StreamOptions): Promise<AsrStream>;
  /**
   * The phrases to spot in every stream's audio (replacing the previous list), for
   * engines that have a keyword spotter; `spotted` are those it listens for, `skipped`
   * those it cannot (not Chinese characters, one syllable, no pinyin model).
   */
  setKeywords?(list: { phrase: string; threshold?: number; boost?: number }[]): Promise<{ spotted: string[]; skipped: string[] }>;
  /** Frees every recognizer and worker. */
  close(): Promise<void>;
}
