/**
 * The sherpa engine: a few worker threads (one per core by default), each with the model
 * loaded once and many streams, one per call leg. ASR_POOL_SIZE bounds the streams of all
 * workers together; one more is refused with ASR_BUSY rather than slowing every call down.
 * A new stream goes to the worker with the fewest. A worker that dies fails its own streams
 * only, and is replaced for the next one.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { AsrErrors } from '../errors.js';
import { asrBusy, typeScriptWorker } from '../pool.js';
import type { AsrEngine, AsrResult, AsrStream, StreamOptions } from '../types.js';
import { keywordsFileText, readVocabulary } from './keywords.js';
import type { SherpaReply, SherpaRequest, SherpaWorkerSpec } from './protocol.js';

interface OpenStream {
  options: StreamOptions;
  closing?: { resolve: () => void; reject: (e: Error) => void };
  opening?: { resolve: () => void; reject: (e: Error) => void };
}

class SherpaWorker {
  readonly worker: Worker;
  readonly ready: Promise<string>;
  readonly streams = new Map<number, OpenStream>();
  dead?: Error;
  /** Why the last keyword list could not be loaded (the previous one stays). */
  keywordsProblem?: string;

  constructor(spec: SherpaWorkerSpec, onDeath: (w: SherpaWorker) => void) {
    this.worker = typeScriptWorker(new URL('./worker.ts', import.meta.url), spec);
    // An idle worker does not keep the process alive (a CLI that only asked which engine
    // there is, a test that never opened a stream); one with streams does (hold()).
    this.worker.unref();
    this.ready = new Promise((resolve, reject) => {
      this.worker.on('message', (m: SherpaReply) => {
        if (m.type === 'ready') resolve(m.description);
        else if (m.type === 'keywords-failed') this.keywordsProblem = m.message;
        else if (m.type === 'failed') {
          this.dead = new Error(m.message);
          reject(this.dead);
          void this.worker.terminate();
        } else this.route(m);
      });
      const die = (err: Error) => {
        if (!this.dead) this.dead = err;
        reject(this.dead);
        for (const [id, s] of this.streams) {
          this.drop(id);
          s.opening?.reject(this.dead);
          s.closing?.reject(this.dead);
          if (!s.opening && !s.closing) s.options.onError?.(this.dead);
        }
        onDeath(this);
      };
      this.worker.on('error', die);
      this.worker.on('exit', (code) => die(new Error(`the sherpa recognizer worker stopped (exit code ${code})`)));
    });
    // The first failure is reported by whoever opens a stream; nobody may be waiting yet.
    this.ready.catch(() => {});
  }

  /** Keeps the process alive while the worker has streams. */
  hold(id: number, s: OpenStream) {
    this.streams.set(id, s);
    this.worker.ref();
  }

  drop(id: number) {
    this.streams.delete(id);
    if (!this.streams.size) this.worker.unref();
  }

  private deliver(s: OpenStream, results: AsrResult[]) {
    for (const r of results) s.options.onResult(r);
  }

  private route(m: SherpaReply) {
    if (!('id' in m) || m.id === undefined) return;
    const s = this.streams.get(m.id);
    if (!s) return;
    if (m.type === 'opened') {
      s.opening?.resolve();
      s.opening = undefined;
    } else if (m.type === 'results') this.deliver(s, m.results);
    else if (m.type === 'hits') for (const h of m.hits) s.options.onKeyword?.(h);
    else if (m.type === 'closed') {
      this.deliver(s, m.results);
      this.drop(m.id);
      s.closing?.resolve();
    } else if (m.type === 'error') {
      const err = new Error(m.message);
      if (s.opening) {
        this.drop(m.id);
        s.opening.reject(err);
      } else if (s.closing) {
        this.drop(m.id);
        s.closing.reject(err);
      } else {
        // The contract: a stream that failed is closed. Free its place and the worker's state.
        this.drop(m.id);
        this.post({ type: 'close', id: m.id });
        s.options.onError?.(err);
      }
    }
  }

  post(m: SherpaRequest, transfer?: ArrayBuffer[]) {
    this.worker.postMessage(m, transfer);
  }
}

export interface SherpaEngineOptions {
  /** Most streams over all workers. */
  size: number;
  /** Worker threads (default: one per core). */
  threads?: number;
}

export function createSherpaEngine(
  spec: SherpaWorkerSpec,
  opts: SherpaEngineOptions,
): AsrEngine & { stats(): { streams: number; workers: number; size: number }; ready(): Promise<void> } {
  const threads = Math.max(1, Math.min(opts.threads ?? availableParallelism(), opts.size));
  const workers: (SherpaWorker | undefined)[] = Array.from({ length: threads }, () => undefined);
  let nextId = 1;
  let closed = false;
  const total = () => workers.reduce((n, w) => n + (w?.streams.size ?? 0), 0);

  const workerAt = (i: number): SherpaWorker => {
    const existing = workers[i];
    if (existing && !existing.dead) return existing;
    const w = new SherpaWorker(spec, (dead) => {
      if (workers[i] === dead) workers[i] = undefined;
    });
    workers[i] = w;
    return w;
  };
  // Keyword files live in a folder of this engine's own, replaced on each new list.
  let keywordsDir: string | undefined;
  let keywordsVersion = 0;
  const spots = spec.model.output === 'pinyin' && spec.model.kind === 'transducer';

  // Load the model now, so the first call finds it warm.
  for (let i = 0; i < threads; i++) workerAt(i);

  async function openStream(options: StreamOptions): Promise<AsrStream> {
    if (closed) throw AsrErrors.ASR_CLOSED();
    if (options.sampleRate !== 8000 && options.sampleRate !== 16000) {
      throw AsrErrors.ASR_SAMPLE_RATE_UNSUPPORTED({ rate: options.sampleRate });
    }
    if (total() >= opts.size) throw asrBusy(opts.size);
    let best = 0;
    for (let i = 1; i < threads; i++) if ((workers[i]?.streams.size ?? 0) < (workers[best]?.streams.size ?? 0)) best = i;
    const w = workerAt(best);
    const id = nextId++;
    const s: OpenStream = { options };
    // Counted at once, so concurrent opens cannot overshoot the pool size while the worker loads.
    w.hold(id, s);
    try {
      await w.ready;
      await new Promise<void>((resolve, reject) => {
        s.opening = { resolve, reject };
        w.post({ type: 'open', id, sampleRate: options.sampleRate });
      });
    } catch (err) {
      w.drop(id);
      throw AsrErrors.ASR_START_FAILED({ engine: 'sherpa', reason: (err as Error).message });
    }
    let ended = false;
    return {
      push(pcm) {
        if (ended || w.dead) return;
        const copy = pcm instanceof Int16Array ? pcm.slice().buffer : Uint8Array.prototype.slice.call(pcm, 0, pcm.byteLength & ~1).buffer;
        w.post({ type: 'audio', id, pcm: copy }, [copy]);
      },
      async close() {
        if (ended) return;
        ended = true;
        if (w.dead || !w.streams.has(id)) return;
        await new Promise<void>((resolve, reject) => {
          s.closing = { resolve, reject };
          w.post({ type: 'close', id });
        });
      },
    };
  }

  async function setKeywords(list: { phrase: string; threshold?: number; boost?: number }[]) {
    if (!spots) return { spotted: [], skipped: list.map((k) => k.phrase) };
    const { text, skipped } = keywordsFileText(list, readVocabulary(spec.model.files.tokens as string));
    let file: string | null = null;
    if (text) {
      keywordsDir ??= mkdtempSync(join(tmpdir(), 'hotline-kws-'));
      file = join(keywordsDir, `keywords-${++keywordsVersion}.txt`);
      writeFileSync(file, text);
    }
    spec.keywords = file;
    for (const w of workers) if (w && !w.dead) w.post({ type: 'keywords', file });
    const spotted = text
      .split('\n')
      .filter(Boolean)
      .map((l) => l.slice(l.lastIndexOf('@') + 1));
    return { spotted, skipped };
  }

  return {
    name: 'sherpa',
    openStream,
    setKeywords,
    async ready() {
      const all = workers.map((w, i) => w ?? workerAt(i));
      for (const w of all) w.worker.ref();
      try {
        await Promise.all(all.map((w) => w.ready));
      } finally {
        for (const w of all) if (!w.streams.size) w.worker.unref();
      }
    },
    async close() {
      closed = true;
      await Promise.all(
        workers.map(async (w) => {
          if (!w) return;
          w.worker.ref();
          // A worker killed while onnxruntime loads or holds a session aborts the whole
          // process (a native error during teardown): let it finish loading, free its
          // sessions and leave by itself; terminate only one that does not.
          const exited = new Promise<void>((resolve) => w.worker.once('exit', () => resolve()));
          const within = (p: Promise<unknown>, ms: number) =>
            Promise.race([
              p.then(
                () => true,
                () => true,
              ),
              new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref()),
            ]);
          if (!w.dead) {
            await within(w.ready, 60_000);
            w.post({ type: 'shutdown' });
          }
          if (!(await within(exited, 5_000))) await w.worker.terminate();
        }),
      );
      if (keywordsDir) rmSync(keywordsDir, { recursive: true, force: true });
    },
    stats: () => ({ streams: total(), workers: workers.filter(Boolean).length, size: opts.size }),
  };
}
