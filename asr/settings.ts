/**
 * The ASR module's settings (added to MODULE_SETTINGS in app/config.ts) and where its
 * models and libraries are looked for.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Setting, SettingsValues } from '../core/index.js';
import { DEFAULT_SHERPA_MODEL, SHERPA_MODELS } from './sherpa/catalogue.js';

export const ASR_SETTINGS = [
  {
    env: 'ASR_ENGINE',
    kind: 'enum',
    default: 'auto',
    values: ['auto', 'vosk', 'pocketsphinx', 'remote', 'sherpa', 'none'],
    help: 'speech recognizer: auto = sherpa if its model is set up, else Vosk if its model is complete, else PocketSphinx if installed, else none',
  },
  {
    env: 'ASR_URL',
    kind: 'list',
    help: 'remote ASR servers speaking the vosk-server protocol, comma-separated ws:// URLs (ASR_ENGINE=remote)',
  },
  {
    env: 'ASR_POOL_SIZE',
    kind: 'int',
    min: 1,
    max: 1024,
    help: 'most concurrent recognition streams, one per call leg (default 100 for sherpa, 4 for Vosk, PocketSphinx (one worker each) and remote)',
  },
  {
    env: 'ASR_THREADS',
    kind: 'int',
    min: 1,
    max: 64,
    help: 'worker threads of the sherpa engine, each with the model loaded once and many streams (default: one per core)',
  },
  { env: 'VOSK_MODEL_PATH', kind: 'path', help: 'Vosk model folder (default MODELS_DIR/asr/vosk-model-small-cn-0.22)' },
  { env: 'VOSK_LIBRARY_PATH', kind: 'path', help: 'libvosk.so (default MODELS_DIR/asr/lib/libvosk.so, set up by hotline models)' },
  {
    env: 'POCKETSPHINX_MODEL_PATH',
    kind: 'path',
    help: 'PocketSphinx Mandarin model folder (default MODELS_DIR/asr/pocketsphinx-zh-tdt_sc_8k, else SHARED_DIR/models/...)',
  },
  {
    env: 'ASR_LM',
    kind: 'enum',
    default: 'auto',
    values: ['auto', 'domain', 'generic'],
    help: 'PocketSphinx language model: auto = the domain LM from hotline asr build-lm when built, else the generic one',
  },
  {
    env: 'SHERPA_MODEL',
    kind: 'enum',
    default: DEFAULT_SHERPA_MODEL,
    values: SHERPA_MODELS.map((m) => m.name),
    help: 'sherpa-onnx model from the catalogue (hotline models --list), installed in MODELS_DIR/asr/sherpa/ by hotline models',
  },
  {
    env: 'SHERPA_MODEL_DIR',
    kind: 'path',
    help: 'any sherpa-onnx streaming model folder (transducer, Paraformer or CTC, with tokens.txt); overrides SHERPA_MODEL',
  },
  {
    env: 'ASR_VAD',
    kind: 'enum',
    default: 'auto',
    values: ['auto', 'off'],
    help: "sherpa engine's endpoints: auto = Silero VAD when installed (MODELS_DIR/asr/silero-vad), off = the recognizer's trailing-silence rule",
  },
  {
    env: 'ASR_WS_TOKEN',
    kind: 'string',
    help: 'shared secret that lets machine clients use /asr/ws without a login (Bearer header or ?token=)',
  },
] as const satisfies readonly Setting[];

/**
 * What the ASR functions read: the parsed ASR_SETTINGS and the foundation's two folders
 * (MODELS_DIR, SHARED_DIR), as `Config.values` holds them. Each may be missing: every one has
 * its default here (the folders ./models and ../shared), so a tool or test passes only what
 * it sets.
 */
export type AsrSettings = Partial<SettingsValues<typeof ASR_SETTINGS> & { readonly MODELS_DIR: string; readonly SHARED_DIR: string }>;

export const VOSK_MODEL_NAME = 'vosk-model-small-cn-0.22';
export const PS_MODEL_NAME = 'pocketsphinx-zh-tdt_sc_8k';

export interface AsrPaths {
  engine: 'auto' | 'sherpa' | 'vosk' | 'pocketsphinx' | 'remote' | 'none';
  urls: string[];
  /** ASR_POOL_SIZE when set; else the engine's default (sherpa 100, the others 4). */
  poolSize?: number;
  threads?: number;
  voskModel: string;
  voskLibrary: string;
  pocketsphinxModel: string;
  lmChoice: 'auto' | 'domain' | 'generic';
  /** Where `hotline asr build-lm` writes the domain LM. */
  domainLm: string;
  wsToken?: string;
  modelsDir: string;
  sharedDir: string;
}

/** Reads the parsed settings (config.values) into paths, applying the defaults that depend on MODELS_DIR. */
export function asrPaths(values: AsrSettings): AsrPaths {
  const modelsDir = values.MODELS_DIR ?? resolve('models');
  const sharedDir = values.SHARED_DIR ?? resolve('../shared');
  const asrDir = join(modelsDir, 'asr');
  const installedPs = join(asrDir, PS_MODEL_NAME);
  const sharedPs = join(sharedDir, 'models', PS_MODEL_NAME);
  return {
    engine: values.ASR_ENGINE ?? 'auto',
    urls: (values.ASR_URL ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    poolSize: values.ASR_POOL_SIZE,
    threads: values.ASR_THREADS,
    voskModel: values.VOSK_MODEL_PATH ?? join(asrDir, VOSK_MODEL_NAME),
    voskLibrary: values.VOSK_LIBRARY_PATH ?? join(asrDir, 'lib', 'libvosk.so'),
    pocketsphinxModel: values.POCKETSPHINX_MODEL_PATH ?? (existsSync(installedPs) || !existsSync(sharedPs) ? installedPs : sharedPs),
    lmChoice: values.ASR_LM ?? 'auto',
    domainLm: join(asrDir, 'lm', 'hotline.arpa'),
    wsToken: values.ASR_WS_TOKEN || undefined,
    modelsDir,
    sharedDir,
  };
}
