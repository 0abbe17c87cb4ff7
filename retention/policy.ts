/**
 * The site's retention policy for personal data (个人信息保护法: kept no longer than
 * needed) and its audit trail (等保 2.0: at least six months): read from settings,
 * turned into cut-off dates, and applied through each owning module's functions.
 */

import { forgetNotesOfAnonymisedCases } from '../callback/index.js';
import { ConfigError, type Setting, type SettingsValues } from '../core/index.js';
import type { Db, Queryable } from '../db/index.js';
import { anonymiseClosedCases, countAuditToRemove, countCasesToAnonymise, removeOldAudit } from '../dispatch/index.js';
import {
  anonymiseEndedCalls,
  anonymiseReferrals,
  countCallsToAnonymise,
  countReferralsToAnonymise,
  countTranscriptsToRemove,
  removeTranscripts,
} from '../telephony/index.js';

/** 等保 2.0 asks for audit records of at least six months. */
export const MIN_AUDIT_DAYS = 180;

export const RETENTION_SETTINGS = [
  {
    env: 'RETENTION_TRANSCRIPT_DAYS',
    kind: 'int',
    default: '365',
    min: 0,
    max: 36500,
    help: 'days after a call ends that its transcript is kept (0 = keep forever)',
  },
  {
    env: 'RETENTION_PERSONAL_DAYS',
    kind: 'int',
    default: '730',
    min: 0,
    max: 36500,
    help: "days after a case closes (or a call ends) that the caller's name, phone and address are kept (0 = keep forever)",
  },
  {
    env: 'RETENTION_AUDIT_DAYS',
    kind: 'int',
    default: '0',
    min: 0,
    max: 36500,
    help: `days the audit trail of closed cases is kept (0 = forever; otherwise at least ${MIN_AUDIT_DAYS})`,
  },
  {
    env: 'RETENTION_SWEEP_HOURS',
    kind: 'int',
    default: '24',
    min: 0,
    max: 24 * 30,
    help: 'hours between automatic applications of the retention policy (0 = only by `hotline retention apply`)',
  },
] as const satisfies readonly Setting[];

export type RetentionSettingValues = SettingsValues<typeof RETENTION_SETTINGS>;

export interface RetentionPolicy {
  transcriptDays: number;
  personalDays: number;
  auditDays: number;
  sweepHours: number;
}

export function retentionPolicyFrom(values: RetentionSettingValues): RetentionPolicy {
  const policy = {
    transcriptDays: values.RETENTION_TRANSCRIPT_DAYS,
    personalDays: values.RETENTION_PERSONAL_DAYS,
    auditDays: values.RETENTION_AUDIT_DAYS,
    sweepHours: values.RETENTION_SWEEP_HOURS,
  };
  if (policy.auditDays > 0 && policy.auditDays < MIN_AUDIT_DAYS) {
    throw new ConfigError([
      `RETENTION_AUDIT_DAYS=${policy.auditDays} is not valid: the audit trail must be kept at least ${MIN_AUDIT_DAYS} days (or 0 = forever).`,
    ]);
  }
  return policy;
}

export interface RetentionPlan {
  /** The cut-offs in force (ISO times), null where the policy keeps forever. */
  cutoffs: { transcripts: string | null; personal: string | null; audit: string | null };
  transcripts: { calls: number; segments: number };
  cases: number;
  calls: number;
  referrals: number;
  auditRows: number;
}

const daysBefore = (now: Date, days: number) => (days > 0 ? new Date(now.getTime() - days * 86_400_000) : null);

/** What applying the policy now would remove, without changing anything. */
export async function retentionPlan(q: Queryable, policy: RetentionPolicy, now = new Date()): Promise<RetentionPlan> {
  const t = daysBefore(now, policy.transcriptDays);
  const p = daysBefore(now, policy.personalDays);
  const a = daysBefore(now, policy.auditDays);
  return {
    cutoffs: { transcripts: t?.toISOString() ?? null, personal: p?.toISOString() ?? null, audit: a?.toISOString() ?? null },
    transcripts: t ? await countTranscriptsToRemove(q, t) : { calls: 0, segments: 0 },
    cases: p ? await countCasesToAnonymise(q, p) : 0,
    calls: p ? await countCallsToAnonymise(q, p) : 0,
    referrals: p ? await countReferralsToAnonymise(q, p) : 0,
    auditRows: a ? await countAuditToRemove(q, a) : 0,
  };
}

export interface RetentionResult {
  transcriptSegments: number;
  cases: number;
  calls: number;
  referrals: number;
  auditRows: number;
}

/** Closed cases anonymised, then the callback notes of every anonymised case (callback's table). */
async function anonymiseCases(db: Db, before: Date): Promise<number> {
  const n = await anonymiseClosedCases(db, before);
  await forgetNotesOfAnonymisedCases(db);
  return n;
}

/** Applies the policy and records the run in retention_runs. */
export async function applyRetention(db: Db, policy: RetentionPolicy, actor: string, now = new Date()): Promise<RetentionResult> {
  const t = daysBefore(now, policy.transcriptDays);
  const p = daysBefore(now, policy.personalDays);
  const a = daysBefore(now, policy.auditDays);
  const removed: RetentionResult = {
    transcriptSegments: t ? await removeTranscripts(db, t) : 0,
    cases: p ? await anonymiseCases(db, p) : 0,
    calls: p ? await anonymiseEndedCalls(db, p) : 0,
    referrals: p ? await anonymiseReferrals(db, p) : 0,
    auditRows: a ? await removeOldAudit(db, a) : 0,
  };
  await db.query('INSERT INTO retention_runs (policy, removed, actor) VALUES ($1, $2, $3)', [
    JSON.stringify(policy),
    JSON.stringify(removed),
    actor,
  ]);
  return removed;
}
