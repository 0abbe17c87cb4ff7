/**
 * A worker thread of the sherpa engine: one sherpa-onnx OnlineRecognizer (the model loaded
 * once) decoding many streams, one per call leg, and for pinyin models the converter to
 * characters. Audio that arrived in one turn of the event loop is decoded together after it,
 * stream by stream, so a burst of RTP frames costs one decode per ready chunk.
 */
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import type { Conversion, PinyinDecoder } from '../pinyin/decoder.js';
import { PinyinDecoderCache } from '../pinyin/load.js';
import { tokensToSyllables } from '../pinyin/syllables.js';
import { cleanTranscript } from '../text.js';
import type { AsrResult } from '../types.js';
import { TelephoneFrontEnd, Upsampler2x } from './frontend.js';
import type { SherpaReply, SherpaRequest, SherpaWorkerSpec } from './protocol.js';

const require = createRequire(import.meta.url);
const spec = workerData as SherpaWorkerSpec;
const port = parentPort;
if (!port) throw new Error('asr/sherpa/worker.ts must run in a worker thread.');
const send = (m: SherpaReply) => port.postMessage(m);

interface SherpaResult {
  text: string;
  tokens: string[];
  timestamps: number[];
  ys_probs?: number[];
  start_time?: number;
}
interface OnlineStream {
  acceptWaveform(w: { samples: Float32Array; sampleRate: number }): void;
  inputFinished(): void;
}
interface OnlineRecognizer {
  createStream(): OnlineStream;
  isReady(s: OnlineStream): boolean;
  decode(s: OnlineStream): void;
  isEndpoint(s: OnlineStream): boolean;
  reset(s: OnlineStream): void;
  getResult(s: OnlineStream): SherpaResult;
}

const MODEL_RATE = 16000;

/**
 * Endpoint rules of sherpa-onnx: an utterance ends after RULE2 s of trailing silence once
 * something was said (the "final within 1 s of the end of speech" goal: measured in
 * bench/asr-sherpa.ts), after RULE1 s of silence with nothing said (resets the stream so
 * noise does not pile up), or at RULE3 s whatever happens (a caller who never pauses).
 */
const ENDPOINT = { rule1MinTrailingSilence: 2.4, rule2MinTrailingSilence: 0.4, rule3MinUtteranceLength: 20 };

function createRecognizer(): OnlineRecognizer {
  const sherpa = require('sherpa-onnx-node') as { OnlineRecognizer: new (c: unknown) => OnlineRecognizer };
  const f = spec.model.files;
  const modelConfig: Record<string, unknown> = { tokens: f.tokens, numThreads: spec.numThreads, provider: 'cpu', debug: 0 };
  if (spec.model.kind === 'transducer') modelConfig.transducer = { encoder: f.encoder, decoder: f.decoder, joiner: f.joiner };
  else if (spec.model.kind === 'paraformer') modelConfig.paraformer = { encoder: f.encoder, decoder: f.decoder };
  else modelConfig.zipformer2Ctc = { model: f.model };
  return new sherpa.OnlineRecognizer({
    featConfig: { sampleRate: MODEL_RATE, featureDim: 80 },
    modelConfig,
    decodingMethod: spec.model.kind === 'transducer' ? 'modified_beam_search' : 'greedy_search',
    maxActivePaths: 4,
    enableEndpoint: true,
    ...ENDPOINT,
  });
}

/**
 * onnxruntime-node opens each model file first: a corrupt file is an exception with its path
 * there, where the native recognizer might abort the whole process.
 */
async function checkModelFiles(): Promise<void> {
  const ort = (await import('onnxruntime-node')) as typeof import('onnxruntime-node');
  for (const [role, path] of Object.entries(spec.model.files)) {
    if (role === 'tokens' || !path) continue;
    try {
      const session = await ort.InferenceSession.create(path, { intraOpNumThreads: 1, graphOptimizationLevel: 'disabled' });
      await session.release();
    } catch (err) {
      throw new Error(
        `the ${role} model file ${path} cannot be loaded (${(err as Error).message.split('\n')[0]}): the file is damaged or not an ONNX model; run \`npx hotline models\` to install it again`,
      );
    }
  }
}

interface StreamState {
  stream: OnlineStream;
  front: TelephoneFrontEnd;
  up?: Upsampler2x;
  inputRate: number;
  /** Samples received at the input rate (for times). */
  samples: number;
  /** Samples at the start of the current utterance. */
  uttStart: number;
  conversion?: Conversion;
  lastPartial: string;
  pending: AsrResult[];
}

let recognizer: OnlineRecognizer;
let converter: PinyinDecoderCache | undefined;
let decoder: PinyinDecoder | undefined;
const streams = new Map<number, StreamState>();
const dirty = new Set<number>();
let scheduled = false;

function textOf(s: StreamState, r: SherpaResult): string {
  if (spec.model.output === 'characters' || !decoder) return r.text;
  const { syllables } = tokensToSyllables(r.tokens);
  s.conversion ??= decoder.start();
  return s.conversion.update(syllables);
}

function confidenceOf(r: SherpaResult): number | undefined {
  const p = r.ys_probs;
  if (!p?.length) return undefined;
  const mean = p.reduce((a, b) => a + b, 0) / p.length;
  return Math.max(0, Math.min(1, Math.exp(mean)));
}

const ms = (s: StreamState, samples: number) => Math.round((samples * 1000) / s.inputRate);

/** Partials and finals of one stream after decoding. */
function collect(s: StreamState, final: boolean): void {
  const r = recognizer.getResult(s.stream);
  const endpoint = final || recognizer.isEndpoint(s.stream);
  const raw = r.tokens.length ? textOf(s, r) : '';
  const text = cleanTranscript(raw);
  if (endpoint) {
    if (text) {
      const firstTokenMs = r.timestamps.length ? Math.round((r.timestamps[0] as number) * 1000) : 0;
      s.pending.push({
        text,
        final: true,
        startMs: ms(s, s.uttStart) + firstTokenMs,
        endMs: ms(s, s.samples),
        confidence: confidenceOf(r),
      });
    }
    if (!final) recognizer.reset(s.stream);
    s.uttStart = s.samples;
    s.conversion = undefined;
    s.lastPartial = '';
  } else if (text && text !== s.lastPartial) {
    s.lastPartial = text;
    const firstTokenMs = r.timestamps.length ? Math.round((r.timestamps[0] as number) * 1000) : 0;
    s.pending.push({ text, final: false, startMs: ms(s, s.uttStart) + firstTokenMs });
  }
}

function decodeDirty(): void {
  scheduled = false;
  const ids = [...dirty];
  dirty.clear();
  // One stream at a time: decodeStreams() would batch them, but models exported for batch
  // size 1 (the shared pinyin model is one) abort the whole process on a batch of two.
  for (const id of ids) {
    const s = streams.get(id);
    if (!s) continue;
    while (recognizer.isReady(s.stream)) {
      recognizer.decode(s.stream);
      collect(s, false);
    }
  }
  for (const id of ids) {
    const s = streams.get(id);
    if (s?.pending.length) {
      send({ type: 'results', id, results: s.pending });
      s.pending = [];
    }
  }
}

function feed(s: StreamState, pcm: Int16Array): void {
  s.samples += pcm.length;
  let f = s.front.process(pcm);
  if (s.up) f = s.up.process(f);
  s.stream.acceptWaveform({ samples: f, sampleRate: MODEL_RATE });
}

async function handle(m: SherpaRequest): Promise<void> {
  if (m.type === 'open') {
    if (converter) decoder = await converter.current();
    const up = m.sampleRate === 8000 ? new Upsampler2x() : undefined;
    streams.set(m.id, {
      stream: recognizer.createStream(),
      front: new TelephoneFrontEnd(m.sampleRate),
      up,
      inputRate: m.sampleRate,
      samples: 0,
      uttStart: 0,
      lastPartial: '',
      pending: [],
    });
    send({ type: 'opened', id: m.id });
  } else if (m.type === 'audio') {
    const s = streams.get(m.id);
    if (!s) return;
    feed(s, new Int16Array(m.pcm));
    dirty.add(m.id);
    if (!scheduled) {
      scheduled = true;
      setImmediate(decodeDirty);
    }
  } else if (m.type === 'close') {
    const s = streams.get(m.id);
    if (!s) {
      send({ type: 'closed', id: m.id, results: [] });
      return;
    }
    // Trailing silence lets the model emit the last syllables before the input ends.
    feed(s, new Int16Array(Math.round(s.inputRate * 0.5)));
    s.samples -= Math.round(s.inputRate * 0.5);
    s.stream.inputFinished();
    while (recognizer.isReady(s.stream)) {
      recognizer.decode(s.stream);
      collect(s, false);
    }
    collect(s, true);
    streams.delete(m.id);
    dirty.delete(m.id);
    send({ type: 'closed', id: m.id, results: s.pending });
  } else if (m.type === 'shutdown') {
    streams.clear();
    port?.close();
  }
}

// Requests are handled one after another: an open that waits for the converter to (re)load
// must not let that stream's audio overtake it.
let queue: Promise<void> = Promise.resolve();
port.on('message', (m: SherpaRequest) => {
  queue = queue.then(() =>
    handle(m).catch((err) => {
      send({ type: 'error', id: 'id' in m ? m.id : undefined, message: err instanceof Error ? err.message : String(err) });
    }),
  );
});

try {
  await checkModelFiles();
  recognizer = createRecognizer();
  if (spec.model.output === 'pinyin') {
    if (!spec.pinyinDir) throw new Error('this model outputs pinyin and no converter folder was given');
    converter = new PinyinDecoderCache(spec.pinyinDir);
    decoder = await converter.current();
  }
  send({ type: 'ready', description: `${spec.model.kind} ${spec.model.files.encoder ?? spec.model.files.model}` });
} catch (err) {
  send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
}
