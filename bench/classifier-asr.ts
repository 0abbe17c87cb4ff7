/**
 * Classifier accuracy on speech-recognition output: natural holdout messages (their
 * subject line, ≤ 40 characters) are spoken by espeak-ng (Mandarin voice), resampled
 * to 16 kHz by sox, transcribed by `hotline asr transcribe` (the configured engine) and
 * classified; the same texts typed are the comparison. Needs espeak-ng and sox.
 * Run: node --import tsx bench/classifier-asr.ts [N=20]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadBaseData } from '../classifier/data.js';
import { hasChinese } from '../classifier/features.js';
import { loadModel } from '../classifier/model-files.js';
import { prepareBase } from '../classifier/train.js';

const n = Number(process.argv[2] ?? 20);
const shared = resolve(process.env.SHARED_DIR ?? '../shared');
const model = await loadModel(join(resolve(process.env.MODELS_DIR ?? 'models'), 'classifier'));
const { holdout } = prepareBase(loadBaseData(shared));
const picked = holdout
  .filter((r) => !r.presegmented)
  .filter((_, i) => i % Math.max(1, Math.floor(224 / n)) === 0)
  .slice(0, n);
const dir = mkdtempSync(join(tmpdir(), 'clf-asr-'));
const files: string[] = [];
const subjects = picked.map((r) => r.text.split('\n')[0]!.slice(0, 40));
subjects.forEach((s, i) => {
  const raw = join(dir, `${i}-22k.wav`);
  const wav = join(dir, `${i}.wav`);
  execFileSync('espeak-ng', ['-v', 'cmn', '-w', raw, s]);
  execFileSync('sox', ['-D', raw, '-r', '16000', '-c', '1', '-b', '16', wav]);
  files.push(wav);
});
const t0 = Date.now();
const out = execFileSync(process.execPath, ['bin/hotline.js', 'asr', 'transcribe', ...files], {
  encoding: 'utf8',
  maxBuffer: 1 << 24,
  env: { ...process.env, DATA_DIR: dir },
});
const transcripts = new Map<string, string>();
for (const line of out.split('\n').filter(Boolean)) {
  const j = JSON.parse(line) as { audio: string; text: string };
  transcripts.set(j.audio.replace(/\.wav$/, ''), j.text);
}
const argmax = (p: Float32Array) => model.meta.labels[p.indexOf(Math.max(...p))]!;
let typed = 0;
let spoken = 0;
let chars = 0;
let same = 0;
for (const [i, r] of picked.entries()) {
  const heard = transcripts.get(String(i)) ?? '';
  const gold = r.category;
  if (argmax(await model.predict(subjects[i]!)) === gold) typed++;
  if (hasChinese(heard) && argmax(await model.predict(heard)) === gold) spoken++;
  // Share of the subject's characters that the transcript contains at all (a rough recall).
  const set = new Set(heard);
  chars += subjects[i]!.length;
  same += [...subjects[i]!].filter((c) => set.has(c)).length;
  console.log(`${gold} | ${subjects[i]} | ${heard}`);
}
console.log(
  `ASR: ${files.length} clips in ${((Date.now() - t0) / 1000).toFixed(0)} s; character recall of transcripts ${(same / chars).toFixed(2)}`,
);
console.log(
  `accuracy on the subject line typed: ${(typed / picked.length).toFixed(3)}; on its ASR transcript: ${(spoken / picked.length).toFixed(3)} (n=${picked.length})`,
);
await model.close();
rmSync(dir, { recursive: true, force: true });
