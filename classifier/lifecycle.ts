/**
 * Train and retrain as whole operations: train a version, register it with its
 * metrics, and promote it when the gate allows (the active model re-measured on the
 * same fixed holdout).
 */
import { join } from 'node:path';
import type { Db } from '../db/index.js';
import type { LabelledText } from './data.js';
import { loadEmergencyFeedback } from './emergency-model.js';
import { evaluateEmergency } from './emergency-train.js';
import { ClassifierErrors } from './errors.js';
import { loadCorrections } from './feedback.js';
import { type EmergencyMetrics, loadModel, type ModelMeta, type ModelMetrics } from './model-files.js';
import { activeVersion, ensureBundledModel, type GateMetrics, gateRefusal, getVersion, promote, registerVersion } from './registry.js';
import { categoryCode, evaluateModel, type TrainResult, trainVersion } from './train.js';

export interface CycleOptions {
  db: Db;
  base: LabelledText[];
  /** Folder that receives `<version>/` (CLASSIFIER_VERSIONS_DIR). */
  versionsDir: string;
  /** Folder of the shipped model (MODELS_DIR/classifier), activated when none is. */
  bundledDir?: string;
  /** Exact output folder (overrides versionsDir/<version>). */
  outDir?: string;
  version?: string;
  withCorrections: boolean;
  /** 'gate' = promote unless worse than the active model; 'never' = only register. */
  promote: 'gate' | 'never' | 'force';
  register?: boolean;
  userId?: number | null;
  log?: (line: string) => void;
  trainOverrides?: Partial<Pick<Parameters<typeof trainVersion>[0], 'features' | 'options'>>;
}

export interface CycleReport {
  version: string;
  path: string;
  metrics: ModelMetrics;
  corrections: number;
  /** Emergency decisions (transfers, referrals, ordinary dispatches) the emergency head learned from. */
  emergencyDecisions: number;
  /** The emergency head's threshold and metrics, when the version has one. */
  emergency: ModelMeta['emergency'] | null;
  active: { version: string; metrics: ModelMetrics } | null;
  registered: boolean;
  promoted: boolean;
  /** Why the candidate stayed inactive, when it did. */
  refusal: string | null;
}

export function newVersionName(prefix = 'clf'): string {
  return `${prefix}-${new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace('T', '-')
    .replace(/\.\d+Z$/, '')}`;
}

export async function runTrainingCycle(o: CycleOptions): Promise<CycleReport> {
  const log = o.log ?? (() => {});
  if (o.bundledDir && o.register !== false) {
    await ensureBundledModel(o.db, o.bundledDir).catch(() => {});
  }
  const baseLabels = [...new Set(o.base.map((r) => categoryCode(r.category)))];
  const corrections = o.withCorrections ? await loadCorrections(o.db, baseLabels) : [];
  // Transfers and referrals (emergencies) and ordinary dispatches teach the emergency head.
  const decisions = o.withCorrections ? await loadEmergencyFeedback(o.db) : [];
  const version = o.version ?? newVersionName();
  // Refuse before minutes of training, not after.
  if (o.register !== false && (await getVersion(o.db, version))) {
    throw ClassifierErrors.CLASSIFIER_VERSION_EXISTS({ version, how: '--version' });
  }
  const outDir = o.outDir ?? join(o.versionsDir, version);
  const result: TrainResult = await trainVersion({
    base: o.base,
    corrections,
    outDir,
    version,
    log,
    emergency: { feedback: decisions },
    ...o.trainOverrides,
  });
  const report: CycleReport = {
    version,
    path: outDir,
    metrics: result.meta.metrics,
    corrections: corrections.length,
    emergencyDecisions: decisions.length,
    emergency: result.meta.emergency ?? null,
    active: null,
    registered: false,
    promoted: false,
    refusal: null,
  };
  if (o.register === false) return report;

  const active = await activeVersion(o.db);
  let activeMetrics: GateMetrics | undefined;
  if (active) {
    // The stored metrics may come from other data; measure the active model on this holdout.
    try {
      const m = await loadModel(active.path);
      try {
        const measured: ModelMetrics & { emergency?: EmergencyMetrics } = await evaluateModel(m, result.holdout);
        if (m.meta.emergency && result.seedHoldout.length) {
          measured.emergency = await evaluateEmergency(m, result.seedHoldout, result.holdout, m.meta.emergency.threshold);
        }
        activeMetrics = measured;
        report.active = { version: active.version, metrics: measured };
      } finally {
        await m.close();
      }
    } catch (err) {
      log(`the active model ${active.version} could not be re-evaluated (${(err as Error).message}); comparing with its stored metrics`);
      report.active = { version: active.version, metrics: active.metrics as ModelMetrics };
    }
  }
  await registerVersion(o.db, {
    version,
    path: outDir,
    metrics: {
      ...result.meta.metrics,
      emergency: result.meta.emergency?.metrics,
      corrections: corrections.length,
      comparedWith: report.active,
    },
    notes: corrections.length ? `retrained with ${corrections.length} corrections` : 'trained on the base data',
  });
  report.registered = true;
  if (o.promote === 'never') return report;
  const candidate: GateMetrics = { ...result.meta.metrics, emergency: result.meta.emergency?.metrics };
  report.refusal = gateRefusal(candidate, activeMetrics ?? (active?.metrics as GateMetrics | undefined)) ?? null;
  if (report.refusal && o.promote !== 'force') return report;
  await promote(o.db, version, { force: o.promote === 'force', activeMetrics, userId: o.userId ?? null });
  report.promoted = true;
  return report;
}
