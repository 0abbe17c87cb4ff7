/**
 * Character error rate of the PocketSphinx engine on SHARED_DIR/speech/manifest.jsonl, at
 * 16 kHz and after degrading to 8 kHz G.711 µ-law (the telephone path), with the generic and
 * the domain LM; also the real-time factor per stream.
 *
 *   node --import tsx bench/asr-cer.ts [--lm generic,domain] [--rates 16000,8000] [--limit N]
 *
 * The domain LM is whatever `hotline asr build-lm` last wrote (MODELS_DIR/asr/lm/hotline.arpa);
 * it is built from the hotline's texts, never from these references. Digits in the
 * recognized text are turned back into characters before scoring, since the references
 * spell numbers in characters. The cleanup writes 幺 and 一 alike as 1, so 幺 (how 1 is said
 * in phone numbers) is scored as 一 in both texts: the digit, not the variant, is what counts.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../app/config.js';
import { cerCounts } from '../asr/cer.js';
import { createAsrEngine, recognizePcm } from '../asr/index.js';
import type { SampleRate } from '../asr/types.js';
import { clipAudio, scoringForm, speechClips } from './speech-clips.js';

const { values } = parseArgs({
  options: {
    lm: { type: 'string', default: 'generic,domain' },
    rates: { type: 'string', default: '16000,8000' },
    limit: { type: 'string' },
    pool: { type: 'string', default: '2' },
  },
});
const config = loadConfig();
const { dir: speechDir, clips: manifest } = speechClips(config.sharedDir, values.limit ? Number(values.limit) : undefined);

const pool = Number(values.pool);
console.log(
  `CER on ${manifest.length} clips (${manifest.reduce((s, m) => s + m.seconds, 0).toFixed(1)} s of audio), ${pool} streams in parallel`,
);
for (const lm of (values.lm as string).split(',') as ('generic' | 'domain')[]) {
  for (const rate of (values.rates as string).split(',').map(Number) as SampleRate[]) {
    const choice = createAsrEngine(config.values, { engine: 'pocketsphinx', lm, poolSize: pool });
    if (!choice.engine) throw new Error(choice.description);
    const engine = choice.engine;
    let errors = 0;
    let chars = 0;
    let audioSeconds = 0;
    let decodeSeconds = 0;
    // Load the model in every worker first: a live call finds its recognizer warm.
    const warm = await Promise.all(Array.from({ length: pool }, () => engine.openStream({ sampleRate: rate, onResult: () => {} })));
    await Promise.all(warm.map((s) => s.close()));
    const queue = [...manifest];
    // CPU time of the whole process (the worker threads included): unlike wall time it does
    // not grow when other programs share the cores.
    const cpuBefore = process.cpuUsage();
    const rows: string[] = [];
    await Promise.all(
      Array.from({ length: pool }, async () => {
        for (let m = queue.shift(); m; m = queue.shift()) {
          const pcm = clipAudio(speechDir, m.audio, rate);
          const { results, seconds } = await recognizePcm(engine, pcm, rate);
          const hyp = results
            .filter((r) => r.final)
            .map((r) => r.text)
            .join('');
          const c = cerCounts(scoringForm(m.text), scoringForm(hyp));
          errors += c.errors;
          chars += c.chars;
          audioSeconds += pcm.length / rate;
          decodeSeconds += seconds;
          rows.push(`  ${m.audio}: ${m.text} -> ${hyp}`);
        }
      }),
    );
    const cpu = process.cpuUsage(cpuBefore);
    await engine.close();
    if (process.env.BENCH_VERBOSE) console.log(rows.sort().join('\n'));
    console.log(
      `${lm.padEnd(7)} LM, ${rate === 8000 ? ' 8 kHz µ-law' : '16 kHz PCM  '}: CER ${((100 * errors) / chars).toFixed(1)}% (${errors}/${chars}), RTF per stream ${(decodeSeconds / audioSeconds).toFixed(3)} wall, ${((cpu.user + cpu.system) / 1e6 / audioSeconds).toFixed(3)} CPU`,
    );
  }
}
