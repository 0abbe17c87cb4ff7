/**
 * The emergency rule layer: keyword and regex rules a site edits, each with the line
 * (110 police, 119 fire and rescue, 120 medical) and the reason. It is checked on every
 * final transcript segment, so it is synchronous and works on an in-memory copy of the
 * rules; no model score can silence a rule that matches.
 */
import { readFileSync } from 'node:fs';
import { badRequest, notFound } from '../core/errors.js';
import type { Queryable } from '../db/index.js';

export type EmergencyLine = '110' | '119' | '120';
export const EMERGENCY_LINES: readonly EmergencyLine[] = ['110', '119', '120'];

export interface EmergencyRule {
  id?: number;
  pattern: string;
  kind: 'keyword' | 'regex';
  line: EmergencyLine;
  reason: string;
  priority?: number;
  active?: boolean;
}

export interface EmergencyVerdict {
  is: boolean;
  line: EmergencyLine | null;
  /** The matched rules' reasons (most urgent first), or null. */
  reason: string | null;
  /** The words or patterns that matched. */
  matched: string[];
}

interface Compiled {
  rule: EmergencyRule;
  /** Where the rule matches in the squeezed text, or -1. */
  find: (s: string) => number;
}

/** The defaults shipped with the product (the migration seeds the same list). */
export function defaultEmergencyRules(): EmergencyRule[] {
  const raw = JSON.parse(readFileSync(new URL('./emergency-rules.json', import.meta.url), 'utf8')) as (Omit<EmergencyRule, 'kind'> & {
    match: EmergencyRule['kind'];
  })[];
  return raw.map(({ match, ...r }, i) => ({ ...r, kind: match, priority: (i + 1) * 10, active: true }));
}

/** Checks that a rule can be compiled; throws a 400 that says what to fix. */
export function validateRule(rule: Pick<EmergencyRule, 'pattern' | 'kind' | 'line'>): void {
  if (!rule.pattern.trim()) throw badRequest('The rule pattern is empty: give a keyword such as 持刀.');
  if (!EMERGENCY_LINES.includes(rule.line)) throw badRequest(`Line ${rule.line} is not an emergency line: use 110, 119 or 120.`);
  if (rule.kind === 'regex') {
    try {
      new RegExp(rule.pattern, 'u');
    } catch (err) {
      throw badRequest(`The pattern ${JSON.stringify(rule.pattern)} is not a valid regular expression: ${(err as Error).message}.`);
    }
  }
}

function compile(rules: EmergencyRule[]): Compiled[] {
  return rules
    .filter((r) => r.active !== false)
    .sort((a, b) => (a.priority ?? 100) - (b.priority ?? 100))
    .map((rule) => {
      const key = squeeze(rule.pattern);
      if (rule.kind === 'regex') {
        const re = new RegExp(rule.pattern, 'u');
        return { rule, find: (s: string) => re.exec(s)?.index ?? -1 };
      }
      return { rule, find: (s: string) => s.indexOf(key) };
    });
}

// ASR output puts spaces between words and typed text may use full-width forms.
function squeeze(text: string): string {
  return text.normalize('NFKC').replace(/\s+/g, '');
}

let current: Compiled[] = compile(defaultEmergencyRules());

/** Replaces the in-memory rules (after loading from the database or an edit). */
export function setEmergencyRules(rules: EmergencyRule[]): void {
  current = compile(rules);
}

/** Whether a text needs an emergency line, by the rules. Synchronous and fast (μs). */
export function checkEmergency(text: string): EmergencyVerdict {
  const s = squeeze(text);
  const hits: EmergencyRule[] = [];
  let negated = 0;
  for (const c of current) {
    const at = c.find(s);
    if (at < 0) continue;
    hits.push(c.rule);
    if (NEGATION_BEFORE.test(s.slice(Math.max(0, at - 3), at))) negated++;
  }
  if (!hits.length) return { is: false, line: null, reason: null, matched: [] };
  const reasons = [...new Set(hits.map((h) => h.reason))];
  // "没有着火" still alerts (a rule is never silenced), but the agent is told to ask.
  const ask = negated === hits.length ? NEGATION_NOTE : '';
  return { is: true, line: hits[0]!.line, reason: reasons.join('；') + ask, matched: hits.map((h) => h.pattern) };
}

const NEGATION_BEFORE = /(没有|没|未|不是|并非|无)$/u;
const NEGATION_NOTE = '（前有否定词，请与来电人核实）';

const COLUMNS = 'id, pattern, kind, line, reason, priority, active';

export async function listEmergencyRules(q: Queryable): Promise<Required<EmergencyRule>[]> {
  const r = await q.query<Required<EmergencyRule>>(`SELECT ${COLUMNS} FROM emergency_rules ORDER BY priority, id`);
  return r.rows;
}

/** Loads the rules from the database into the in-memory layer. */
export async function loadEmergencyRules(q: Queryable): Promise<number> {
  const rules = await listEmergencyRules(q);
  setEmergencyRules(rules);
  return rules.filter((r) => r.active).length;
}

export async function addEmergencyRule(q: Queryable, rule: EmergencyRule, userId?: number): Promise<Required<EmergencyRule>> {
  validateRule(rule);
  const r = await q.query<Required<EmergencyRule>>(
    `INSERT INTO emergency_rules (pattern, kind, line, reason, priority, active, updated_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (pattern, kind) DO NOTHING RETURNING ${COLUMNS}`,
    [rule.pattern.trim(), rule.kind, rule.line, rule.reason, rule.priority ?? 100, rule.active ?? true, userId ?? null],
  );
  if (!r.rows[0]) throw badRequest(`A ${rule.kind} rule ${JSON.stringify(rule.pattern)} already exists: edit that one instead.`);
  await loadEmergencyRules(q);
  return r.rows[0];
}

export async function updateEmergencyRule(
  q: Queryable,
  id: number,
  patch: Partial<Omit<EmergencyRule, 'id'>>,
  userId?: number,
): Promise<Required<EmergencyRule>> {
  const old = (await q.query<Required<EmergencyRule>>(`SELECT ${COLUMNS} FROM emergency_rules WHERE id = $1`, [id])).rows[0];
  if (!old) throw notFound(`No emergency rule ${id}: list them with GET /api/classifier/emergency-rules.`);
  const next = { ...old, ...patch };
  validateRule(next);
  const clash = await q.query('SELECT id FROM emergency_rules WHERE pattern = $1 AND kind = $2 AND id <> $3', [
    next.pattern.trim(),
    next.kind,
    id,
  ]);
  if (clash.rowCount) throw badRequest(`A ${next.kind} rule ${JSON.stringify(next.pattern)} already exists: edit that one instead.`);
  const r = await q.query<Required<EmergencyRule>>(
    `UPDATE emergency_rules SET pattern = $2, kind = $3, line = $4, reason = $5, priority = $6, active = $7,
            updated_by = $8, updated_at = now()
      WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, next.pattern.trim(), next.kind, next.line, next.reason, next.priority, next.active, userId ?? null],
  );
  await loadEmergencyRules(q);
  return r.rows[0]!;
}

export async function deleteEmergencyRule(q: Queryable, id: number): Promise<void> {
  const r = await q.query('DELETE FROM emergency_rules WHERE id = $1', [id]);
  if (!r.rowCount) throw notFound(`No emergency rule ${id}: list them with GET /api/classifier/emergency-rules.`);
  await loadEmergencyRules(q);
}
