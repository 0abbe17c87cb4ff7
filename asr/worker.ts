/**
 * A worker thread that hosts one recognizer (Vosk or PocketSphinx) and decodes one stream
 * at a time for the pool (asr/pool.ts). The model stays loaded between streams, so opening
 * a stream costs a reset, not a model load. Messages: see WorkerRequest / WorkerReply.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PocketSphinxRecognizer } from './native/pocketsphinx.js';
import { loadVosk, VoskModelHandle, VoskRecognizer } from './native/vosk.js';
import type { LocalEngineSpec, WorkerReply, WorkerRequest } from './pool.js';
import { cleanTranscript } from './text.js';
import type { AsrResult, SampleRate } from './types.js';

interface Recognizer {
  accept(pcm: Int16Array): AsrResult[];
  finish(): AsrResult[];
  reset(): void;
  free(): void;
}

const spec = workerData as LocalEngineSpec;
const port = parentPort;
if (!port) throw new Error('asr/worker.ts must run in a worker thread.');

const recognizers = new Map<SampleRate, Recognizer>();
let voskModel: VoskModelHandle | undefined;
let current: Recognizer | undefined;

function recognizerFor(rate: SampleRate): Recognizer {
  const existing = recognizers.get(rate);
  if (existing) return existing;
  let r: Recognizer;
  if (spec.engine === 'vosk') {
    voskModel ??= new VoskModelHandle(loadVosk(spec.voskLibrary), spec.voskModel);
    r = new VoskRecognizer(voskModel, rate);
  } else {
    r = new PocketSphinxRecognizer(spec.pocketsphinx, rate);
  }
  recognizers.set(rate, r);
  return r;
}

const send = (m: WorkerReply) => port.postMessage(m);
const clean = (results: AsrResult[]) => results.map((r) => ({ ...r, text: cleanTranscript(r.text) })).filter((r) => r.text);

port.on('message', (m: WorkerRequest) => {
  try {
    if (m.type === 'open') {
      current = recognizerFor(m.sampleRate);
      current.reset();
      send({ type: 'opened' });
    } else if (m.type === 'audio') {
      if (!current) return;
      const results = current.accept(new Int16Array(m.pcm));
      if (results.length) send({ type: 'results', results: clean(results) });
    } else if (m.type === 'close') {
      const results = current ? current.finish() : [];
      current?.reset();
      current = undefined;
      send({ type: 'closed', results: clean(results) });
    } else if (m.type === 'shutdown') {
      for (const r of recognizers.values()) r.free();
      voskModel?.free();
      port.close();
    }
  } catch (err) {
    send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
});
send({ type: 'ready' });
