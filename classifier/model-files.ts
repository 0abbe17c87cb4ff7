/**
 * A model version on disk: `model.onnx` (the graph with its weights) and `meta.json`
 * (labels, feature settings, how it was trained, its metrics). Inference loads the
 * ONNX file into one onnxruntime session per version and reuses it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ort from 'onnxruntime-node';
import { type FeatureConfig, featurise, type SparseFeatures } from './features.js';
import type { LinearModel, TrainOptions } from './linear.js';
import { type EmergencyHead, exportOnnx, INPUT_COUNTS, INPUT_IDS, OUTPUT_EMERGENCY, OUTPUT_LOGITS, OUTPUT_PROBS } from './onnx-export.js';

export interface ModelMeta {
  format: 1;
  version: string;
  labels: string[];
  features: FeatureConfig;
  training: TrainOptions & { rows: number; naturalRows: number; segmentedRows: number; corrections: number; seconds: number };
  /** Holdout metrics: natural wording, segmented text, and all rows. */
  metrics: ModelMetrics;
  /** The emergency head, when the graph has one (models trained before it have none). */
  emergency?: EmergencyMeta;
  createdAt: string;
}

export interface EmergencyMeta {
  labels: string[];
  /** The model flags a text when 1 − P(none) reaches this. */
  threshold: number;
  training: { rows: number; seedRows: number; feedbackRows: number };
  metrics: EmergencyMetrics;
}

/** Share of texts flagged (recall for emergencies, false alarms for the rest) by rules, model and both. */
export interface EmergencyRates {
  n: number;
  rules: number;
  model: number;
  combined: number;
}

export interface EmergencyMetrics {
  /** Held-out seed emergencies: share flagged, and share flagged with the right line. */
  recall: EmergencyRates;
  lineAccuracy: EmergencyRates;
  /** Held-out seed sentences that mention danger without being an emergency. */
  hardNegativeAlarms: EmergencyRates;
  /** The base holdout (ordinary messages): share wrongly flagged. */
  baseAlarms: EmergencyRates;
}

export interface ModelMetrics {
  natural: { n: number; accuracy: number; macroF1: number };
  segmented: { n: number; accuracy: number; macroF1: number };
  all: { n: number; accuracy: number; macroF1: number };
}

export const MODEL_FILE = 'model.onnx';
export const META_FILE = 'meta.json';
/** The holdout metrics alone, for people and CI to read. */
export const METRICS_FILE = 'metrics.json';

export function saveModel(dir: string, model: LinearModel, meta: ModelMeta, emergency?: EmergencyHead): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, MODEL_FILE), exportOnnx(model, { version: meta.version }, emergency));
  writeFileSync(join(dir, META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
  const { version, metrics, training, createdAt } = meta;
  const em = meta.emergency && { threshold: meta.emergency.threshold, ...meta.emergency.metrics };
  writeFileSync(join(dir, METRICS_FILE), `${JSON.stringify({ version, holdout: metrics, emergency: em, training, createdAt }, null, 2)}\n`);
}

export function readMeta(dir: string): ModelMeta {
  const path = join(dir, META_FILE);
  if (!existsSync(path) || !existsSync(join(dir, MODEL_FILE))) {
    throw new Error(
      `No classifier model in ${resolve(dir)} (needs ${MODEL_FILE} and ${META_FILE}): run "hotline classifier train" or set MODELS_DIR.`,
    );
  }
  const meta = JSON.parse(readFileSync(path, 'utf8')) as ModelMeta;
  if (meta.format !== 1 || !Array.isArray(meta.labels) || !meta.features) {
    throw new Error(`${path} is not a classifier model description this version understands: retrain the model.`);
  }
  return meta;
}

export interface LoadedModel {
  dir: string;
  meta: ModelMeta;
  /** Scores already featurised text through the ONNX session; `emergency` is null without the head. */
  run(f: SparseFeatures): Promise<{ logits: Float32Array; probs: Float32Array; emergency: Float32Array | null }>;
  /** Featurises and scores one natural text: the category probabilities. */
  predict(text: string, presegmented?: boolean): Promise<Float32Array>;
  /** Both heads for one natural text. */
  predictAll(text: string, presegmented?: boolean): Promise<{ probs: Float32Array; emergency: Float32Array | null }>;
  close(): Promise<void>;
}

export async function loadModel(dir: string): Promise<LoadedModel> {
  const meta = readMeta(dir);
  // One thread: requests run concurrently on their own; a text is far too small to split.
  const session = await ort.InferenceSession.create(readFileSync(join(dir, MODEL_FILE)), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const run = async (f: SparseFeatures) => {
    const n = f.ids.length;
    const out = await session.run({
      [INPUT_IDS]: new ort.Tensor('int32', f.ids, [n]),
      [INPUT_COUNTS]: new ort.Tensor('float32', f.counts, [n]),
    });
    const em = out[OUTPUT_EMERGENCY];
    return {
      logits: out[OUTPUT_LOGITS]!.data as Float32Array,
      probs: out[OUTPUT_PROBS]!.data as Float32Array,
      emergency: em ? (em.data as Float32Array) : null,
    };
  };
  return {
    dir,
    meta,
    run,
    predict: async (text, presegmented = false) => (await run(featurise(text, meta.features, presegmented))).probs,
    predictAll: async (text, presegmented = false) => run(featurise(text, meta.features, presegmented)),
    close: () => session.release(),
  };
}
