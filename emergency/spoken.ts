/**
 * The site's emergency rules as spoken keywords: every keyword rule, and every regex rule
 * that stands for a few literal phrases, becomes a phrase the speech engine's keyword
 * spotter listens for, with the rule's line and reason. What cannot be spotted (one
 * character, a free regex) is still read in the transcript.
 */
import { rulePhrases } from '../asr/index.js';
import type { EmergencyLine, EmergencyRule, EmergencyVerdict } from '../classifier/index.js';

export interface SpokenRule {
  phrase: string;
  line: EmergencyLine;
  reason: string;
  /** The rule's pattern, as alerts name what matched (and auto-transfer lists it). */
  pattern: string;
}

export function spokenRules(rules: EmergencyRule[]): Map<string, SpokenRule> {
  const out = new Map<string, SpokenRule>();
  const ordered = rules.filter((r) => r.active !== false).sort((a, b) => (a.priority ?? 100) - (b.priority ?? 100));
  for (const r of ordered) {
    for (const phrase of rulePhrases(r.pattern, r.kind)) {
      // The first (most urgent) rule naming a phrase decides its line.
      if (!out.has(phrase)) out.set(phrase, { phrase, line: r.line, reason: r.reason, pattern: r.pattern });
    }
  }
  return out;
}

/**
 * Every phrase at the spotter's shipped threshold (asr/sherpa/worker.ts): on the shared clips
 * at 8 kHz µ-law, thresholds 0.1 to 0.4 gave the same hits and false alarms, and 起火 over a
 * SIP call needed 0.15 or less (docs/benchmarks.md).
 */
export function keywordList(spoken: Map<string, SpokenRule>): { phrase: string; threshold?: number }[] {
  return [...spoken.keys()].map((phrase) => ({ phrase }));
}

/**
 * Whether the transcript has the phrase the spotter heard, in a sense the rules call
 * ordinary (去年那场火灾的赔偿): the spotter heard the same words, so that is no alert either.
 */
export function ordinaryWhereWritten(text: string, phrase: string, check: (text: string) => EmergencyVerdict): boolean {
  return text.replace(/\s+/g, '').includes(phrase) && !check(text).is;
}
