/**
 * Picks the speech engine from the settings: the one configured, or with ASR_ENGINE=auto
 * Vosk when its model is complete, else PocketSphinx when installed, else none. It never
 * throws for a missing engine: it returns null with the reason, for the log and /readyz.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findPocketSphinxLibrary, type PocketSphinxModel, PS_HMM_FILES } from './native/pocketsphinx.js';
import { checkVoskModel } from './native/vosk.js';
import { createWorkerPoolEngine } from './pool.js';
import { createRemoteEngine } from './remote.js';
import { type AsrPaths, asrPaths } from './settings.js';
import type { AsrEngine } from './types.js';

export interface EngineChoice {
  engine: AsrEngine | null;
  /** One line: which engine with which model, or why there is none. */
  description: string;
}

export type EngineName = 'vosk' | 'pocketsphinx' | 'remote';

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
}

export function createAsrEngine(values: Record<string, unknown>, override?: EngineOverride): EngineChoice {
  try {
    return choose(values, override);
  } catch (err) {
    return { engine: null, description: `no speech recognition: ${(err as Error).message}` };
  }
}

function choose(values: Record<string, unknown>, override?: EngineOverride): EngineChoice {
  const paths = asrPaths(values);
  if (override?.poolSize) paths.poolSize = override.poolSize;
  const wanted = override?.engine ?? paths.engine;
  if (wanted === 'none') return { engine: null, description: 'speech recognition is off (ASR_ENGINE=none): agents type notes' };

  if (wanted === 'remote') {
    const engine = createRemoteEngine({ urls: paths.urls, size: paths.poolSize });
    return { engine, description: `remote vosk-server protocol at ${paths.urls.join(', ')} (up to ${paths.poolSize} streams)` };
  }

  const voskProblems = [
    ...checkVoskModel(paths.voskModel),
    ...(existsSync(paths.voskLibrary) ? [] : [`libvosk.so missing at ${paths.voskLibrary}`]),
  ];
  if (wanted === 'vosk' || (wanted === 'auto' && !voskProblems.length)) {
    if (voskProblems.length) {
      throw new Error(`The Vosk engine cannot start: ${voskProblems.join('; ')} (model ${paths.voskModel}). Run \`npx hotline models\`.`);
    }
    const engine = createWorkerPoolEngine(
      { engine: 'vosk', voskLibrary: paths.voskLibrary, voskModel: paths.voskModel },
      { size: paths.poolSize },
    );
    return { engine, description: `vosk with ${paths.voskModel} (up to ${paths.poolSize} streams)` };
  }

  const lib = findPocketSphinxLibrary();
  const ps = pocketsphinxModel(paths, override?.lm ?? paths.lmChoice);
  const psProblems = [
    ...(lib ? [] : ['libpocketsphinx.so.3 is not installed (apt-get install pocketsphinx libpocketsphinx3)']),
    ...ps.problems,
  ];
  if (wanted === 'pocketsphinx' || wanted === 'auto') {
    if (!psProblems.length && ps.model) {
      const engine = createWorkerPoolEngine({ engine: 'pocketsphinx', pocketsphinx: ps.model }, { size: paths.poolSize });
      const lmKind = ps.model.lm === paths.domainLm ? 'domain LM' : 'generic LM';
      return {
        engine,
        description: `pocketsphinx with ${paths.pocketsphinxModel}, ${lmKind} ${ps.model.lm} (up to ${paths.poolSize} streams)`,
      };
    }
    if (wanted === 'pocketsphinx') throw new Error(`The PocketSphinx engine cannot start: ${psProblems.join('; ')}.`);
  }
  return {
    engine: null,
    description: `no speech recognition: Vosk model not usable (${voskProblems.join('; ')}), PocketSphinx not usable (${psProblems.join('; ')}); agents type notes. Run \`npx hotline models\`.`,
  };
}
