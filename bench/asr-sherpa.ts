/**
 * The sherpa engine measured through the product's own path (asr/sherpa: front end, worker
 * threads, pinyin converter), at 8 kHz G.711 µ-law as calls bring it:
 *
 *   node --import tsx bench/asr-sherpa.ts cer      CER on SHARED_DIR/speech, the recognizer's syllable
 *                                                   errors, and the converter alone on the reference pinyin
 *   node --import tsx bench/asr-sherpa.ts streams [--n 25,50,100] [--seconds 30]
 *                                                   N live calls at once in real time: partial and
 *                                                   final delays, CPU, memory
 *
 * CER ignores punctuation; digits are scored as the characters spoken, 幺 as 一. The recognizer's
 * syllables are taken from the same model outside the engine (same front end, no endpoints).
 * Nothing here is tuned on: the figures go to docs/benchmarks.md.
 */
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { pinyin } from 'pinyin-pro';
import { loadConfig } from '../app/config.js';
import { cerCounts, editDistance } from '../asr/cer.js';
import { createAsrEngine, recognizePcm } from '../asr/index.js';
import { pinyinDir } from '../asr/pinyin/build.js';
import { loadPinyinDecoder } from '../asr/pinyin/load.js';
import { parseNumbered, type Syllable, tokensToSyllables } from '../asr/pinyin/syllables.js';
import { TelephoneFrontEnd, Upsampler2x } from '../asr/sherpa/frontend.js';
import { describeSherpaModelDir, installedSherpaModelDir } from '../asr/sherpa/setup.js';
import type { AsrResult } from '../asr/types.js';
import { defaultEmergencyRules } from '../classifier/index.js';
import { keywordList, spokenRules } from '../emergency/index.js';
import { clipAudio, scoringForm, speechClips } from './speech-clips.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { n: { type: 'string', default: '25,50,100' }, seconds: { type: 'string', default: '30' }, limit: { type: 'string' } },
});
const config = loadConfig();
const { dir: speechDir, clips: manifest } = speechClips(config.sharedDir, values.limit ? Number(values.limit) : undefined);
const telephone = (file: string) => clipAudio(speechDir, file);
const referencePinyin = (text: string) => (pinyin(text, { type: 'array', toneType: 'num', v: true }) as string[]).map(parseNumbered);
const cpuSeconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;

async function cer() {
  const choice = createAsrEngine(config.values, { engine: 'sherpa', poolSize: 2, threads: 2 });
  if (!choice.engine) throw new Error(choice.description);
  const engine = choice.engine;
  await (engine as unknown as { ready(): Promise<void> }).ready();
  // KWS=1: with the keyword spotter listening for the shipped emergency rules' phrases, as the server runs it.
  if (process.env.KWS === '1') await engine.setKeywords?.(keywordList(spokenRules(defaultEmergencyRules())));
  let errors = 0;
  let chars = 0;
  let audio = 0;
  const cpu0 = process.cpuUsage();
  const queue = [...manifest];
  const rows: string[] = [];
  await Promise.all(
    [0, 1].map(async () => {
      for (let m = queue.shift(); m; m = queue.shift()) {
        const pcm = telephone(m.audio);
        const { results } = await recognizePcm(engine, pcm, 8000);
        const hyp = results
          .filter((r) => r.final)
          .map((r) => r.text)
          .join('');
        const c = cerCounts(scoringForm(m.text), scoringForm(hyp));
        errors += c.errors;
        chars += c.chars;
        audio += pcm.length / 8000;
        rows.push(`  ${m.audio}: ${m.text} -> ${hyp}`);
      }
    }),
  );
  const cpu = cpuSeconds(process.cpuUsage(cpu0));
  await engine.close();
  if (process.env.BENCH_VERBOSE) console.log(rows.sort().join('\n'));
  console.log(`clips: ${manifest.length} (${audio.toFixed(1)} s), 8 kHz µ-law, no level change before the engine`);
  console.log(
    `sherpa pinyin + LM, engine path: CER ${((100 * errors) / chars).toFixed(1)} % (${errors}/${chars}), CPU ${(cpu / audio).toFixed(4)} s per s of audio (recognizer + converter + front end)`,
  );

  // The two error sources apart: the recognizer's syllables, and the converter on the right pinyin.
  const dir = installedSherpaModelDir(config.values);
  const model = dir ? describeSherpaModelDir(dir) : undefined;
  if (!model || 'problems' in model) throw new Error('no sherpa model');
  const require = createRequire(import.meta.url);
  const sherpa = require('sherpa-onnx-node');
  const f = model.files;
  const rec = new sherpa.OnlineRecognizer({
    featConfig: { sampleRate: 16000, featureDim: 80 },
    modelConfig: {
      transducer: { encoder: f.encoder, decoder: f.decoder, joiner: f.joiner },
      tokens: f.tokens,
      numThreads: 1,
      provider: 'cpu',
      debug: 0,
    },
    decodingMethod: 'modified_beam_search',
    maxActivePaths: 4,
  });
  const { decoder } = await loadPinyinDecoder(pinyinDir(config.values));
  let sylErr = 0;
  let sylRef = 0;
  let refErrors = 0;
  let heardErrors = 0;
  let convSyllables = 0;
  let convSeconds = 0;
  for (const m of manifest) {
    const fe = new TelephoneFrontEnd(8000);
    const up = new Upsampler2x();
    const s = rec.createStream();
    s.acceptWaveform({ samples: up.process(fe.process(telephone(m.audio))), sampleRate: 16000 });
    s.acceptWaveform({ samples: new Float32Array(8000), sampleRate: 16000 });
    s.inputFinished();
    while (rec.isReady(s)) rec.decode(s);
    const heard: Syllable[] = tokensToSyllables(rec.getResult(s).tokens).syllables;
    const ref = referencePinyin(m.text);
    sylErr += editDistance(
      ref.map((x) => x.base),
      heard.map((x) => x.base),
    );
    sylRef += ref.length;
    const t0 = performance.now();
    const fromHeard = decoder.convert(heard);
    convSeconds += (performance.now() - t0) / 1000;
    convSyllables += heard.length;
    heardErrors += cerCounts(scoringForm(m.text), scoringForm(fromHeard)).errors;
    refErrors += cerCounts(scoringForm(m.text), scoringForm(decoder.convert(ref))).errors;
  }
  console.log(`recognizer alone: ${((100 * sylErr) / sylRef).toFixed(1)} % toneless syllable errors (${sylErr}/${sylRef})`);
  console.log(
    `converter on the recognizer's whole-utterance pinyin: CER ${((100 * heardErrors) / chars).toFixed(1)} %, ${(convSyllables / convSeconds).toFixed(0)} syllables/s on one thread`,
  );
  console.log(`converter on the reference pinyin (pinyin-pro): CER ${((100 * refErrors) / chars).toFixed(1)} %`);
}

/** Where speech ends in a clip, by 20 ms frame energy. */
function speechEdges(pcm: Int16Array): { start: number; end: number } {
  const frame = 160;
  const loud: number[] = [];
  for (let i = 0; i + frame <= pcm.length; i += frame) {
    let e = 0;
    for (let k = i; k < i + frame; k++) e += (pcm[k] as number) ** 2;
    if (10 * Math.log10(e / frame / 32768 ** 2 + 1e-12) > -45) loud.push(i / frame);
  }
  return { start: (loud[0] ?? 0) * 20, end: ((loud.at(-1) ?? 0) + 1) * 20 };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const pct = (a: number[], q: number) => {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1)))] ?? Number.NaN;
};

/** One call: clips with 2 s pauses (the agent speaking on the other leg), 20 ms frames in real time. */
async function streams(n: number, seconds: number) {
  const choice = createAsrEngine(config.values, { engine: 'sherpa', poolSize: n });
  if (!choice.engine) throw new Error(choice.description);
  const engine = choice.engine;
  await (engine as unknown as { ready(): Promise<void> }).ready();
  const finalDelays: number[] = [];
  const partialDelays: number[] = [];
  let utterances = 0;
  let missed = 0;
  const late: number[] = [];
  const cpu0 = process.cpuUsage();
  let rss = process.memoryUsage().rss;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: n }, async (_, k) => {
      // The call's audio and where each utterance's speech starts and ends, in ms.
      const parts: Int16Array[] = [];
      const marks: { start: number; end: number }[] = [];
      let ms = 0;
      for (let i = k * 7; ms < seconds * 1000; i++) {
        const m = manifest[i % manifest.length] as { audio: string };
        const pcm = telephone(m.audio);
        const e = speechEdges(pcm);
        marks.push({ start: ms + e.start, end: ms + e.end });
        parts.push(pcm, new Int16Array(16000));
        ms += (pcm.length + 16000) / 8;
      }
      const audio = new Int16Array(parts.reduce((s, p) => s + p.length, 0));
      let off = 0;
      for (const p of parts) {
        audio.set(p, off);
        off += p.length;
      }
      const events: { r: AsrResult; at: number }[] = [];
      let sent = 0;
      // Calls start spread over the first second, as they do.
      await sleep(Math.random() * 1000);
      const s = await engine.openStream({ sampleRate: 8000, onResult: (r) => events.push({ r, at: sent }) });
      const start = performance.now();
      for (let i = 0; i < audio.length; i += 160) {
        s.push(audio.subarray(i, i + 160));
        sent = (i + 160) / 8;
        const due = start + sent - performance.now();
        if (due > 0) await sleep(due);
        // Where the audio clock stands when a result arrives: the delay a listener sees.
        sent = performance.now() - start;
      }
      await s.close();
      // An utterance's final is the last one whose audio ends between its start and the next
      // utterance's start (an utterance the engine split at a pause has several); its delay is
      // when it arrived, in audio time, after the speech ended (by frame energy).
      marks.forEach((m, i) => {
        utterances++;
        const next = marks[i + 1]?.start ?? Number.POSITIVE_INFINITY;
        const mine = events.filter((e) => e.r.final && (e.r.endMs ?? 0) > m.start && (e.r.endMs ?? 0) <= next);
        const final = mine.at(-1);
        if (!final) {
          missed++;
          return;
        }
        if (final.at > m.end + 2000) late.push(Math.round(final.at - m.end));
        finalDelays.push(Math.max(0, final.at - m.end));
        const partial = events.find((e) => !e.r.final && e.at >= m.start);
        if (partial && partial.at < m.end) partialDelays.push(partial.at - m.start);
      });
      rss = Math.max(rss, process.memoryUsage().rss);
    }),
  );
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(process.cpuUsage(cpu0));
  await engine.close();
  console.log(
    `${String(n).padStart(3)} calls: final after end of speech p50 ${pct(finalDelays, 0.5).toFixed(0)} ms, p95 ${pct(finalDelays, 0.95).toFixed(0)} ms, max ${Math.max(...finalDelays).toFixed(0)} ms (${missed}/${utterances} without a final, ${late.length} later than 2 s${late.length ? `: ${late.join(', ')} ms` : ''}); first partial after start of speech p50 ${pct(partialDelays, 0.5).toFixed(0)} ms, p95 ${pct(partialDelays, 0.95).toFixed(0)} ms; CPU ${(cpu / wall).toFixed(2)} cores; peak RSS ${(rss / 2 ** 20).toFixed(0)} MiB`,
  );
}

if (positionals[0] === 'cer') await cer();
else if (positionals[0] === 'streams') {
  for (const n of (values.n as string).split(',').map(Number)) await streams(n, Number(values.seconds));
} else {
  console.error('usage: node --import tsx bench/asr-sherpa.ts cer|streams [--n 25,50,100] [--seconds 30] [--limit N]');
  process.exit(2);
}
