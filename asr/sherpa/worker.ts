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
import type { AsrResult, KeywordHit } from '../types.js';
import { TelephoneFrontEnd, Upsampler2x } from './frontend.js';
import type { SherpaReply, SherpaRequest, SherpaWorkerSpec } from './protocol.js';
import { newVadStream, SileroVad, type VadStream } from './vad.js';

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
interface KeywordSpotter {
  createStream(): OnlineStream;
  isReady(s: OnlineStream): boolean;
  decode(s: OnlineStream): void;
  reset(s: OnlineStream): void;
  getResult(s: OnlineStream): { keyword: string; start_time?: number; timestamps?: number[] };
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
 * Endpoint rules of sherpa-onnx. Without the VAD they are the endpoints: an utterance ends
 * after 0.4 s of trailing silence once something was said (a final about 0.8 s after the
 * caller stops, bench/asr-sherpa.ts), after 2.4 s of silence with nothing said (so noise does
 * not pile up), or at 20 s. With the VAD they only back it up (noise it takes for speech): the
 * trailing silence is then 1.2 s, longer than the pauses inside a phone number read in groups.
 */
const endpointRules = (withVad: boolean) => ({
  rule1MinTrailingSilence: 2.4,
  rule2MinTrailingSilence: withVad ? 1.2 : 0.4,
  rule3MinUtteranceLength: 20,
});

function createRecognizer(withVad: boolean): OnlineRecognizer {
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
    ...endpointRules(withVad),
  });
}

/**
 * The keyword spotter over the same pinyin transducer: it searches only the keywords'
 * token sequences, so a phrase the recognizer's full search loses to a likelier one
 * (起火 heard as 激活) is still found. Defaults per phrase come from the keywords file.
 */
function createSpotter(file: string): KeywordSpotter {
  const sherpa = require('sherpa-onnx-node') as { KeywordSpotter: new (c: unknown) => KeywordSpotter };
  const f = spec.model.files;
  return new sherpa.KeywordSpotter({
    featConfig: { sampleRate: MODEL_RATE, featureDim: 80 },
    modelConfig: {
      transducer: { encoder: f.encoder, decoder: f.decoder, joiner: f.joiner },
      tokens: f.tokens,
      numThreads: spec.numThreads,
      provider: 'cpu',
      debug: 0,
    },
    // With the rules' ~950 phrases, 4 paths let other phrases' partial matches push out the
    // one being said (起火 over SIP was lost); 16 paths tripled the false alarms (docs/benchmarks.md).
    maxActivePaths: 8,
    numTrailingBlanks: 1,
    keywordsScore: 1.0,
    keywordsThreshold: 0.15,
    keywordsFile: file,
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
  front: TelephoneFrontEnd;
  up?: Upsampler2x;
  /** The recognizer stream of the current utterance: always there without a VAD; with one, only while speech goes on. */
  stream?: OnlineStream;
  /** 16 kHz samples of the call given to the recognizer so far (the call's clock for results). */
  fedPos: number;
  /** Where the current utterance's audio starts, in the same samples. */
  uttStart: number;
  /** Where the current recognizer stream's audio starts: its token times count from here. */
  streamBase: number;
  conversion?: Conversion;
  lastPartial: string;
  pending: AsrResult[];
  vad?: VadStream;
  /** 16 kHz samples the VAD has judged. */
  vadPos: number;
  /** The last PREROLL samples before speech, fed when speech starts (the VAD decides a window late). */
  preroll: Float32Array[];
  prerollLength: number;
  /** Milliseconds of silence (by the VAD) since the last speech of this utterance. */
  silenceMs: number;
  /** The keyword spotter's stream: all of the call's audio, speech or not. */
  kws?: OnlineStream;
  /** 16 kHz samples given to the spotter's stream before it (re)started. */
  kwsBase: number;
  kwsFed: number;
  /** Chunks the spotter decoded on its current stream. */
  kwsDecodes: number;
  hits: KeywordHit[];
}

/**
 * Endpoints with the VAD: speech starts at a window above VAD_ON, an utterance ends after
 * VAD_END_MS of windows below VAD_OFF (or at MAX_UTTERANCE_S). The utterance's recognizer
 * stream then gets TAIL_S of silence at once, so its last syllables come out without waiting
 * for real silence, and a new stream begins with the next speech: chunks line up with the
 * speech, and silence is never decoded. Tuned on the shared clips (docs/benchmarks.md).
 */
const VAD_ON = 0.5;
const VAD_OFF = 0.35;
const VAD_END_MS = 300;
/** After a digit: the pause between the groups of a phone number. */
const VAD_END_IN_NUMBER_MS = 900;
const NUMBER_SO_FAR = /[0-9零一二三四五六七八九幺两]$/;
const PREROLL = Math.round(0.4 * MODEL_RATE);
const TAIL = new Float32Array(Math.round(0.4 * MODEL_RATE));
const MAX_UTTERANCE = 20 * MODEL_RATE;

let recognizer: OnlineRecognizer;
let spotter: KeywordSpotter | undefined;
let keywordsSent = false;
let converter: PinyinDecoderCache | undefined;
let decoder: PinyinDecoder | undefined;
let vad: SileroVad | undefined;
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

const ms = (samples: number) => Math.round((samples * 1000) / MODEL_RATE);
/** A token's time is where the syllable's last piece was emitted; the sound goes on a little. */
const SYLLABLE_TAIL_MS = 120;

/**
 * Partials and finals of one stream after decoding. `endAt` makes this the utterance's final
 * (the VAD ended it, or the call ended), with that end time.
 */
function collect(s: StreamState, endAt?: number): void {
  const stream = s.stream;
  if (!stream) return;
  const r = recognizer.getResult(stream);
  const endpoint = endAt !== undefined || recognizer.isEndpoint(stream);
  const raw = r.tokens.length ? textOf(s, r) : '';
  const text = cleanTranscript(raw);
  // Token times count from the stream's start; after a reset, from the segment's start_time.
  const tokenMs = (t: number | undefined) => ms(s.streamBase) + Math.round(((r.start_time ?? 0) + (t ?? 0)) * 1000);
  const startMs = tokenMs(r.timestamps[0]);
  if (endpoint) {
    if (text) {
      s.pending.push({
        text,
        final: true,
        startMs,
        // The VAD knows where speech ended; otherwise just after the last syllable (the audio fed
        // so far can be well ahead of what was decoded when frames come in a burst).
        endMs: endAt !== undefined ? ms(endAt) : tokenMs(r.timestamps.at(-1)) + SYLLABLE_TAIL_MS,
        confidence: confidenceOf(r),
      });
    }
    if (endAt === undefined) recognizer.reset(stream);
    s.uttStart = s.fedPos;
    s.conversion = undefined;
    s.lastPartial = '';
  } else if (text && text !== s.lastPartial) {
    s.lastPartial = text;
    s.pending.push({ text, final: false, startMs });
  }
}

function decodeReady(s: StreamState): void {
  // One stream at a time: decodeStreams() would batch them, but models exported for batch
  // size 1 (the shared pinyin model is one) abort the whole process on a batch of two.
  while (s.stream && recognizer.isReady(s.stream)) {
    recognizer.decode(s.stream);
    collect(s);
  }
}

/**
 * The spotter consumes its stream in chunks of about 320 ms of audio (16 encoder frames of
 * the shipped model, measured: 30 decodes for 10 s). Its token times are not counted from the
 * stream's start after a long silence, so a hit is timed by the chunks decoded so far.
 */
const KWS_CHUNK_MS = 320;

function spotKeywords(s: StreamState): void {
  const k = s.kws;
  if (!k || !spotter) return;
  while (spotter.isReady(k)) {
    spotter.decode(k);
    s.kwsDecodes++;
    const r = spotter.getResult(k);
    if (!r.keyword) continue;
    const t = r.timestamps ?? [];
    const spanMs = t.length > 1 ? Math.round(((t.at(-1) as number) - (t[0] as number)) * 1000) : 0;
    const endMs = Math.min(ms(s.kwsFed), ms(s.kwsBase) + s.kwsDecodes * KWS_CHUNK_MS);
    s.hits.push({ keyword: r.keyword, startMs: Math.max(ms(s.kwsBase), endMs - spanMs - SYLLABLE_TAIL_MS), endMs });
    spotter.reset(k);
  }
}

/** Ends the utterance now: silence at once, the input closed, every syllable decoded, the final. */
function endUtterance(s: StreamState, endAt: number): void {
  const stream = s.stream;
  if (!stream) return;
  stream.acceptWaveform({ samples: TAIL, sampleRate: MODEL_RATE });
  stream.inputFinished();
  while (recognizer.isReady(stream)) recognizer.decode(stream);
  collect(s, endAt);
  s.stream = undefined;
}

function onWindow(s: StreamState, w: { prob: number; samples: Float32Array }): void {
  s.vadPos += w.samples.length;
  if (!s.stream) {
    s.preroll.push(w.samples);
    s.prerollLength += w.samples.length;
    while (s.prerollLength - (s.preroll[0]?.length ?? 0) >= PREROLL) s.prerollLength -= (s.preroll.shift() as Float32Array).length;
    if (w.prob < VAD_ON) return;
    s.stream = recognizer.createStream();
    s.uttStart = s.vadPos - s.prerollLength;
    s.streamBase = s.uttStart;
    for (const p of s.preroll) s.stream.acceptWaveform({ samples: p, sampleRate: MODEL_RATE });
    s.preroll = [];
    s.prerollLength = 0;
    s.silenceMs = 0;
    s.fedPos = s.vadPos;
    return;
  }
  s.stream.acceptWaveform({ samples: w.samples, sampleRate: MODEL_RATE });
  s.fedPos = s.vadPos;
  s.silenceMs = w.prob < VAD_OFF ? s.silenceMs + ms(w.samples.length) : 0;
  // Callers read numbers in groups (138, 5823, 1743) with pauses between: one utterance, or the
  // number would be cut into pieces too short to be written as digits.
  const end = NUMBER_SO_FAR.test(s.lastPartial) ? VAD_END_IN_NUMBER_MS : VAD_END_MS;
  if (s.silenceMs >= end || s.vadPos - s.uttStart >= MAX_UTTERANCE) {
    decodeReady(s);
    endUtterance(s, s.vadPos - Math.round((s.silenceMs * MODEL_RATE) / 1000));
  }
}

function flushResults(id: number, s: StreamState): void {
  if (s.hits.length) {
    send({ type: 'hits', id, hits: s.hits });
    s.hits = [];
  }
  if (s.pending.length) {
    send({ type: 'results', id, results: s.pending });
    s.pending = [];
  }
}

/** Everything that arrived since the last tick: the VAD's windows (one batch), then the recognizer. */
async function tick(): Promise<void> {
  scheduled = false;
  const live = [...dirty].map((id) => [id, streams.get(id)] as const).filter((e): e is readonly [number, StreamState] => !!e[1]);
  dirty.clear();
  if (vad) {
    const withVad = live.filter(([, s]) => s.vad);
    const windows = await vad.run(withVad.map(([, s]) => s.vad as VadStream));
    withVad.forEach(([, s], i) => {
      for (const w of windows[i] ?? []) onWindow(s, w);
    });
  }
  for (const [id, s] of live) {
    // One stream's failure is that stream's: the others are still decoded.
    try {
      decodeReady(s);
      spotKeywords(s);
      flushResults(id, s);
    } catch (err) {
      send({ type: 'error', id, message: err instanceof Error ? err.message : String(err) });
    }
  }
}

function feed(s: StreamState, pcm: Int16Array): void {
  let f = s.front.process(pcm);
  if (s.up) f = s.up.process(f);
  if (s.kws) {
    s.kws.acceptWaveform({ samples: f, sampleRate: MODEL_RATE });
    s.kwsFed += f.length;
  }
  if (s.vad && vad) vad.push(s.vad, f);
  else {
    s.stream?.acceptWaveform({ samples: f, sampleRate: MODEL_RATE });
    s.fedPos += f.length;
  }
}

async function handle(m: SherpaRequest | { type: 'tick' }): Promise<void> {
  if (m.type === 'tick') {
    await tick();
  } else if (m.type === 'open') {
    if (converter) decoder = await converter.current();
    streams.set(m.id, {
      stream: vad ? undefined : recognizer.createStream(),
      front: new TelephoneFrontEnd(m.sampleRate),
      up: m.sampleRate === 8000 ? new Upsampler2x() : undefined,
      fedPos: 0,
      uttStart: 0,
      streamBase: 0,
      lastPartial: '',
      pending: [],
      vad: vad ? newVadStream() : undefined,
      vadPos: 0,
      preroll: [],
      prerollLength: 0,
      silenceMs: 0,
      kws: spotter?.createStream(),
      kwsBase: 0,
      kwsFed: 0,
      kwsDecodes: 0,
      hits: [],
    });
    send({ type: 'opened', id: m.id });
  } else if (m.type === 'audio') {
    const s = streams.get(m.id);
    if (!s) return;
    feed(s, new Int16Array(m.pcm));
    dirty.add(m.id);
    if (!scheduled) {
      scheduled = true;
      // After the messages already waiting: a burst of frames costs one tick.
      setImmediate(() => enqueue({ type: 'tick' }));
    }
  } else if (m.type === 'close') {
    const s = streams.get(m.id);
    if (!s) {
      send({ type: 'closed', id: m.id, results: [] });
      return;
    }
    try {
      if (s.vad && vad) {
        const [windows] = await vad.run([s.vad]);
        for (const w of windows ?? []) onWindow(s, w);
        // The last part of a window, if speech was going on.
        if (s.stream && s.vad.pendingLength) {
          s.stream.acceptWaveform({ samples: s.vad.pending.slice(0, s.vad.pendingLength), sampleRate: MODEL_RATE });
          s.fedPos = s.vadPos + s.vad.pendingLength;
        }
      }
      decodeReady(s);
      endUtterance(s, s.fedPos);
      if (s.kws) {
        // A keyword said in the last syllables of the call is found only after some silence.
        s.kws.acceptWaveform({ samples: TAIL, sampleRate: MODEL_RATE });
        s.kws.inputFinished();
        spotKeywords(s);
      }
      if (s.hits.length) send({ type: 'hits', id: m.id, hits: s.hits });
    } finally {
      // Whatever happened, the stream's state goes with it.
      streams.delete(m.id);
      dirty.delete(m.id);
    }
    send({ type: 'closed', id: m.id, results: s.pending });
  } else if (m.type === 'keywords') {
    // A list sent while the model loads is newer than the one the worker started with.
    keywordsSent = true;
    setSpotter(m.file);
  } else if (m.type === 'shutdown') {
    streams.clear();
    await vad?.release();
    vad = undefined;
    port?.close();
  }
}

/**
 * A new keyword list: a new spotter, and a new spotter stream for every live call (the
 * old streams belong to the old spotter). A list that fails to load keeps the old one.
 */
function setSpotter(file: string | null | undefined): void {
  let next: KeywordSpotter | undefined;
  if (file) {
    try {
      next = createSpotter(file);
    } catch (err) {
      send({ type: 'keywords-failed', message: err instanceof Error ? err.message : String(err) });
      return;
    }
  }
  spotter = next;
  for (const s of streams.values()) {
    s.kws = spotter?.createStream();
    s.kwsBase = s.kwsFed;
    s.kwsDecodes = 0;
  }
}

// Requests are handled one after another: an open that waits for the converter to (re)load
// must not let that stream's audio overtake it.
let queue: Promise<void> = Promise.resolve();
function enqueue(m: SherpaRequest | { type: 'tick' }): void {
  queue = queue.then(() =>
    handle(m).catch((err) => {
      send({ type: 'error', id: 'id' in m ? m.id : undefined, message: err instanceof Error ? err.message : String(err) });
    }),
  );
}
port.on('message', (m: SherpaRequest) => enqueue(m));

try {
  await checkModelFiles();
  // Endpoints fall back to the recognizer's own rule when the VAD model cannot be loaded.
  let vadProblem = '';
  if (spec.vad) {
    try {
      vad = await SileroVad.load(spec.vad);
    } catch (err) {
      vadProblem = `, no VAD (${spec.vad}: ${(err as Error).message.split('\n')[0]}; trailing-silence endpoints)`;
    }
  }
  recognizer = createRecognizer(vad !== undefined);
  if (!keywordsSent && spec.keywords && spec.model.output === 'pinyin' && spec.model.kind === 'transducer') setSpotter(spec.keywords);
  if (spec.model.output === 'pinyin') {
    if (!spec.pinyinDir) throw new Error('this model outputs pinyin and no converter folder was given');
    converter = new PinyinDecoderCache(spec.pinyinDir);
    decoder = await converter.current();
  }
  send({
    type: 'ready',
    description: `${spec.model.kind} ${spec.model.files.encoder ?? spec.model.files.model}${vad ? ', Silero VAD endpoints' : vadProblem}${spotter ? ', keyword spotter' : ''}`,
  });
} catch (err) {
  send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
}
