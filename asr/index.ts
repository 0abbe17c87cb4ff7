/**
 * Speech recognition: PCM audio in, Chinese text out. The public face of asr/ for the
 * server (app/modules.ts), the telephony bridge (in-process streams) and the CLI.
 */
import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../core/index.js';
import { createAsrEngine, type EngineChoice } from './engine.js';
import { type AsrSettings, asrPaths } from './settings.js';
import { asrWsRoutes } from './ws-route.js';

export { createAsrEngine, type EngineChoice, type EngineName, type EngineOverride } from './engine.js';
export { AsrErrors } from './errors.js';
export { prepareSpeechOnStart } from './first-start.js';
export {
  ALAW_TABLE,
  alawDecode,
  alawEncode,
  alawToLinear,
  linearToAlaw,
  linearToUlaw,
  MULAW_TABLE,
  mulawDecode,
  mulawEncode,
  ulawToLinear,
} from './g711.js';
export { type BuildLmReport, buildDomainLm, DEFAULT_DOMAIN_WEIGHT } from './lm/build.js';
export { type SetupReport, setupModels, VOSK_ZIP_SHA256 } from './models.js';
export { type BuildPinyinReport, buildPinyinLm } from './pinyin/build.js';
export { asrBusy } from './pool.js';
export { createRemoteEngine } from './remote.js';
export { type ResampleCarry, resample } from './resample.js';
export { ASR_SETTINGS, type AsrSettings, asrPaths } from './settings.js';
export { DEFAULT_SHERPA_MODEL, findSherpaModel, SHERPA_MODELS } from './sherpa/catalogue.js';
export { createSherpaEngine } from './sherpa/engine.js';
export { rulePhrases } from './sherpa/keywords.js';
export { formatSherpaList } from './sherpa/list.js';
export { progressBar } from './sherpa/progress.js';
export {
  describeSherpaModelDir,
  installedSherpaModelDir,
  installSherpaModel,
  installSherpaSupportFiles,
  sherpaModelStatus,
} from './sherpa/setup.js';
export { cleanTranscript, joinChineseWords, SPOKEN_DIGITS, spokenDigitsToNumbers } from './text.js';
export { type DetailedTranscript, recognizePcm, type Transcript, transcribeFile } from './transcribe.js';
export type { AsrEngine, AsrResult, AsrStream, KeywordHit, SampleRate, StreamOptions } from './types.js';
export { type DecodedAudio, decodeWav, encodeWav } from './wav.js';
export { ASR_WS_ROLES, asrWsRoutes } from './ws-route.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The server's speech engine (or null and why), set by registerAsr for modules mounted after it (telephony). */
    asr?: EngineChoice;
  }
}

/**
 * Starts the configured engine, mounts GET /asr/ws and the `asr` readiness check, and stops
 * the recognizers when the server closes. Returns the choice so telephony can share the engine.
 */
export async function registerAsr(app: FastifyInstance, ctx: ModuleContext, values: AsrSettings): Promise<EngineChoice> {
  const choice = createAsrEngine(values);
  app.decorate('asr', choice);
  if (choice.engine) ctx.log.info(`asr: ${choice.description}`);
  else ctx.log.warn(`asr: ${choice.description}`);
  ctx.addReadinessCheck('asr', async () => ({ ok: choice.engine !== null, detail: choice.description }));
  await app.register(asrWsRoutes, {
    ctx,
    getEngine: () => choice.engine,
    whyNone: () => choice.description,
    token: asrPaths(values).wsToken,
  });
  app.addHook('onClose', async () => {
    await choice.engine?.close();
  });
  return choice;
}
