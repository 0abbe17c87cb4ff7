/**
 * How much worse a fresh PocketSphinx recognizer does on its first utterance, and whether warming it first on the
 * product's own greeting prompt (telephony/prompts/greeting.wav, espeak-ng Mandarin) helps,
 * against a recognizer that heard the previous clip first (a long-running server's worker).
 * Each clip of SHARED_DIR/speech gets a new recognizer, 8 kHz µ-law, domain LM.
 *
 *   node --import tsx bench/asr-coldstart.ts [--limit N] [--lm domain|generic]
 *   (MODES=cold,single,greeted,warm,padded,warmup chooses the modes; padded = 2 s of faint line noise
 *   first; warmup = a fixed recording of another corpus first, WARMUP=file in SHARED_DIR/speech,
 *   default the WenetSpeech clip: what a new worker could hear before its first call; single =
 *   cold without the product's second pass over a new decoder's first utterance)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../app/config.js';
import { cerCounts } from '../asr/cer.js';
import { pocketsphinxModel } from '../asr/engine.js';
import { decodeWav, mulawDecode, mulawEncode, resample } from '../asr/index.js';
import { PocketSphinxRecognizer } from '../asr/native/pocketsphinx.js';
import { asrPaths } from '../asr/settings.js';
import type { AsrResult } from '../asr/types.js';

const { values } = parseArgs({ options: { limit: { type: 'string', default: '30' }, lm: { type: 'string', default: 'domain' } } });
const config = loadConfig();
const { model, problems } = pocketsphinxModel(asrPaths(config.values), values.lm as 'domain' | 'generic');
if (!model) throw new Error(problems.join('; '));
const speechDir = join(config.sharedDir, 'speech');
const manifest = readFileSync(join(speechDir, 'manifest.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as { audio: string; text: string })
  .slice(0, Number(values.limit));

const phone = (pcm: Int16Array, rate: number) => mulawDecode(mulawEncode(resample(pcm, rate, 8000)));
const load = (path: string) => {
  const a = decodeWav(readFileSync(path), path);
  return phone(a.pcm, a.sampleRate);
};
const greeting = load('telephony/prompts/greeting.wav');
const warmup = load(join(speechDir, process.env.WARMUP ?? 'wenetspeech_TEST_NET_Y0000000000_-KTKHdZ2fb8_S00000.wav'));
const BACK = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
const score = (s: string) => s.replace(/[0-9]/g, (d) => BACK[Number(d)] as string).replace(/幺/g, '一');

function withLeadIn(clip: Int16Array): Int16Array {
  const out = new Int16Array(16000 + clip.length);
  let seed = 1;
  for (let i = 0; i < 16000; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    out[i] = ((seed % 201) - 100) | 0;
  }
  out.set(clip, 16000);
  return out;
}

function decode(r: PocketSphinxRecognizer, pcm: Int16Array): string {
  const finals: AsrResult[] = [...r.accept(pcm), ...r.finish()].filter((x) => x.final);
  r.reset();
  return finals.map((x) => x.text).join('');
}

const totals = {
  cold: { errors: 0, chars: 0 },
  greeted: { errors: 0, chars: 0 },
  warm: { errors: 0, chars: 0 },
  padded: { errors: 0, chars: 0 },
  warmup: { errors: 0, chars: 0 },
  single: { errors: 0, chars: 0 },
};
let previous: Int16Array | undefined;
for (const m of manifest) {
  const clip = load(join(speechDir, m.audio));
  // The first clip only warms the next one's recognizer, so all three modes score the same clips.
  if (!previous) {
    previous = clip;
    continue;
  }
  const row: string[] = [m.audio];
  for (const mode of (process.env.MODES ?? 'cold,single,warm').split(',') as (keyof typeof totals)[]) {
    // single: without the second pass over a new decoder's first utterance (asr/native/pocketsphinx.ts).
    const r = new PocketSphinxRecognizer(model, 8000, { secondPass: mode !== 'single' });
    try {
      if (mode === 'greeted') decode(r, greeting);
      if (mode === 'warmup') decode(r, warmup);
      // As on a long-running server: the recognizer has heard another caller before.
      if (mode === 'warm' && previous) decode(r, previous);
      // Two seconds of faint line noise first, as a caller's line carries before they speak.
      const text = decode(r, mode === 'padded' ? withLeadIn(clip) : clip);
      const c = cerCounts(score(m.text), score(text));
      totals[mode].errors += c.errors;
      totals[mode].chars += c.chars;
      row.push(`${mode} ${text}`);
    } finally {
      r.free();
    }
  }
  previous = clip;
  if (process.env.BENCH_VERBOSE) console.log(row.join(' | '));
}
for (const [mode, t] of Object.entries(totals)) {
  if (!t.chars) continue;
  console.log(
    `${mode}: CER ${((100 * t.errors) / t.chars).toFixed(1)} % (${t.errors}/${t.chars}) on ${manifest.length - 1} clips, first utterance of a new recognizer`,
  );
}
