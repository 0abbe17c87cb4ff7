/**
 * The Vosk C library (libvosk.so from the `vosk` npm package's tarball, extracted by
 * `hotline models` / scripts/setup-asr.sh) through koffi. Synchronous: it runs inside a
 * worker thread (asr/worker.ts).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import koffi from 'koffi';
import type { AsrResult, SampleRate } from '../types.js';

interface VoskLib {
  vosk_set_log_level: (level: number) => void;
  vosk_model_new: (path: string) => unknown;
  vosk_model_free: (m: unknown) => void;
  vosk_recognizer_new: (m: unknown, rate: number) => unknown;
  vosk_recognizer_free: (r: unknown) => void;
  vosk_recognizer_set_words: (r: unknown, words: number) => void;
  vosk_recognizer_accept_waveform: (r: unknown, data: Buffer, len: number) => number;
  vosk_recognizer_result: (r: unknown) => string;
  vosk_recognizer_partial_result: (r: unknown) => string;
  vosk_recognizer_final_result: (r: unknown) => string;
  vosk_recognizer_reset: (r: unknown) => void;
}

const libs = new Map<string, VoskLib>();

/** Loads libvosk.so; throws an error naming the path and how to get it. */
export function loadVosk(libPath: string): VoskLib {
  const cached = libs.get(libPath);
  if (cached) return cached;
  if (!existsSync(libPath)) {
    throw new Error(
      `The Vosk library ${libPath} is missing: run \`npx hotline models\` (it extracts libvosk.so from the vosk npm package).`,
    );
  }
  const l = koffi.load(libPath);
  koffi.opaque('VoskModel');
  koffi.opaque('VoskRecognizer');
  const v: VoskLib = {
    vosk_set_log_level: l.func('void vosk_set_log_level(int level)'),
    vosk_model_new: l.func('VoskModel *vosk_model_new(const char *path)'),
    vosk_model_free: l.func('void vosk_model_free(VoskModel *m)'),
    vosk_recognizer_new: l.func('VoskRecognizer *vosk_recognizer_new(VoskModel *m, float rate)'),
    vosk_recognizer_free: l.func('void vosk_recognizer_free(VoskRecognizer *r)'),
    vosk_recognizer_set_words: l.func('void vosk_recognizer_set_words(VoskRecognizer *r, int words)'),
    vosk_recognizer_accept_waveform: l.func('int vosk_recognizer_accept_waveform(VoskRecognizer *r, const uint8_t *data, int len)'),
    vosk_recognizer_result: l.func('const char *vosk_recognizer_result(VoskRecognizer *r)'),
    vosk_recognizer_partial_result: l.func('const char *vosk_recognizer_partial_result(VoskRecognizer *r)'),
    vosk_recognizer_final_result: l.func('const char *vosk_recognizer_final_result(VoskRecognizer *r)'),
    vosk_recognizer_reset: l.func('void vosk_recognizer_reset(VoskRecognizer *r)'),
  };
  v.vosk_set_log_level(-1);
  libs.set(libPath, v);
  return v;
}

/** The files of vosk-model-small-cn-0.22 (SOURCES.md of the shared partial copy), with sizes. */
export const VOSK_MODEL_FILES: Record<string, number> = {
  README: 82,
  'am/final.mdl': 15_901_896,
  'conf/mfcc.conf': 153,
  'conf/model.conf': 289,
  'graph/Gr.fst': 26_082_259,
  'graph/HCLr.fst': 16_158_762,
  'graph/disambig_tid.int': 234,
  'graph/phones/word_boundary.int': 7_161,
  'ivector/final.dubm': 168_048,
  'ivector/final.ie': 9_927_287,
  'ivector/final.mat': 44_975,
  'ivector/global_cmvn.stats': 1_090,
  'ivector/online_cmvn.conf': 0,
  'ivector/splice.conf': 35,
};

/** Files Kaldi needs to build any Vosk model (small or big): without them vosk_model_new fails or crashes. */
const REQUIRED = ['am/final.mdl', 'conf/mfcc.conf', 'conf/model.conf'];

/**
 * Checks a Vosk model folder before handing it to the C library (which aborts the process
 * on some broken models). Returns the problems; empty means complete.
 */
export function checkVoskModel(dir: string): string[] {
  if (!existsSync(dir)) return [`the folder ${dir} does not exist`];
  if (!statSync(dir).isDirectory()) return [`${dir} is not a folder`];
  const problems: string[] = [];
  const missing = REQUIRED.filter((f) => !existsSync(join(dir, f)));
  const hasGraph =
    existsSync(join(dir, 'graph/HCLG.fst')) || (existsSync(join(dir, 'graph/HCLr.fst')) && existsSync(join(dir, 'graph/Gr.fst')));
  if (!hasGraph)
    missing.push(existsSync(join(dir, 'graph/HCLr.fst')) ? 'graph/Gr.fst' : 'graph/HCLr.fst + graph/Gr.fst (or graph/HCLG.fst)');
  if (existsSync(join(dir, 'ivector')) && readdirSync(join(dir, 'ivector')).length && !existsSync(join(dir, 'ivector/final.ie'))) {
    missing.push('ivector/final.ie');
  }
  if (missing.length) problems.push(`missing ${missing.join(', ')}`);
  // A file of the known model with the wrong size is a truncated copy.
  for (const [f, size] of Object.entries(VOSK_MODEL_FILES)) {
    const p = join(dir, f);
    if (existsSync(p) && statSync(p).size !== size && dir.includes('vosk-model-small-cn-0.22')) {
      problems.push(`${f} is ${statSync(p).size} bytes, expected ${size} (truncated copy?)`);
    }
  }
  return problems;
}

export class VoskModelHandle {
  readonly handle: unknown;
  constructor(
    readonly lib: VoskLib,
    readonly dir: string,
  ) {
    const problems = checkVoskModel(dir);
    if (problems.length) throw new Error(`The Vosk model at ${dir} is not usable: ${problems.join('; ')}. Run \`npx hotline models\`.`);
    this.handle = lib.vosk_model_new(dir);
    if (!this.handle) throw new Error(`Vosk could not load the model at ${dir}: check it against the official zip.`);
  }
  free() {
    this.lib.vosk_model_free(this.handle);
  }
}

interface VoskWord {
  word: string;
  start: number;
  end: number;
  conf: number;
}

export class VoskRecognizer {
  private readonly rec: unknown;
  private lastPartial = '';

  constructor(
    private readonly model: VoskModelHandle,
    readonly sampleRate: SampleRate,
  ) {
    this.rec = model.lib.vosk_recognizer_new(model.handle, sampleRate);
    if (!this.rec) throw new Error(`Vosk could not create a recognizer at ${sampleRate} Hz.`);
    model.lib.vosk_recognizer_set_words(this.rec, 1);
  }

  accept(pcm: Int16Array): AsrResult[] {
    const lib = this.model.lib;
    const buf = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
    if (lib.vosk_recognizer_accept_waveform(this.rec, buf, buf.length)) {
      this.lastPartial = '';
      const r = toResult(lib.vosk_recognizer_result(this.rec));
      return r ? [r] : [];
    }
    const partial = (JSON.parse(lib.vosk_recognizer_partial_result(this.rec)) as { partial?: string }).partial ?? '';
    if (partial && partial !== this.lastPartial) {
      this.lastPartial = partial;
      return [{ text: partial, final: false }];
    }
    return [];
  }

  finish(): AsrResult[] {
    const r = toResult(this.model.lib.vosk_recognizer_final_result(this.rec));
    return r ? [r] : [];
  }

  reset(): void {
    this.model.lib.vosk_recognizer_reset(this.rec);
    this.lastPartial = '';
  }

  free(): void {
    this.model.lib.vosk_recognizer_free(this.rec);
  }
}

function toResult(json: string): AsrResult | undefined {
  const r = JSON.parse(json) as { text?: string; result?: VoskWord[] };
  if (!r.text) return undefined;
  const words = r.result ?? [];
  const conf = words.length ? words.reduce((s, w) => s + w.conf, 0) / words.length : undefined;
  return {
    text: r.text,
    final: true,
    startMs: words[0] ? Math.round(words[0].start * 1000) : undefined,
    endMs: words.at(-1) ? Math.round((words.at(-1) as VoskWord).end * 1000) : undefined,
    confidence: conf,
  };
}
