/**
 * The intake form's phone number from real speech: every shared clip that is a number read out
 * (SHARED_DIR/speech, 4 mobile numbers and 5 eight-digit local numbers), at 8 kHz µ-law through
 * the sherpa engine as a call's caller leg, then `proposeIntake` on the finals. Each clip is
 * proposed twice: as the whole call, and after a first segment "我的电话是" (what callers say
 * before the number; typed here, no clip of it exists).
 *
 * Run: node --import tsx bench/intake-speech.ts
 */
import { resolve } from 'node:path';
import { loadConfig } from '../app/config.js';
import { createAsrEngine, recognizePcm } from '../asr/index.js';
import { proposeIntake } from '../intake/index.js';
import { clipAudio, scoringForm, speechClips } from './speech-clips.js';

const DIGIT = '零一二三四五六七八九';
const digitsOf = (ref: string) => [...ref.replace(/幺/g, '一').replace(/两/g, '二')].map((c) => String(DIGIT.indexOf(c))).join('');

const choice = createAsrEngine(loadConfig({ ASR_ENGINE: 'sherpa', ASR_THREADS: '1' }).values, { poolSize: 1 });
if (!choice.engine) throw new Error(choice.description);
const { dir, clips } = speechClips(resolve(process.env.SHARED_DIR ?? '../shared'));
const numbers = clips.filter((c) => /^[零一二三四五六七八九幺两]+$/.test(c.text));
let alone = 0;
let cued = 0;
for (const c of numbers) {
  const { results } = await recognizePcm(choice.engine, clipAudio(dir, c.audio), 8000);
  const finals = results.filter((r) => r.final).map((r) => ({ text: r.text, startMs: r.startMs, endMs: r.endMs }));
  const want = digitsOf(c.text);
  const a = (await proposeIntake(finals)).phone?.value ?? null;
  const b = (await proposeIntake([{ text: '我的电话是' }, ...finals])).phone?.value ?? null;
  if (a === want) alone++;
  if (b === want) cued++;
  console.log(
    `${c.audio}: said ${want}, heard "${finals.map((f) => scoringForm(f.text)).join(' ')}" → alone ${a ?? '-'}, after 我的电话是 ${b ?? '-'}`,
  );
}
console.log(`phone right: ${alone}/${numbers.length} as the whole call, ${cued}/${numbers.length} after 我的电话是`);
await choice.engine.close();
