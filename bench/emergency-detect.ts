/**
 * Emergency detection figures.
 *
 *   text [FILE]            the rules, and rules + model, on classifier/eval/emergency-eval.jsonl
 *                          (written for this, never tuned on): emergencies flagged, ordinary calls
 *                          flagged, right line, by kind
 *   speech [--thresholds 0.15,0.25,0.35]
 *                          every shared clip (SHARED_DIR/speech) at 8 kHz µ-law through the sherpa
 *                          engine with the keyword spotter listening for the rules' phrases, fused
 *                          as `hotline asr transcribe --emergency` does; a clip counts as an
 *                          emergency when the rules flag its reference text
 *
 * Run: node --import tsx bench/emergency-detect.ts text
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../app/config.js';
import { createAsrEngine, recognizePcm } from '../asr/index.js';
import { checkEmergency, createClassifier, defaultEmergencyRules } from '../classifier/index.js';
import { openDb } from '../db/index.js';
import { migrate } from '../db/migrate.js';
import { keywordList, recordingEmergency, spokenRules } from '../emergency/index.js';
import { clipAudio, speechClips } from './speech-clips.js';

const [mode = 'text', ...args] = process.argv.slice(2);
const pct = (a: number, n: number) => (n ? `${((100 * a) / n).toFixed(1)}%` : '-');

if (mode === 'text') {
  const rows = readFileSync(resolve(args[0] ?? 'classifier/eval/emergency-eval.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { text: string; emergency: boolean; line: string | null; kind: string; style: string });
  const db = await openDb({});
  await migrate(db);
  const clf = createClassifier({ db, modelsDir: resolve(process.env.MODELS_DIR ?? 'models') });
  for (const [label, check] of [
    ['rules', async (t: string) => checkEmergency(t)],
    ['rules + model', (t: string) => clf.checkEmergency(t)],
  ] as const) {
    const out = [];
    for (const r of rows) out.push({ r, v: await check(r.text) });
    const pos = out.filter((x) => x.r.emergency);
    const neg = out.filter((x) => !x.r.emergency);
    const hard = neg.filter((x) => x.r.kind.startsWith('hard_') || x.r.kind === 'lookalike');
    const flagged = pos.filter((x) => x.v.is);
    const lineRight = flagged.filter((x) => x.v.line === x.r.line);
    console.log(
      `${label.padEnd(13)} emergencies flagged ${flagged.length}/${pos.length} (${pct(flagged.length, pos.length)}), right line ${lineRight.length}/${flagged.length} (${pct(lineRight.length, flagged.length)}); ` +
        `ordinary calls flagged ${neg.filter((x) => x.v.is).length}/${neg.length} (${pct(neg.filter((x) => x.v.is).length, neg.length)}), of the hard ones ${hard.filter((x) => x.v.is).length}/${hard.length}`,
    );
    for (const style of ['typed', 'spoken']) {
      const p = pos.filter((x) => x.r.style === style);
      const n = neg.filter((x) => x.r.style === style);
      console.log(
        `  ${style.padEnd(7)} flagged ${pct(p.filter((x) => x.v.is).length, p.length)} of ${p.length}; false alarms ${pct(n.filter((x) => x.v.is).length, n.length)} of ${n.length}`,
      );
    }
    if (process.env.SHOW_ERRORS) {
      for (const x of pos.filter((y) => !y.v.is || y.v.line !== y.r.line))
        console.log(`  missed/line ${x.r.kind} ${x.r.line}→${x.v.line}: ${x.r.text}`);
      for (const x of neg.filter((y) => y.v.is)) console.log(`  false alarm ${x.r.kind}: ${x.r.text} [${x.v.matched.join(',')}]`);
    }
  }
  await clf.close();
  await db.close();
} else if (mode === 'speech') {
  const config = loadConfig({ ASR_ENGINE: 'sherpa', ASR_THREADS: '1' });
  const choice = createAsrEngine(config.values, { poolSize: 1 });
  if (!choice.engine?.setKeywords) throw new Error(`no sherpa engine with a keyword spotter: ${choice.description}`);
  const engine = choice.engine;
  const setKeywords = choice.engine.setKeywords.bind(choice.engine);
  const rules = defaultEmergencyRules();
  const spoken = spokenRules(rules);
  const { dir, clips } = speechClips(resolve(process.env.SHARED_DIR ?? '../shared'));
  // The model half too, as the CLI has it.
  const db = await openDb({});
  await migrate(db);
  const clf = createClassifier({ db, modelsDir: resolve(process.env.MODELS_DIR ?? 'models') });
  const thresholds = (
    args[args.indexOf('--thresholds') + 1] && args.includes('--thresholds') ? args[args.indexOf('--thresholds') + 1]! : ''
  )
    .split(',')
    .filter(Boolean)
    .map(Number);
  for (const t of thresholds.length ? thresholds : [Number.NaN]) {
    const list = keywordList(spoken).map((k) => (Number.isNaN(t) ? k : { ...k, threshold: t }));
    const set = await setKeywords(list);
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let bySpeech = 0;
    const positives = clips.filter((c) => checkEmergency(c.text).is).length;
    for (const c of clips) {
      const { results, hits } = await recognizePcm(engine, clipAudio(dir, c.audio), 8000);
      const v = await recordingEmergency({
        finals: results.filter((r) => r.final),
        hits,
        check: checkEmergency,
        spoken,
        modelCheck: clf.checkEmergency,
      });
      const truth = checkEmergency(c.text).is;
      if (v.is && truth) tp++;
      else if (v.is) fp++;
      else if (truth) fn++;
      if (v.source.includes('speech')) bySpeech++;
      if (v.is || truth)
        console.log(
          `  ${truth ? 'emergency' : 'ordinary '} ${v.is ? 'flagged' : 'missed '} [${v.source.join('+')}] ${v.words.join(',')} | ${c.text}`,
        );
    }
    console.log(
      `threshold ${Number.isNaN(t) ? 'shipped (0.15, 8 active paths)' : t}: ${set.spotted.length} phrases spotted; ${clips.length} clips, ${positives} speak of an emergency: ` +
        `flagged ${tp}/${positives}, missed ${fn}, ordinary clips flagged ${fp}/${clips.length - positives}; the spotter took part in ${bySpeech}`,
    );
  }
  await engine.close();
  await clf.close();
  await db.close();
} else {
  console.error('usage: bench/emergency-detect.ts text [FILE] | speech [--thresholds 0.15,0.25]');
  process.exitCode = 2;
}
