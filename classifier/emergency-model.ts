/**
 * The model half of the emergency verdict: a second linear head over the same TF-IDF
 * features as the category head (same ONNX graph, output `emergency_probs`) with four
 * classes, none / 110 / 119 / 120. It catches what the site's keyword rules do not
 * name ("厨房冒黑烟了", "老人倒在地上叫不醒"); it can add an alert, never remove one.
 *
 * Training data: the base messages (complaints and requests to a mayor's mailbox, all
 * `none`), the seed set shipped in `emergency-seed.jsonl` (caller-style sentences written
 * for this project, with hard negatives that name fire or violence without being one),
 * and the decisions people make in the product: calls transferred to an emergency line
 * and cases referred with refer_110 are positives, cases dispatched as ordinary work are
 * negatives (`loadEmergencyFeedback`).
 */
import { readFileSync } from 'node:fs';
import { maskText, openNumbersInText } from '../core/index.js';
import type { Queryable } from '../db/index.js';
import type { EmergencyLine, EmergencyVerdict } from './emergency.js';
import { fnv1a } from './features.js';

/** Texts a model learns from: sealed numbers opened, then masked, so no model holds one. */
const trainingText = (t: string | null) => (t == null ? null : maskText(openNumbersInText(t)));

export const EMERGENCY_LABELS = ['none', '110', '119', '120'] as const;
export type EmergencyLabel = (typeof EMERGENCY_LABELS)[number];

/** Model flags a text when P(none) falls below 1 - threshold. */
export const DEFAULT_EMERGENCY_THRESHOLD = 0.5;

export interface EmergencyExample {
  id: string;
  text: string;
  line: EmergencyLine | null;
  presegmented?: boolean;
}

const LINE_NAMES: Record<EmergencyLine, string> = { '110': '警情', '119': '火情或险情', '120': '急救' };

export function loadEmergencySeed(): EmergencyExample[] {
  const path = new URL('./emergency-seed.jsonl', import.meta.url);
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const r = JSON.parse(l) as { id: string; text: string; line: EmergencyLine | null };
      return { id: r.id, text: r.text, line: r.line };
    });
}

/** A fixed quarter of the seed set, by a hash of the text, is never trained on. */
export function splitSeed(rows: EmergencyExample[]): { train: EmergencyExample[]; holdout: EmergencyExample[] } {
  const train: EmergencyExample[] = [];
  const holdout: EmergencyExample[] = [];
  for (const r of rows) (fnv1a(`seed:${r.text}`) % 4 === 0 ? holdout : train).push(r);
  return { train, holdout };
}

export function labelIndex(line: EmergencyLine | null): number {
  return line === null ? 0 : EMERGENCY_LABELS.indexOf(line);
}

export interface ModelEmergency {
  /** P(none), P(110), P(119), P(120). */
  probs: ArrayLike<number>;
  threshold: number;
}

export interface CombinedVerdict extends EmergencyVerdict {
  /** The model's probability that the text is an emergency (1 − P(none)), or null without a model head. */
  score: number | null;
}

/** The model's own call: the most likely line when P(none) < 1 − threshold. */
export function modelLine(m: ModelEmergency): { line: EmergencyLine | null; score: number } {
  const score = 1 - m.probs[0]!;
  if (score < m.threshold) return { line: null, score };
  let best = 1;
  for (let i = 2; i < EMERGENCY_LABELS.length; i++) if (m.probs[i]! > m.probs[best]!) best = i;
  return { line: EMERGENCY_LABELS[best] as EmergencyLine, score };
}

const pct = (x: number) => x.toFixed(2);

/**
 * Rules and model together. A rule hit stands whatever the model says (its line and
 * reason first); the model alone raises an alert when its score passes the threshold,
 * with the score as its reason and no matched words (so it never triggers a site's
 * automatic transfer, which is for named rules only).
 */
export function combineEmergency(rules: EmergencyVerdict, model: ModelEmergency | null): CombinedVerdict {
  if (!model) return { ...rules, score: null };
  const m = modelLine(model);
  const score = Math.round(m.score * 10000) / 10000;
  if (rules.is) {
    const agree = m.line ? `；模型评分 ${pct(m.score)}（${m.line}）` : '';
    return { ...rules, reason: `${rules.reason ?? ''}${agree}`, score };
  }
  if (!m.line) return { ...rules, score };
  return {
    is: true,
    line: m.line,
    reason: `模型判断疑似${LINE_NAMES[m.line]}，建议转${m.line}（评分 ${pct(m.score)}）`,
    matched: [],
    score,
  };
}

/**
 * People's decisions as training rows: calls transferred to 110/119/120 (their transcript
 * excerpt and the case text) and cases referred with refer_110 are emergencies, with the
 * line of the transfer where there was one; cases a dispatcher sent to a department are
 * not. Each text counts once.
 */
export async function loadEmergencyFeedback(q: Queryable): Promise<EmergencyExample[]> {
  const out: EmergencyExample[] = [];
  const seen = new Set<string>();
  const add = (id: string, text: string | null, line: EmergencyLine | null) => {
    const t = text?.trim();
    if (!t || seen.has(t)) return;
    seen.add(t);
    out.push({ id, text: t, line });
  };
  // A transfer (blind or bridge) names the line actually called; refer_110 on a case
  // records 110 for the paperwork, so transfers are read first.
  const refs = await q.query<{ id: number; line: string; excerpt: string | null; description: string | null }>(
    `SELECT r.id, r.line, r.transcript_excerpt AS excerpt, w.description
       FROM referrals r LEFT JOIN work_orders w ON w.id = r.work_order_id
      ORDER BY (r.mode = 'record_only'), r.id`,
  );
  for (const r of refs.rows) {
    const line = (['110', '119', '120'] as const).find((l) => l === r.line);
    if (!line) continue;
    add(`referral-${r.id}`, trainingText(r.excerpt), line);
    add(`referral-${r.id}`, trainingText(r.description), line);
  }
  const ordinary = await q.query<{ id: number; description: string }>(
    `SELECT w.id, w.description FROM work_orders w
      WHERE w.state <> 'referred_110' AND NOT w.emergency
        AND EXISTS (SELECT 1 FROM classifier_feedback f WHERE f.work_order_id = w.id)
      ORDER BY w.id`,
  );
  for (const c of ordinary.rows) add(`case-${c.id}`, trainingText(c.description), null);
  return out;
}
