/**
 * The classifier: proposes a category, the department and an emergency line for a case
 * text, and learns from dispatchers' corrections. What other modules may use.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ModuleContext, Setting, SettingsValues } from '../core/index.js';
import { loadEmergencyRules } from './emergency.js';
import { classifierRoutes } from './routes.js';
import { type Classifier, createClassifier, type RouteLookup } from './service.js';

export { type LabelledText, loadBaseData, splitHoldout } from './data.js';
export {
  addEmergencyRule,
  checkEmergency,
  defaultEmergencyRules,
  type EmergencyLine,
  type EmergencyRule,
  type EmergencyVerdict,
  listEmergencyRules,
  loadEmergencyRules,
  setEmergencyRules,
} from './emergency.js';
export { type CombinedVerdict, combineEmergency, EMERGENCY_LABELS, loadEmergencyFeedback } from './emergency-model.js';
export { ClassifierErrors } from './errors.js';
export { type Feedback, loadCorrections, recordFeedback } from './feedback.js';
export { DEFAULT_WEIGHTS, type LeafWeights } from './leaf.js';
export { type CycleReport, newVersionName, runTrainingCycle } from './lifecycle.js';
export { loadModel, readMeta } from './model-files.js';
export { activeVersion, listVersions, type ModelVersion, promote, rollback } from './registry.js';
export { classifyRoutes } from './routes/classify.js';
export { emergencyContextRoutes } from './routes/emergency-contexts.js';
export { emergencyRuleRoutes } from './routes/emergency-rules.js';
export { modelRoutes } from './routes/models.js';
export { classifierRoutes } from './routes.js';
export {
  ClassifyRequest,
  ClassifyResult,
  EmergencyContextInput,
  EmergencyContextResponse,
  EmergencyRuleInput,
  EmergencyRuleResponse,
  ModelSwitch,
  ModelVersionResponse,
} from './schemas.js';
export {
  type Classifier,
  createClassifier,
  MAX_TEXT_CHARS,
  type RouteLookup,
  textError,
  textProblem,
} from './service.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The classifier, for modules mounted after it (the emergency watch asks its model). */
    classifier?: Classifier;
  }
}

export const CLASSIFIER_SETTINGS = [
  {
    env: 'CLASSIFIER_VERSIONS_DIR',
    kind: 'path',
    help: 'folder for retrained classifier versions; unset = DATA_DIR/classifier',
  },
  { env: 'CLASSIFIER_TOP_K', kind: 'int', default: '3', min: 1, max: 20, help: 'categories listed in each classifier proposal' },
] as const satisfies readonly Setting[];

/** The parsed values of CLASSIFIER_SETTINGS. */
export type ClassifierSettings = SettingsValues<typeof CLASSIFIER_SETTINGS>;

export interface ClassifierPaths {
  dataDir: string;
  modelsDir: string;
  values: ClassifierSettings;
}

/** Where retrained versions are written. */
export function versionsDir(config: ClassifierPaths): string {
  return config.values.CLASSIFIER_VERSIONS_DIR ?? join(config.dataDir, 'classifier');
}

/** Folder of the model shipped with the product. */
export function bundledModelDir(config: Pick<ClassifierPaths, 'modelsDir'>): string {
  return join(config.modelsDir, 'classifier');
}

/** Mounts the routes; the model loads on the first request and stays loaded. */
export async function registerClassifier(
  app: FastifyInstance,
  ctx: ModuleContext,
  config: ClassifierPaths,
  route?: RouteLookup,
): Promise<Classifier> {
  const classifier = createClassifier({
    db: ctx.db,
    modelsDir: config.modelsDir,
    topK: config.values.CLASSIFIER_TOP_K,
    route,
  });
  await loadEmergencyRules(ctx.db).catch((err) =>
    ctx.log.warn({ err }, 'emergency rules not loaded from the database; using the defaults'),
  );
  // Other processes may edit the rules: pick their edits up within a minute.
  const timer = setInterval(() => void loadEmergencyRules(ctx.db).catch(() => {}), 60_000);
  timer.unref();
  ctx.addReadinessCheck('classifier', async () => {
    try {
      const m = await classifier.active();
      return { ok: true, detail: m.meta.version };
    } catch (err) {
      return { ok: false, detail: (err as Error).message };
    }
  });
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await classifier.close();
  });
  await app.register(classifierRoutes, { ctx, classifier });
  app.decorate('classifier', classifier);
  return classifier;
}
