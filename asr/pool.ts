/**
 * A bounded pool of recognizer worker threads for the local engines. One worker decodes
 * one stream; idle workers keep their model loaded for the next stream; when every worker
 * is busy and the pool is at its size, a new stream is refused (ASR_BUSY) instead of
 * slowing every call down.
 */
import { Worker } from 'node:worker_threads';
import { AsrErrors } from './errors.js';
import type { PocketSphinxModel } from './native/pocketsphinx.js';
import type { AsrEngine, AsrResult, AsrStream, SampleRate, StreamOptions } from './types.js';

export type LocalEngineSpec =
  | { engine: 'pocketsphinx'; pocketsphinx: PocketSphinxModel }
  | { engine: 'vosk'; voskLibrary: string; voskModel: string };

export type WorkerRequest =
  | { type: 'open'; sampleRate: SampleRate }
  | { type: 'audio'; pcm: ArrayBuffer }
  | { type: 'close' }
  | { type: 'shutdown' };

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'opened' }
  | { type: 'results'; results: AsrResult[] }
  | { type: 'closed'; results: AsrResult[] }
  | { type: 'error'; message: string };

export const asrBusy = (size: number) => AsrErrors.ASR_BUSY({ size });

const TSX_API = import.meta.resolve('tsx/esm/api');

/**
 * A worker thread running a TypeScript module. Worker threads do not inherit the tsx loader
 * that `bin/hotline.js` registers in-process, so each worker registers it before importing
 * its entry.
 */
export function typeScriptWorker(entry: URL, workerData: unknown): Worker {
  const boot = `import(${JSON.stringify(TSX_API)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(boot, { eval: true, workerData });
}

class RecognizerWorker {
  readonly worker: Worker;
  private listener?: (m: WorkerReply) => void;
  private readonly ready: Promise<void>;
  dead?: Error;
  onDeath?: (err: Error) => void;

  constructor(spec: LocalEngineSpec) {
    this.worker = typeScriptWorker(new URL('./worker.ts', import.meta.url), spec);
    this.ready = new Promise((resolve, reject) => {
      const onReady = (m: WorkerReply) => {
        if (m.type === 'ready') {
          this.worker.off('message', onReady);
          resolve();
        }
      };
      this.worker.on('message', onReady);
      this.worker.once('error', reject);
    });
    this.worker.on('message', (m: WorkerReply) => this.listener?.(m));
    const die = (err: Error) => {
      if (this.dead) return;
      this.dead = err;
      this.onDeath?.(err);
    };
    this.worker.on('error', die);
    this.worker.on('exit', (code) => die(new Error(`the recognizer worker stopped (exit code ${code})`)));
  }

  /** Sends `req` and waits for the reply of `type` (an 'error' reply rejects). */
  async call(req: WorkerRequest, type: 'opened' | 'closed'): Promise<WorkerReply> {
    await this.ready;
    if (this.dead) throw this.dead;
    return new Promise((resolve, reject) => {
      const prev = this.listener;
      const onDeath = this.onDeath;
      this.onDeath = (err) => {
        onDeath?.(err);
        reject(err);
      };
      this.listener = (m) => {
        if (m.type === type || m.type === 'error') {
          this.listener = prev;
          this.onDeath = onDeath;
          if (m.type === 'error') reject(new Error(m.message));
          else resolve(m);
        } else prev?.(m);
      };
      this.worker.postMessage(req);
    });
  }

  setListener(l: ((m: WorkerReply) => void) | undefined) {
    this.listener = l;
  }

  async terminate() {
    this.worker.postMessage({ type: 'shutdown' } satisfies WorkerRequest);
    await this.worker.terminate();
  }
}

export interface PoolOptions {
  size: number;
}

export function createWorkerPoolEngine(
  spec: LocalEngineSpec,
  opts: PoolOptions,
): AsrEngine & { stats(): { busy: number; idle: number; size: number } } {
  const idle: RecognizerWorker[] = [];
  const busy = new Set<RecognizerWorker>();
  let closed = false;

  const release = (w: RecognizerWorker) => {
    busy.delete(w);
    if (w.dead || closed) void w.terminate().catch(() => {});
    else idle.push(w);
  };

  async function openStream(options: StreamOptions): Promise<AsrStream> {
    if (closed) throw AsrErrors.ASR_CLOSED();
    if (options.sampleRate !== 8000 && options.sampleRate !== 16000) {
      throw AsrErrors.ASR_SAMPLE_RATE_UNSUPPORTED({ rate: options.sampleRate });
    }
    let w = idle.pop();
    if (!w) {
      if (busy.size >= opts.size) throw asrBusy(opts.size);
      w = new RecognizerWorker(spec);
    }
    busy.add(w);
    const worker = w;
    try {
      await worker.call({ type: 'open', sampleRate: options.sampleRate }, 'opened');
    } catch (err) {
      busy.delete(worker);
      void worker.terminate().catch(() => {});
      throw AsrErrors.ASR_START_FAILED({ engine: spec.engine, reason: (err as Error).message });
    }
    let ended = false;
    const deliver = (results: AsrResult[]) => {
      for (const r of results) options.onResult(r);
    };
    worker.setListener((m) => {
      if (m.type === 'results') deliver(m.results);
      else if (m.type === 'error') options.onError?.(new Error(m.message));
    });
    worker.onDeath = (err) => {
      if (ended) return;
      ended = true;
      busy.delete(worker);
      options.onError?.(err);
    };
    return {
      push(pcm) {
        if (ended) return;
        // A copy we can transfer (the caller keeps its buffer); Buffers may sit at odd offsets.
        const copy = pcm instanceof Int16Array ? pcm.slice().buffer : Uint8Array.prototype.slice.call(pcm, 0, pcm.byteLength & ~1).buffer;
        worker.worker.postMessage({ type: 'audio', pcm: copy } satisfies WorkerRequest, [copy]);
      },
      async close() {
        if (ended) return;
        ended = true;
        try {
          const reply = await worker.call({ type: 'close' }, 'closed');
          if (reply.type === 'closed') deliver(reply.results);
        } finally {
          worker.setListener(undefined);
          worker.onDeath = undefined;
          release(worker);
        }
      },
    };
  }

  return {
    name: spec.engine,
    openStream,
    async close() {
      closed = true;
      await Promise.all([...idle.splice(0), ...busy].map((w) => w.terminate().catch(() => {})));
      busy.clear();
    },
    stats: () => ({ busy: busy.size, idle: idle.length, size: opts.size }),
  };
}
