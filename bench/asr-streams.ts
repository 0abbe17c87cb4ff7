/**
 * How many live calls this machine transcribes at once: N streams fed in real time (20 ms
 * frames, paced by the clock, as RTP delivers them), each on its own recognizer in the
 * pool. A stream keeps up when its last result arrives soon after its audio ends; the
 * figure is the largest N whose worst lag stays under --max-lag seconds.
 *
 *   node --import tsx bench/asr-streams.ts [--lm generic|domain] [--rate 8000|16000] [--max 6] [--seconds 20] [--max-lag 1.5]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../app/config.js';
import { createAsrEngine, decodeWav, mulawDecode, mulawEncode, resample } from '../asr/index.js';
import type { SampleRate } from '../asr/types.js';

const { values } = parseArgs({
  options: {
    lm: { type: 'string', default: 'generic' },
    rate: { type: 'string', default: '8000' },
    max: { type: 'string', default: '6' },
    seconds: { type: 'string', default: '20' },
    'max-lag': { type: 'string', default: '1.5' },
  },
});
const config = loadConfig();
const rate = Number(values.rate) as SampleRate;
const maxLag = Number(values['max-lag']);
const speechDir = join(config.sharedDir, 'speech');
const clips = readFileSync(join(speechDir, 'manifest.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as { audio: string });

/** About `seconds` of speech: clips joined with 300 ms pauses, at the bench rate (8 kHz through µ-law). */
function callAudio(offset: number): Int16Array {
  const parts: Int16Array[] = [];
  let total = 0;
  for (let i = offset; total < Number(values.seconds) * rate; i++) {
    const clip = clips[i % clips.length] as { audio: string };
    const a = decodeWav(readFileSync(join(speechDir, clip.audio)));
    const pcm = rate === 8000 ? mulawDecode(mulawEncode(resample(a.pcm, a.sampleRate, 8000))) : a.pcm;
    parts.push(pcm, new Int16Array(rate * 0.3));
    total += pcm.length + rate * 0.3;
  }
  const out = new Int16Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

console.log(`real-time streams, ${values.lm} LM, ${rate} Hz${rate === 8000 ? ' µ-law' : ''}, ${values.seconds} s of speech per stream`);
let best = 0;
for (let n = 1; n <= Number(values.max); n++) {
  const choice = createAsrEngine(config.values, { engine: 'pocketsphinx', lm: values.lm as 'generic' | 'domain', poolSize: n });
  if (!choice.engine) throw new Error(choice.description);
  const engine = choice.engine;
  // Workers load their model before the clock starts: a live call reuses a warm recognizer.
  const warm = await Promise.all(Array.from({ length: n }, () => engine.openStream({ sampleRate: rate, onResult: () => {} })));
  await Promise.all(warm.map((s) => s.close()));
  const lags = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const pcm = callAudio(i * 7);
      const s = await engine.openStream({ sampleRate: rate, onResult: () => {} });
      const frame = rate / 50;
      const start = performance.now();
      for (let off = 0, k = 0; off < pcm.length; off += frame, k++) {
        s.push(pcm.subarray(off, off + frame));
        await sleep(start + (k + 1) * 20 - performance.now());
      }
      const audioEnd = performance.now();
      await s.close();
      return (performance.now() - audioEnd) / 1000;
    }),
  );
  await engine.close();
  const worst = Math.max(...lags);
  const ok = worst <= maxLag;
  console.log(
    `  ${n} streams: worst lag after the audio ended ${worst.toFixed(2)} s, mean ${(lags.reduce((a, b) => a + b, 0) / n).toFixed(2)} s ${ok ? 'keeps up' : 'falls behind'}`,
  );
  if (!ok) break;
  best = n;
}
console.log(`most concurrent real-time streams: ${best}`);
