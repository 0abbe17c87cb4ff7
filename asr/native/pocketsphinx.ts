/**
 * CMU PocketSphinx (Debian's libpocketsphinx3 0.8+5prealpha) through koffi. Synchronous:
 * it runs inside a worker thread (asr/worker.ts), never on the server's main thread.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import koffi from 'koffi';
import type { AsrResult, SampleRate } from '../types.js';

const LIB_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib', '/usr/local/lib'];

interface PsLib {
  cmd_ln_init: (...args: unknown[]) => unknown;
  ps_args: () => unknown;
  ps_init: (config: unknown) => unknown;
  ps_free: (ps: unknown) => number;
  cmd_ln_free_r: (config: unknown) => number;
  ps_start_utt: (ps: unknown) => number;
  ps_end_utt: (ps: unknown) => number;
  ps_process_raw: (ps: unknown, data: Int16Array, n: number, noSearch: number, fullUtt: number) => number;
  ps_get_hyp: (ps: unknown, score: number[] | null) => string | null;
  ps_get_in_speech: (ps: unknown) => number;
  ps_get_prob: (ps: unknown) => number;
  ps_get_logmath: (ps: unknown) => unknown;
  logmath_exp: (lmath: unknown, p: number) => number;
}

let lib: PsLib | undefined;

/** Where the PocketSphinx library is, or undefined when it is not installed. */
export function findPocketSphinxLibrary(): string | undefined {
  for (const d of LIB_DIRS) if (existsSync(join(d, 'libpocketsphinx.so.3'))) return join(d, 'libpocketsphinx.so.3');
  return undefined;
}

export function loadPocketSphinx(): PsLib {
  if (lib) return lib;
  const path = findPocketSphinxLibrary();
  if (!path) {
    throw new Error('PocketSphinx is not installed (no libpocketsphinx.so.3): run `apt-get install pocketsphinx libpocketsphinx3`.');
  }
  // libsphinxbase provides cmd_ln_* and logmath_*; it is a dependency of libpocketsphinx.
  const base = koffi.load(path.replace('libpocketsphinx.so.3', 'libsphinxbase.so.3'));
  const ps = koffi.load(path);
  koffi.opaque('ps_decoder_t');
  koffi.opaque('cmd_ln_t');
  koffi.opaque('arg_t');
  koffi.opaque('logmath_t');
  lib = {
    cmd_ln_init: base.func('cmd_ln_t *cmd_ln_init(cmd_ln_t *inout, const arg_t *defn, int strict, ...)'),
    cmd_ln_free_r: base.func('int cmd_ln_free_r(cmd_ln_t *cmdln)'),
    logmath_exp: base.func('double logmath_exp(logmath_t *lmath, int logb_p)'),
    ps_args: ps.func('const arg_t *ps_args()'),
    ps_init: ps.func('ps_decoder_t *ps_init(cmd_ln_t *config)'),
    ps_free: ps.func('int ps_free(ps_decoder_t *ps)'),
    ps_start_utt: ps.func('int ps_start_utt(ps_decoder_t *ps)'),
    ps_end_utt: ps.func('int ps_end_utt(ps_decoder_t *ps)'),
    ps_process_raw: ps.func('int ps_process_raw(ps_decoder_t *ps, const int16_t *data, size_t n, int no_search, int full_utt)'),
    ps_get_hyp: ps.func('const char *ps_get_hyp(ps_decoder_t *ps, _Out_ int32_t *score)'),
    ps_get_in_speech: ps.func('uint8_t ps_get_in_speech(ps_decoder_t *ps)'),
    ps_get_prob: ps.func('int32_t ps_get_prob(ps_decoder_t *ps)'),
    ps_get_logmath: ps.func('logmath_t *ps_get_logmath(ps_decoder_t *ps)'),
  };
  return lib;
}

export interface PocketSphinxModel {
  /** Acoustic model folder (tdt_sc_8k). */
  hmm: string;
  /** ARPA language model (the generic gigatdt.5000 or the domain LM). */
  lm: string;
  dict: string;
}

/** Files a PocketSphinx model folder must hold, for clear errors before the C library sees it. */
export const PS_HMM_FILES = ['feat.params', 'mdef', 'means', 'noisedict', 'sendump', 'transition_matrices', 'variances'];

/** The first utterance is kept for its second pass up to this many samples (30 s at 16 kHz, 60 s at 8 kHz). */
const SECOND_PASS_MAX_SAMPLES = 30 * 16000;

/**
 * One decoder for one stream at a time. Endpointing uses the library's own voice activity
 * detector: an utterance ends (a final result) when it reports the end of speech.
 *
 * The first utterance a decoder ever hears is decoded twice. PocketSphinx subtracts a
 * running cepstral mean that it first updates when an utterance ends; until then it uses
 * the model's built-in mean, which fits none of the lines here, and the first utterance
 * came out at 85 % CER against 47 % for the same audio decoded again once the decoder had
 * its own mean (bench/asr-coldstart.ts, docs/benchmarks.md). So the first final comes from a
 * second pass over the kept audio; its partials, and every later utterance, from one pass.
 */
export class PocketSphinxRecognizer {
  private readonly ps: unknown;
  private readonly config: unknown;
  private readonly l: PsLib;
  private inUtt = false;
  private inSpeech = false;
  private samples = 0;
  private speechStart = 0;
  private lastPartial = '';
  /** Utterances with speech this decoder has finished, over all its streams. */
  private heard = 0;
  /** The current utterance's audio while the decoder has not finished one yet. */
  private firstUtt: Int16Array[] | null = null;
  private firstUttSamples = 0;
  private readonly secondPass: boolean;

  constructor(
    model: PocketSphinxModel,
    readonly sampleRate: SampleRate,
    options: { secondPass?: boolean } = {},
  ) {
    this.secondPass = options.secondPass ?? true;
    this.l = loadPocketSphinx();
    const rateArgs = sampleRate === 8000 ? ['-samprate', '8000', '-nfft', '256'] : ['-samprate', '16000'];
    // At most 3000 active HMMs per frame (the library's default allows 30000): with the domain
    // LM the search otherwise keeps so many paths alive that one stream costs about one core;
    // the cap cut its CPU time by about a third, CER within 1.5 points (docs/benchmarks.md).
    const searchArgs = ['-maxhmmpf', '3000'];
    const args = ['-hmm', model.hmm, '-lm', model.lm, '-dict', model.dict, '-logfn', '/dev/null', ...rateArgs, ...searchArgs];
    const variadic: unknown[] = [];
    for (const a of args) variadic.push('const char *', a);
    variadic.push('const char *', null);
    this.config = this.l.cmd_ln_init(null, this.l.ps_args(), 1, ...variadic);
    if (!this.config) throw new Error(`PocketSphinx refused its configuration (${args.join(' ')}).`);
    this.ps = this.l.ps_init(this.config);
    if (!this.ps) {
      this.l.cmd_ln_free_r(this.config);
      throw new Error(`PocketSphinx could not load the model (hmm ${model.hmm}, lm ${model.lm}, dict ${model.dict}).`);
    }
  }

  /** Decodes `pcm`; returns the results it produced (partials and finals), in order. */
  accept(pcm: Int16Array): AsrResult[] {
    const out: AsrResult[] = [];
    if (!this.inUtt) this.startUtterance();
    // Feed in 100 ms pieces so an endpoint inside a long buffer is not missed.
    const step = this.sampleRate / 10;
    for (let off = 0; off < pcm.length; off += step) {
      const piece = pcm.subarray(off, Math.min(pcm.length, off + step));
      this.l.ps_process_raw(this.ps, piece, piece.length, 0, 0);
      if (this.firstUtt) {
        this.firstUtt.push(piece.slice());
        this.firstUttSamples += piece.length;
        if (this.firstUttSamples > SECOND_PASS_MAX_SAMPLES) this.firstUtt = null;
      }
      this.samples += piece.length;
      const speaking = this.l.ps_get_in_speech(this.ps) !== 0;
      if (speaking && !this.inSpeech) {
        this.inSpeech = true;
        this.speechStart = Math.max(0, this.samples - piece.length);
        this.lastPartial = '';
      } else if (!speaking && this.inSpeech) {
        const r = this.endUtterance();
        if (r) out.push(r);
        this.startUtterance();
      }
    }
    if (this.inSpeech) {
      const hyp = this.l.ps_get_hyp(this.ps, null) ?? '';
      if (hyp && hyp !== this.lastPartial) {
        this.lastPartial = hyp;
        out.push({ text: hyp, final: false, startMs: this.ms(this.speechStart) });
      }
    }
    return out;
  }

  /** Ends the stream: the last final result if speech was pending. */
  finish(): AsrResult[] {
    if (!this.inUtt) return [];
    const pending = this.inSpeech;
    const r = this.endUtterance(pending);
    return r ? [r] : [];
  }

  private startUtterance(): void {
    this.l.ps_start_utt(this.ps);
    this.inUtt = true;
    this.firstUtt = this.secondPass && this.heard === 0 ? [] : null;
    this.firstUttSamples = 0;
  }

  private endUtterance(pending = true): AsrResult | undefined {
    this.l.ps_end_utt(this.ps);
    this.inUtt = false;
    const wasSpeech = this.inSpeech;
    this.inSpeech = false;
    this.lastPartial = '';
    const kept = this.firstUtt;
    this.firstUtt = null;
    if (!wasSpeech && !pending) return undefined;
    this.heard++;
    if (kept?.length) {
      // ps_end_utt has just set the cepstral mean from this utterance: decode it again with it.
      this.l.ps_start_utt(this.ps);
      for (const piece of kept) this.l.ps_process_raw(this.ps, piece, piece.length, 0, 0);
      this.l.ps_end_utt(this.ps);
    }
    const score: number[] = [0];
    const hyp = this.l.ps_get_hyp(this.ps, score) ?? '';
    if (!hyp) return undefined;
    const prob = this.l.logmath_exp(this.l.ps_get_logmath(this.ps), this.l.ps_get_prob(this.ps));
    return {
      text: hyp,
      final: true,
      startMs: this.ms(this.speechStart),
      endMs: this.ms(this.samples),
      confidence: Number.isFinite(prob) ? Math.max(0, Math.min(1, prob)) : undefined,
    };
  }

  /** Starts a new stream on the same decoder (the model stays loaded). */
  reset(): void {
    if (this.inUtt) this.l.ps_end_utt(this.ps);
    this.inUtt = false;
    this.firstUtt = null;
    this.inSpeech = false;
    this.samples = 0;
    this.lastPartial = '';
  }

  free(): void {
    this.l.ps_free(this.ps);
    this.l.cmd_ln_free_r(this.config);
  }

  private ms(samples: number): number {
    return Math.round((samples * 1000) / this.sampleRate);
  }
}
