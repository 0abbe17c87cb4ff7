/**
 * Emergency keyword spotting with PocketSphinx (keyphrase search, `-kws`) on the telephone
 * path: can a spotter hear the emergency rules' trigger words where the LM decode (about
 * 60 % CER) never writes them, without false alarms on calm speech?
 *
 *   node --import tsx bench/asr-kws.ts [--thresholds 1e+10,1,1e-10,...] [--target FILE.wav] [--via asr|sox] [--plp 1e-1]
 *
 * Keyphrases: the keyword patterns of classifier/emergency-rules.json, regex patterns
 * expanded to their alternatives, each segmented into words of mandarin_notone.dic (longest
 * match, down to single characters); a phrase with a character the dictionary lacks is left
 * out. Audio: every clip of SHARED_DIR/speech/manifest.jsonl down to 8 kHz, through G.711
 * µ-law and back (what a SIP caller's RTP becomes; asr's resampler, or sox as the sipp tests do), one utterance per clip, fed in 100 ms
 * pieces like asr/native/pocketsphinx.ts.
 *
 * For each threshold (the same for every phrase, written per phrase in the keyphrase file):
 * - cold: a fresh decoder whose first utterance is the target clip (the first thing a caller
 *   says; cepstral mean normalisation has not adapted yet);
 * - warm: one decoder over all clips in manifest order (the target among them), then the
 *   target once more at the end.
 * A detection counts as true when the phrase is in the clip's reference text, else as a false
 * alarm. Nothing is hard-coded: the references come from the manifest.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../app/config.js';
import { asrPaths, decodeWav, mulawDecode, mulawEncode, resample } from '../asr/index.js';
import { loadPocketSphinx } from '../asr/native/pocketsphinx.js';

const { values } = parseArgs({
  options: {
    thresholds: { type: 'string', default: '1e-5,1e-10,1e-15,1e-20,1e-25,1e-30,1e-40' },
    target: { type: 'string', default: 'aishell-sample_BAC009S0252W0476.wav' },
    // sox: convert like the sipp tests do (test/sip/harness.ts ulawWav); asr: the product's resampler.
    via: { type: 'string', default: 'asr' },
    // -kws_plp: the phone-loop probability the keyphrases are scored against (library default 1e-1).
    plp: { type: 'string' },
  },
});
const config = loadConfig();
const speechDir = join(config.sharedDir, 'speech');
const psDir = asrPaths(config.values).pocketsphinxModel;
const hmm = join(psDir, 'model/hmm/zh/tdt_sc_8k');
const dictPath = join(psDir, 'model/lm/zh_CN/mandarin_notone.dic');

interface Clip {
  audio: string;
  text: string;
  seconds: number;
}
const manifest: Clip[] = readFileSync(join(speechDir, 'manifest.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as Clip);
const target = manifest.find((c) => c.audio === values.target);
if (!target) throw new Error(`${values.target} is not in the manifest`);

// --- keyphrases from the rules -------------------------------------------------------------

/** All strings a simple rule regex matches: literal characters, (a|b) groups, `?` after a group or character. */
function expand(pattern: string): string[] {
  let out = [''];
  let i = 0;
  while (i < pattern.length) {
    let alts: string[];
    if (pattern[i] === '(') {
      const close = pattern.indexOf(')', i);
      alts = pattern.slice(i + 1, close).split('|');
      i = close + 1;
    } else {
      alts = [pattern[i] as string];
      i++;
    }
    if (pattern[i] === '?') {
      alts = [...alts, ''];
      i++;
    }
    out = out.flatMap((prefix) => alts.map((a) => prefix + a));
  }
  return out;
}

const dictWords = new Set(
  readFileSync(dictPath, 'utf8')
    .split('\n')
    .map((l) => l.split(/\s/)[0] as string)
    .filter(Boolean),
);
const longestWord = Math.max(...[...dictWords].map((w) => [...w].length));

/** Longest-match segmentation into dictionary words; undefined when a character is missing. */
function segment(phrase: string): string[] | undefined {
  const chars = [...phrase];
  const words: string[] = [];
  let i = 0;
  while (i < chars.length) {
    let n = Math.min(longestWord, chars.length - i);
    while (n > 0 && !dictWords.has(chars.slice(i, i + n).join(''))) n--;
    if (n === 0) return undefined;
    words.push(chars.slice(i, i + n).join(''));
    i += n;
  }
  return words;
}

const rules = JSON.parse(readFileSync(new URL('../classifier/emergency-rules.json', import.meta.url), 'utf8')) as {
  pattern: string;
  match: 'keyword' | 'regex';
}[];
const phrases = new Map<string, string>(); // spotter phrase (words separated by spaces) -> surface text
const skipped: string[] = [];
for (const r of rules) {
  for (const p of r.match === 'keyword' ? [r.pattern] : expand(r.pattern)) {
    const words = segment(p);
    if (words) phrases.set(words.join(' '), p);
    else skipped.push(p);
  }
}
console.log(
  `${phrases.size} keyphrases from ${rules.length} rules${skipped.length ? `; not in the dictionary: ${skipped.join(' ')}` : ''}`,
);

// --- audio ---------------------------------------------------------------------------------

const pcmCache = new Map<string, Int16Array>();
function telephoneAudio(file: string): Int16Array {
  let pcm = pcmCache.get(file);
  if (!pcm) {
    if (values.via === 'sox') {
      pcm = mulawDecode(
        execFileSync('sox', ['-D', join(speechDir, file), '-t', 'raw', '-r', '8000', '-e', 'u-law', '-b', '8', '-c', '1', '-']),
      );
    } else {
      const a = decodeWav(readFileSync(join(speechDir, file)), file);
      pcm = mulawDecode(mulawEncode(a.sampleRate === 8000 ? a.pcm : resample(a.pcm, a.sampleRate, 8000)));
    }
    pcmCache.set(file, pcm);
  }
  return pcm;
}

// --- the spotter ---------------------------------------------------------------------------

const ps = loadPocketSphinx();
const work = mkdtempSync(join(tmpdir(), 'asr-kws-'));

function spotter(threshold: string) {
  const keyfile = join(work, `keyphrases-${threshold}.txt`);
  writeFileSync(keyfile, `${[...phrases.keys()].map((p) => `${p} /${threshold}/`).join('\n')}\n`);
  const args = ['-hmm', hmm, '-dict', dictPath, '-kws', keyfile, '-logfn', '/dev/null', '-samprate', '8000', '-nfft', '256'];
  if (values.plp) args.push('-kws_plp', values.plp);
  const variadic: unknown[] = [];
  for (const a of args) variadic.push('const char *', a);
  variadic.push('const char *', null);
  const cfg = ps.cmd_ln_init(null, ps.ps_args(), 1, ...variadic);
  const dec = cfg ? ps.ps_init(cfg) : null;
  if (!dec) throw new Error(`PocketSphinx refused the keyphrase search (${args.join(' ')})`);
  return {
    /** The phrases (surface text) spotted in one utterance. */
    run(pcm: Int16Array): string[] {
      ps.ps_start_utt(dec);
      for (let off = 0; off < pcm.length; off += 800) {
        const piece = pcm.subarray(off, Math.min(pcm.length, off + 800));
        ps.ps_process_raw(dec, piece, piece.length, 0, 0);
      }
      ps.ps_end_utt(dec);
      return parseHyp(ps.ps_get_hyp(dec, null) ?? '');
    },
    free() {
      ps.ps_free(dec);
      ps.cmd_ln_free_r(cfg);
    },
  };
}

/** The hypothesis lists detections separated by spaces (or commas); phrases hold spaces, so match greedily. */
const byLength = [...phrases.keys()].sort((a, b) => b.length - a.length);
function parseHyp(hyp: string): string[] {
  const found: string[] = [];
  let rest = hyp.replace(/,/g, ' ').trim();
  while (rest) {
    const p = byLength.find((k) => rest === k || rest.startsWith(`${k} `));
    if (!p) {
      found.push(`?${rest}`);
      break;
    }
    found.push(phrases.get(p) as string);
    rest = rest.slice(p.length).trim();
  }
  return found;
}

// --- the sweep -----------------------------------------------------------------------------

const targetWords = [...phrases.values()].filter((p) => target.text.includes(p));
console.log(`target ${target.audio} "${target.text}": expected ${targetWords.join(', ') || '(no keyphrase)'}`);
const withPhrases = manifest.filter((c) => c !== target && [...phrases.values()].some((p) => c.text.includes(p)));
if (withPhrases.length) console.log(`other clips with a keyphrase: ${withPhrases.map((c) => `${c.audio} "${c.text}"`).join('; ')}`);
const focus = targetWords[0] ?? '';
console.log(
  `\n| threshold | ${focus} in target, cold | ${focus} in target, warm (in order / again) | true detections in other clips | false alarms (clips of ${manifest.length - 1}) | ${focus} false alarms | false alarms by phrase |`,
);
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const threshold of (values.thresholds as string).split(',')) {
  const cold = spotter(threshold);
  const coldHits = cold.run(telephoneAudio(target.audio));
  cold.free();
  const warm = spotter(threshold);
  let warmHits: string[] = [];
  const trueElsewhere: string[] = [];
  const falseAlarms = new Map<string, number>();
  let falseTotal = 0;
  let falseClips = 0;
  const started = performance.now();
  for (const clip of manifest) {
    const hits = warm.run(telephoneAudio(clip.audio));
    if (clip === target) {
      warmHits = hits;
      continue;
    }
    const bad = hits.filter((h) => !clip.text.includes(h));
    for (const h of hits.filter((x) => clip.text.includes(x))) trueElsewhere.push(`${h} (${clip.audio.replace(/\.wav$/, '').slice(-5)})`);
    if (bad.length) falseClips++;
    falseTotal += bad.length;
    for (const h of bad) falseAlarms.set(h, (falseAlarms.get(h) ?? 0) + 1);
  }
  const again = warm.run(telephoneAudio(target.audio));
  const seconds = (performance.now() - started) / 1000;
  warm.free();
  // The target row shows whether the expected phrase was heard and what else was spotted there.
  const onTarget = (h: string[]) =>
    `${h.includes(focus) ? 'yes' : 'no'}${h.some((x) => x !== focus) ? ` (+${h.filter((x) => x !== focus).length} wrong)` : ''}`;
  const byPhrase = [...falseAlarms.entries()].sort((a, b) => b[1] - a[1]);
  console.log(
    `| ${threshold} | ${onTarget(coldHits)} | ${onTarget(warmHits)} / ${onTarget(again)} | ${trueElsewhere.join(', ') || '—'} | ${falseTotal} (${falseClips}) | ${falseAlarms.get(focus) ?? 0} | ${byPhrase.map(([p, n]) => `${p} ${n}`).join(', ') || '—'} |`,
  );
  console.error(
    `  (${threshold}: warm pass over ${manifest.length + 1} clips in ${seconds.toFixed(1)} s; target cold: ${coldHits.join(' ') || '—'}; warm: ${warmHits.join(' ') || '—'} / ${again.join(' ') || '—'})`,
  );
}
rmSync(work, { recursive: true, force: true });
