/**
 * Picks the speech engine from the settings: the one configured, or with ASR_ENGINE=auto
 * sherpa when its model is set up (and, for a pinyin model, its converter built), else Vosk
 * when its model is complete, else PocketSphinx when installed, else none. It never throws
 * for a missing engine: it returns null with the reason, for the log and /readyz.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findPocketSphinxLibrary, type PocketSphinxModel, PS_HMM_FILES } from './native/pocketsphinx.js';
import { checkVoskModel } from './native/vosk.js';
import { pinyinDir } from './pinyin/build.js';
import { pinyinProblems } from './pinyin/load.js';
import { createWorkerPoolEngine } from './pool.js';
import { createRemoteEngine } from './remote.js';
import { type AsrPaths, type AsrSettings, asrPaths } from './settings.js';
import { createSherpaEngine } from './sherpa/engine.js';
import type { SherpaWorkerSpec } from './sherpa/protocol.js';
import { describeSherpaModelDir, installedSherpaModelDir, sherpaPaths } from './sherpa/setup.js';
import { onnxHeaderProblem } from './sherpa/verify.js';
import type { AsrEngine } from './types.js';

export interface EngineChoice {
  engine: AsrEngine | null;
  /** One line: which engine with which model, or why there is none. */
  description: string;
}

export type EngineName = 'sherpa' | 'vosk' | 'pocketsphinx' | 'remote';

/** The PocketSphinx model files, or the problems that keep it from loading. */
export function pocketsphinxModel(
  paths: AsrPaths,
  lm: 'auto' | 'domain' | 'generic' = paths.lmChoice,
): { model?: PocketSphinxModel; problems: string[] } {
  const dir = paths.pocketsphinxModel;
  const hmm = join(dir, 'model/hmm/zh/tdt_sc_8k');
  const genericLm = join(dir, 'model/lm/zh_CN/gigatdt.5000.arpa');
  const dict = join(dir, 'model/lm/zh_CN/mandarin_notone.dic');
  const problems: string[] = [];
  if (!existsSync(dir)) return { problems: [`the folder ${dir} does not exist`] };
  const missing = [...PS_HMM_FILES.map((f) => join(hmm, f)), dict].filter((p) => !existsSync(p));
  if (missing.length) problems.push(`missing ${missing.join(', ')}`);
  let lmPath = genericLm;
  if (lm === 'domain' || (lm === 'auto' && existsSync(paths.domainLm))) lmPath = paths.domainLm;
  if (!existsSync(lmPath)) {
    problems.push(lm === 'domain' ? `no domain LM at ${lmPath}: run \`npx hotline asr build-lm\`` : `missing ${lmPath}`);
  }
  return problems.length ? { problems } : { model: { hmm, lm: lmPath, dict }, problems };
}

export interface EngineOverride {
  engine?: EngineName;
  lm?: 'domain' | 'generic';
  poolSize?: number;
  threads?: number;
}

export function createAsrEngine(values: AsrSettings, override?: EngineOverride): EngineChoice {
  try {
    return choose(values, override);
  } catch (err) {
    return { engine: null, description: `no speech recognition: ${(err as Error).message}` };
  }
}

/** The sherpa model folder and what it holds, or why it cannot be used. */
export function sherpaSpec(values: AsrSettings): { spec?: SherpaWorkerSpec; dir?: string; problems: string[] } {
  const dir = installedSherpaModelDir(values);
  if (!dir) {
    const name = values.SHERPA_MODEL ?? 'the default model';
    return { problems: [`no sherpa model installed (${name}): run \`npx hotline models\``] };
  }
  const model = describeSherpaModelDir(dir);
  if ('problems' in model) return { dir, problems: model.problems };
  const problems: string[] = [];
  let converter: string | undefined;
  if (model.output === 'pinyin') {
    converter = pinyinDir(values);
    problems.push(...pinyinProblems(converter));
  }
  const vad = sherpaPaths(values).vad;
  // A damaged VAD file is not worth refusing the engine for: endpoints fall back to the recognizer's rule.
  const useVad = values.ASR_VAD !== 'off' && existsSync(vad) && !onnxHeaderProblem(vad);
  return {
    dir,
    problems,
    spec: { model, pinyinDir: converter, vad: useVad ? vad : undefined, numThreads: 1 },
  };
}

export const DEFAULT_POOL = { sherpa: 100, local: 4 } as const;

function choose(values: AsrSettings, override?: EngineOverride): EngineChoice {
  const paths = asrPaths(values);
  const wanted = override?.engine ?? paths.engine;
  if (wanted === 'none') return { engine: null, description: 'speech recognition is off (ASR_ENGINE=none): agents type notes' };
  const local = override?.poolSize ?? paths.poolSize ?? DEFAULT_POOL.local;

  if (wanted === 'remote') {
    const engine = createRemoteEngine({ urls: paths.urls, size: local });
    return { engine, description: `remote vosk-server protocol at ${paths.urls.join(', ')} (up to ${local} streams)` };
  }

  const sherpa = wanted === 'sherpa' || wanted === 'auto' ? sherpaSpec(values) : undefined;
  if (sherpa && (wanted === 'sherpa' || (sherpa.spec && !sherpa.problems.length))) {
    if (!sherpa.spec || sherpa.problems.length) {
      throw new Error(`The sherpa engine cannot start: ${sherpa.problems.join('; ')}.`);
    }
    const size = override?.poolSize ?? paths.poolSize ?? DEFAULT_POOL.sherpa;
    const threads = override?.threads ?? paths.threads;
    const engine = createSherpaEngine(sherpa.spec, { size, threads });
    const { model } = sherpa.spec;
    return {
      engine,
      description: `sherpa with ${sherpa.dir} (${model.kind}, ${model.output === 'pinyin' ? `pinyin converted with ${sherpa.spec.pinyinDir}` : 'characters'}, ${sherpa.spec.vad ? 'Silero VAD endpoints' : 'trailing-silence endpoints'}; up to ${size} streams)`,
    };
  }

  const voskProblems = [
    ...checkVoskModel(paths.voskModel),
    ...(existsSync(paths.voskLibrary) ? [] : [`libvosk.so missing at ${paths.voskLibrary}`]),
  ];
  if (wanted === 'vosk' || (wanted === 'auto' && !voskProblems.length)) {
    if (voskProblems.length) {
      throw new Error(`The Vosk engine cannot start: ${voskProblems.join('; ')} (model ${paths.voskModel}). Run \`npx hotline models\`.`);
    }
    const engine = createWorkerPoolEngine({ engine: 'vosk', voskLibrary: paths.voskLibrary, voskModel: paths.voskModel }, { size: local });
    return { engine, description: `vosk with ${paths.voskModel} (up to ${local} streams)` };
  }

  const lib = findPocketSphinxLibrary();
  const ps = pocketsphinxModel(paths, override?.lm ?? paths.lmChoice);
  const psProblems = [
    ...(lib ? [] : ['libpocketsphinx.so.3 is not installed (apt-get install pocketsphinx libpocketsphinx3)']),
    ...ps.problems,
  ];
  if (wanted === 'pocketsphinx' || wanted === 'auto') {
    if (!psProblems.length && ps.model) {
      const engine = createWorkerPoolEngine({ engine: 'pocketsphinx', pocketsphinx: ps.model }, { size: local });
      const lmKind = ps.model.lm === paths.domainLm ? 'domain LM' : 'generic LM';
      return {
        engine,
        description: `pocketsphinx with ${paths.pocketsphinxModel}, ${lmKind} ${ps.model.lm} (up to ${local} streams)`,
      };
    }
    if (wanted === 'pocketsphinx') throw new Error(`The PocketSphinx engine cannot start: ${psProblems.join('; ')}.`);
  }
  return {
    engine: null,
    description: `no speech recognition: sherpa not usable (${sherpa?.problems.join('; ') ?? 'not tried'}), Vosk model not usable (${voskProblems.join('; ')}), PocketSphinx not usable (${psProblems.join('; ')}); agents type notes. Run \`npx hotline models\`.`,
  };
}
