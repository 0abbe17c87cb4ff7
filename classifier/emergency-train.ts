/**
 * Training and measuring the emergency head (see `emergency-model.ts` for what it is and
 * where its data comes from). It shares the category head's features and idf, so one
 * ONNX graph and one featurisation serve both.
 */
import type { LabelledText } from './data.js';
import { checkEmergency } from './emergency.js';
import {
  combineEmergency,
  DEFAULT_EMERGENCY_THRESHOLD,
  EMERGENCY_LABELS,
  type EmergencyExample,
  labelIndex,
  modelLine,
} from './emergency-model.js';
import { type FeatureConfig, featurise, type SparseFeatures } from './features.js';
import { type Example, type LinearModel, type TrainOptions, trainLinear } from './linear.js';
import type { EmergencyMeta, EmergencyMetrics, EmergencyRates, LoadedModel } from './model-files.js';
import type { EmergencyHead } from './onnx-export.js';

/**
 * Softmax regression (probabilities are what the threshold reads). The seed and people's
 * decisions are a few hundred rows against thousands of ordinary messages: they count
 * more, so that the rare classes are learned at all.
 */
export const EMERGENCY_OPTIONS: TrainOptions = { loss: 'softmax', epochs: 15, lambda: 1e-5, lr: 0.5, seed: 4242 };
export const EMERGENCY_WEIGHT = 8;

export interface EmergencyTrainInput {
  /** Features of the base training rows (ordinary messages, all `none`), as the category head saw them. */
  ordinary: SparseFeatures[];
  seed: EmergencyExample[];
  feedback: EmergencyExample[];
  features: FeatureConfig;
  idf: Float32Array;
  buckets: number;
  options?: TrainOptions;
}

export function trainEmergencyHead(input: EmergencyTrainInput): EmergencyHead & { rows: number; seedRows: number; feedbackRows: number } {
  const examples: Example[] = input.ordinary.map((features) => ({ features, label: 0 }));
  // Every seed row counts more (its hard negatives are what teach "fire hazard" ≠ fire);
  // of people's decisions only the rare emergencies do, ordinary cases are plentiful.
  const rows = [
    ...input.seed.map((r) => ({ r, w: EMERGENCY_WEIGHT })),
    ...input.feedback.map((r) => ({ r, w: r.line ? EMERGENCY_WEIGHT : 1 })),
  ];
  for (const { r, w } of rows) {
    examples.push({ features: featurise(r.text, input.features, r.presegmented), label: labelIndex(r.line), weight: w });
  }
  const labels = [...EMERGENCY_LABELS];
  const m: LinearModel = trainLinear(examples, labels, input.buckets, input.options ?? EMERGENCY_OPTIONS, input.idf);
  return {
    labels,
    weights: m.weights,
    bias: m.bias,
    rows: examples.length,
    seedRows: input.seed.length,
    feedbackRows: input.feedback.length,
  };
}

interface Scored {
  line: EmergencyExample['line'];
  rules: ReturnType<typeof checkEmergency>;
  probs: Float32Array;
}

function rates(items: Scored[], threshold: number, hit: (s: Scored, v: { line: string | null; is: boolean }) => boolean): EmergencyRates {
  const n = items.length;
  const share = (f: (s: Scored) => boolean) => (n ? Math.round((items.filter(f).length / n) * 10000) / 10000 : 0);
  return {
    n,
    rules: share((s) => hit(s, s.rules)),
    model: share((s) => {
      const m = modelLine({ probs: s.probs, threshold });
      return hit(s, { line: m.line, is: m.line !== null });
    }),
    combined: share((s) => hit(s, combineEmergency(s.rules, { probs: s.probs, threshold }))),
  };
}

/** Measures rules, model and both on the seed holdout and the base holdout, through the ONNX file. */
export async function evaluateEmergency(
  model: LoadedModel,
  seedHoldout: EmergencyExample[],
  baseHoldout: LabelledText[],
  threshold = DEFAULT_EMERGENCY_THRESHOLD,
): Promise<EmergencyMetrics> {
  const score = async (text: string, line: EmergencyExample['line'], presegmented = false): Promise<Scored> => {
    const { emergency } = await model.predictAll(text, presegmented);
    if (!emergency) throw new Error(`Model ${model.meta.version} has no emergency head to evaluate.`);
    return { line, rules: checkEmergency(text), probs: emergency };
  };
  const positives: Scored[] = [];
  const hardNegatives: Scored[] = [];
  for (const r of seedHoldout) (r.line ? positives : hardNegatives).push(await score(r.text, r.line));
  const base: Scored[] = [];
  for (const r of baseHoldout) base.push(await score(r.text, null, r.presegmented));
  const flagged = (_: Scored, v: { is: boolean }) => v.is;
  return {
    recall: rates(positives, threshold, flagged),
    lineAccuracy: rates(positives, threshold, (s, v) => v.is && v.line === s.line),
    hardNegativeAlarms: rates(hardNegatives, threshold, flagged),
    baseAlarms: rates(base, threshold, flagged),
  };
}

export function emptyEmergencyMeta(rows: number, seedRows: number, feedbackRows: number): EmergencyMeta {
  const zero = { n: 0, rules: 0, model: 0, combined: 0 };
  return {
    labels: [...EMERGENCY_LABELS],
    threshold: DEFAULT_EMERGENCY_THRESHOLD,
    training: { rows, seedRows, feedbackRows },
    metrics: { recall: zero, lineAccuracy: zero, hardNegativeAlarms: zero, baseAlarms: zero },
  };
}
