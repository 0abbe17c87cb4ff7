/**
 * The emergency rule layer: keyword and regex rules a site edits, each with the line
 * (110 police, 119 fire and rescue, 120 medical) and the reason. It is checked on every
 * final transcript segment, so it is synchronous and works on an in-memory copy of the
 * rules; no model score can silence a rule that matches.
 *
 * Context, not a model, keeps a rule quiet where the danger is named in a past, general or
 * administrative sense (去年那场火灾的赔偿, 火灾隐患, 救护车收费太贵): each rule's own `except`
 * phrases, and the site's general contexts (`emergency_contexts`: 去年/上个月/如果/咨询 before a
 * match, 的案子/赔偿/隐患 after it, unless a "now" word such as 现在/正在/突然 comes between).
 * A silenced match is reported in `suppressed` and never removes another rule's alert.
 */
import { readFileSync } from 'node:fs';
import type { Queryable } from '../db/index.js';
import { ClassifierErrors } from './errors.js';

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
  /**
   * Regular expressions (a plain phrase is one) that silence this rule where one of them
   * occurs within EXCEPT_WINDOW characters either side of the match, the match included:
   * 火灾隐患 for 火灾, 救护车.{0,4}(收费|贵) for a 救护车 rule. Matched on the squeezed text
   * (no spaces, NFKC). Never cancelled by a "now" word: write them to name the phrase.
   */
  except?: string[];
}

/**
 * A general "not happening now" context shared by every rule: `before` and `after` are
 * looked for in the CONTEXT_WINDOW characters before (or after) a match (去年, 上个月, 如果,
 * 咨询 / 的案子, 赔偿, 隐患); a `now` word (现在, 正在, 刚才, 突然, 又) between the context
 * and the match, or inside the match, cancels the silence ("以前就有心脏病现在又犯了").
 */
export type ContextRole = 'before' | 'after' | 'now';
export const CONTEXT_ROLES: readonly ContextRole[] = ['before', 'after', 'now'];

export interface EmergencyContext {
  id?: number;
  pattern: string;
  role: ContextRole;
  note: string;
  active?: boolean;
}

/** A rule that matched but was silenced by its context (for debugging; never an alert). */
export interface SuppressedMatch {
  /** The rule's pattern and reason. */
  pattern: string;
  reason: string;
  /** The text it matched (the first occurrence). */
  text: string;
  /** The except entry or general context that silenced it. */
  by: string;
  where: 'except' | 'before' | 'after';
}

export interface EmergencyVerdict {
  is: boolean;
  line: EmergencyLine | null;
  /** The matched rules' reasons (most urgent first), or null. */
  reason: string | null;
  /** The words or patterns that matched. */
  matched: string[];
  /** Rules that matched but were silenced by context; absent when none was. */
  suppressed?: SuppressedMatch[];
}

/** How far around a match a rule's `except` entries are looked for (characters). */
export const EXCEPT_WINDOW = 8;
/** How far before and after a match the general contexts are looked for (characters). */
export const CONTEXT_WINDOW = { before: 10, after: 6 } as const;
/** At most this many occurrences of one rule are tried before it counts as silenced. */
const MAX_OCCURRENCES = 20;

interface Compiled {
  rule: EmergencyRule;
  /** The next match starting at or after `from` in the squeezed text, as [start, end). */
  next: (s: string, from: number) => [number, number] | null;
  except: { source: string; re: RegExp }[];
}

interface CompiledContexts {
  before: { source: string; re: RegExp }[];
  after: { source: string; re: RegExp }[];
  now: RegExp[];
}

type RawRule = Omit<EmergencyRule, 'kind'> & { match: EmergencyRule['kind'] };

/** The defaults shipped with the product (migrations 0200 and 0210 seed the same list). */
export function defaultEmergencyRules(): EmergencyRule[] {
  const raw = JSON.parse(readFileSync(new URL('./emergency-rules.json', import.meta.url), 'utf8')) as RawRule[];
  return raw.map(({ match, except, ...r }, i) => ({ ...r, kind: match, priority: (i + 1) * 10, active: true, except: except ?? [] }));
}

/** The general contexts shipped with the product (migration 0210 seeds the same list). */
export function defaultEmergencyContexts(): EmergencyContext[] {
  const raw = JSON.parse(readFileSync(new URL('./emergency-contexts.json', import.meta.url), 'utf8')) as EmergencyContext[];
  return raw.map((c) => ({ ...c, active: true }));
}

/**
 * Why a regular expression could take more than linear time on some texts, or null: a
 * repeated group (*, +, {n,} or {n,m} with m > 1) that itself contains a repetition, an
 * optional part or alternatives, as in (a+)+, (a|ab)*, (.{0,3}x)+. Conservative on purpose.
 */
export function nestedRepetition(source: string): string | null {
  const groups: { inner: boolean; at: number }[] = [];
  let closed: { inner: boolean; at: number } | null = null;
  const mark = () => {
    const g = groups[groups.length - 1];
    if (g) g.inner = true;
  };
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    const group = closed;
    closed = null;
    if (ch === '\\') {
      i++;
      continue;
    }
    if (ch === '[') {
      for (i++; i < source.length && source[i] !== ']'; i++) if (source[i] === '\\') i++;
      continue;
    }
    if (ch === '(') {
      groups.push({ inner: false, at: i });
      continue;
    }
    if (ch === ')') {
      const g = groups.pop();
      if (g?.inner) mark();
      closed = g ?? null;
      continue;
    }
    if (ch === '|') {
      mark();
      continue;
    }
    let repeats = false;
    if (ch === '*' || ch === '+') repeats = true;
    else if (ch === '{') {
      const q = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
      if (!q) continue;
      repeats = q[2] !== undefined && (q[3] === '' || Number(q[3]) > 1);
      if (q[2] === undefined && Number(q[1]) > 1) repeats = true;
      i += q[0].length - 1;
    } else if (ch !== '?') continue;
    if (repeats && group?.inner) return `the group at position ${group.at + 1} repeats and has a repetition or alternatives inside`;
    mark();
    if (source[i + 1] === '?') i++;
  }
  return null;
}

/** More unbounded repetitions than this make a pattern polynomial of a degree that can stall. */
const MAX_UNBOUNDED = 2;

/**
 * Why a pattern could stall the event loop on some text, or null. Rules run on every
 * transcript segment, so besides exponential nesting this refuses backreferences (no
 * linear bound at all) and more than two unbounded repetitions (.*.*.*.* is O(n^4)).
 */
export function regexRisk(source: string): string | null {
  const nested = nestedRepetition(source);
  if (nested) return `could take exponential time on some texts (${nested})`;
  const plain = source.replace(/\\[^\dk]/g, '').replace(/\[(?:\\.|[^\]])*\]/g, 'C');
  if (/\\(?:[1-9]|k<)/.test(plain)) return 'uses a backreference, which has no time bound';
  const unbounded = (plain.match(/(?<!\\)[*+]|\{\d+,\}/g) ?? []).length;
  if (unbounded > MAX_UNBOUNDED)
    return `has ${unbounded} unbounded repetitions (at most ${MAX_UNBOUNDED}): bound them, e.g. .{0,6} instead of .*`;
  return null;
}

/** A stored pattern that cannot run safely is left out with one warning, not run. */
function compileSafe(source: string, flags: string): RegExp | null {
  const risk = regexRisk(source);
  let re: RegExp | null = null;
  try {
    if (!risk) re = new RegExp(source, flags);
  } catch {}
  if (!re && !warned.has(source)) {
    warned.add(source);
    process.emitWarning(
      `Emergency pattern ${JSON.stringify(source)} is skipped: ${risk ?? 'it is not a valid regular expression'}. Edit it under 紧急规则.`,
    );
  }
  return re;
}
const warned = new Set<string>();

function checkRegex(what: string, source: string): void {
  let re: RegExp;
  try {
    re = new RegExp(source, 'u');
  } catch (err) {
    throw ClassifierErrors.EMERGENCY_PATTERN_INVALID({ what, pattern: JSON.stringify(source), reason: (err as Error).message });
  }
  if (re.test('')) throw ClassifierErrors.EMERGENCY_PATTERN_MATCHES_EMPTY({ what, pattern: JSON.stringify(source) });
  const slow = regexRisk(source);
  if (slow)
    throw ClassifierErrors.EMERGENCY_PATTERN_SLOW({
      what,
      pattern: JSON.stringify(source),
      risk: slow,
      example: '[ab]+ or .{0,6} instead of (a|b)+ or (.{0,3}x)+',
    });
}

/** Checks that a rule can be compiled; throws a 400 that says what to fix. */
export function validateRule(rule: Pick<EmergencyRule, 'pattern' | 'kind' | 'line' | 'except'>): void {
  if (!rule.pattern.trim()) throw ClassifierErrors.EMERGENCY_RULE_PATTERN_EMPTY();
  if (!EMERGENCY_LINES.includes(rule.line)) throw ClassifierErrors.EMERGENCY_LINE_INVALID({ line: rule.line });
  if (rule.kind === 'regex') checkRegex('pattern', rule.pattern);
  const except = rule.except ?? [];
  if (except.length > 50) throw ClassifierErrors.EMERGENCY_TOO_MANY_EXCEPTS({ count: except.length });
  for (const e of except) {
    if (!e.trim()) throw ClassifierErrors.EMERGENCY_EXCEPT_EMPTY();
    checkRegex('except entry', e);
  }
}

/** Checks that a general context can be compiled; throws a 400 that says what to fix. */
export function validateContext(c: Pick<EmergencyContext, 'pattern' | 'role'>): void {
  if (!c.pattern.trim()) throw ClassifierErrors.EMERGENCY_CONTEXT_PATTERN_EMPTY();
  if (!CONTEXT_ROLES.includes(c.role)) throw ClassifierErrors.EMERGENCY_CONTEXT_ROLE_INVALID({ role: c.role });
  checkRegex('context pattern', c.pattern);
}

const cleanList = (xs: string[] | undefined) => (xs ?? []).map((x) => x.trim()).filter(Boolean);

function compile(rules: EmergencyRule[]): Compiled[] {
  return rules
    .filter((r) => r.active !== false)
    .sort((a, b) => (a.priority ?? 100) - (b.priority ?? 100))
    .flatMap((rule): Compiled[] => {
      const except = cleanList(rule.except).flatMap((source) => {
        const re = compileSafe(source, 'u');
        return re ? [{ source, re }] : [];
      });
      if (rule.kind === 'regex') {
        const re = compileSafe(rule.pattern, 'gu');
        if (!re) return [];
        const next = (s: string, from: number): [number, number] | null => {
          re.lastIndex = from;
          const m = re.exec(s);
          return m ? [m.index, Math.max(m.index + m[0].length, m.index + 1)] : null;
        };
        return [{ rule, next, except }];
      }
      const key = squeeze(rule.pattern);
      const next = (s: string, from: number): [number, number] | null => {
        const at = s.indexOf(key, from);
        return at < 0 ? null : [at, at + key.length];
      };
      return [{ rule, next, except }];
    });
}

function compileContexts(list: EmergencyContext[]): CompiledContexts {
  const out: CompiledContexts = { before: [], after: [], now: [] };
  for (const c of list) {
    if (c.active === false || !c.pattern.trim()) continue;
    const source = c.pattern.trim();
    const re = compileSafe(source, c.role === 'now' ? 'u' : 'gu');
    if (!re) continue;
    if (c.role === 'now') out.now.push(re);
    else out[c.role].push({ source, re });
  }
  return out;
}

// ASR output puts spaces between words and typed text may use full-width forms.
function squeeze(text: string): string {
  return text.normalize('NFKC').replace(/\s+/g, '');
}

let current: Compiled[] = compile(defaultEmergencyRules());
let contexts: CompiledContexts = compileContexts(defaultEmergencyContexts());

/** Replaces the in-memory rules (after loading from the database or an edit). */
export function setEmergencyRules(rules: EmergencyRule[]): void {
  current = compile(rules);
}

/** Replaces the in-memory general contexts (after loading from the database or an edit). */
export function setEmergencyContexts(list: EmergencyContext[]): void {
  contexts = compileContexts(list);
}

const isNow = (text: string) => contexts.now.some((re) => re.test(text));

/** Why the match s[start, end) of rule c is not an emergency now, or null. */
function quietBy(c: Compiled, s: string, start: number, end: number): Pick<SuppressedMatch, 'by' | 'where'> | null {
  if (c.except.length) {
    const around = s.slice(Math.max(0, start - EXCEPT_WINDOW), end + EXCEPT_WINDOW);
    for (const e of c.except) if (e.re.test(around)) return { by: e.source, where: 'except' };
  }
  const hit = s.slice(start, end);
  const before = s.slice(Math.max(0, start - CONTEXT_WINDOW.before), start);
  for (const x of contexts.before) {
    // The occurrence nearest the match decides.
    let last = -1;
    x.re.lastIndex = 0;
    for (let m = x.re.exec(before); m; m = x.re.exec(before)) {
      last = m.index + m[0].length;
      if (x.re.lastIndex <= m.index) x.re.lastIndex = m.index + 1;
    }
    if (last >= 0 && !isNow(before.slice(last) + hit)) return { by: x.source, where: 'before' };
  }
  const after = s.slice(end, end + CONTEXT_WINDOW.after);
  for (const x of contexts.after) {
    x.re.lastIndex = 0;
    const m = x.re.exec(after);
    if (m && !isNow(hit + after.slice(0, m.index))) return { by: x.source, where: 'after' };
  }
  return null;
}

/**
 * Whether a text needs an emergency line, by the rules. Synchronous and fast (μs). A rule
 * counts when one of its occurrences is not silenced by its `except` entries or a general
 * context; silenced ones are listed in `suppressed` and never remove another rule's alert.
 */
export function checkEmergency(text: string): EmergencyVerdict {
  const s = squeeze(text);
  const hits: EmergencyRule[] = [];
  let suppressed: SuppressedMatch[] | undefined;
  let negated = 0;
  for (const c of current) {
    let m = c.next(s, 0);
    let quiet: SuppressedMatch | null = null;
    let at = -1;
    for (let n = 0; m && n < MAX_OCCURRENCES; n++) {
      const why = quietBy(c, s, m[0], m[1]);
      if (!why) {
        at = m[0];
        break;
      }
      quiet ??= { pattern: c.rule.pattern, reason: c.rule.reason, text: s.slice(m[0], m[1]), ...why };
      m = c.next(s, m[0] + 1);
    }
    if (at < 0) {
      if (quiet) {
        suppressed ??= [];
        suppressed.push(quiet);
      }
      continue;
    }
    hits.push(c.rule);
    if (NEGATION_BEFORE.test(s.slice(Math.max(0, at - 3), at))) negated++;
  }
  const extra = suppressed ? { suppressed } : {};
  if (!hits.length) return { is: false, line: null, reason: null, matched: [], ...extra };
  const reasons = [...new Set(hits.map((h) => h.reason))];
  // "没有着火" still alerts (a rule is never silenced by a negation), but the agent is told to ask.
  const ask = negated === hits.length ? NEGATION_NOTE : '';
  return { is: true, line: hits[0]!.line, reason: reasons.join('；') + ask, matched: hits.map((h) => h.pattern), ...extra };
}

const NEGATION_BEFORE = /(没有|没|未|不是|并非|无)$/u;
const NEGATION_NOTE = '（前有否定词，请与来电人核实）';

const COLUMNS = 'id, pattern, kind, line, reason, priority, active, except_patterns AS "except"';

export async function listEmergencyRules(q: Queryable): Promise<Required<EmergencyRule>[]> {
  const r = await q.query<Required<EmergencyRule>>(`SELECT ${COLUMNS} FROM emergency_rules ORDER BY priority, id`);
  return r.rows;
}

const CONTEXT_COLUMNS = 'id, pattern, role, note, active';

export async function listEmergencyContexts(q: Queryable): Promise<Required<EmergencyContext>[]> {
  const r = await q.query<Required<EmergencyContext>>(`SELECT ${CONTEXT_COLUMNS} FROM emergency_contexts ORDER BY role, id`);
  return r.rows;
}

/** Loads the rules and the general contexts from the database into the in-memory layer. */
export async function loadEmergencyRules(q: Queryable): Promise<number> {
  const rules = await listEmergencyRules(q);
  const ctx = await listEmergencyContexts(q);
  setEmergencyRules(rules);
  setEmergencyContexts(ctx);
  return rules.filter((r) => r.active).length;
}

export async function addEmergencyRule(q: Queryable, rule: EmergencyRule, userId?: number): Promise<Required<EmergencyRule>> {
  const except = cleanList(rule.except);
  validateRule({ ...rule, except });
  const r = await q.query<Required<EmergencyRule>>(
    `INSERT INTO emergency_rules (pattern, kind, line, reason, priority, active, updated_by, except_patterns)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (pattern, kind) DO NOTHING RETURNING ${COLUMNS}`,
    [rule.pattern.trim(), rule.kind, rule.line, rule.reason, rule.priority ?? 100, rule.active ?? true, userId ?? null, except],
  );
  if (!r.rows[0]) throw ClassifierErrors.EMERGENCY_RULE_EXISTS({ kind: rule.kind, pattern: JSON.stringify(rule.pattern) });
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
  if (!old) throw ClassifierErrors.EMERGENCY_RULE_NOT_FOUND({ id });
  const next = { ...old, ...patch };
  next.except = cleanList(next.except);
  validateRule(next);
  const clash = await q.query('SELECT id FROM emergency_rules WHERE pattern = $1 AND kind = $2 AND id <> $3', [
    next.pattern.trim(),
    next.kind,
    id,
  ]);
  if (clash.rowCount) throw ClassifierErrors.EMERGENCY_RULE_EXISTS({ kind: next.kind, pattern: JSON.stringify(next.pattern) });
  const r = await q.query<Required<EmergencyRule>>(
    `UPDATE emergency_rules SET pattern = $2, kind = $3, line = $4, reason = $5, priority = $6, active = $7,
            updated_by = $8, except_patterns = $9, updated_at = now()
      WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, next.pattern.trim(), next.kind, next.line, next.reason, next.priority, next.active, userId ?? null, next.except],
  );
  await loadEmergencyRules(q);
  return r.rows[0]!;
}

export async function deleteEmergencyRule(q: Queryable, id: number): Promise<void> {
  const r = await q.query('DELETE FROM emergency_rules WHERE id = $1', [id]);
  if (!r.rowCount) throw ClassifierErrors.EMERGENCY_RULE_NOT_FOUND({ id });
  await loadEmergencyRules(q);
}

export async function addEmergencyContext(q: Queryable, c: EmergencyContext, userId?: number): Promise<Required<EmergencyContext>> {
  validateContext(c);
  const r = await q.query<Required<EmergencyContext>>(
    `INSERT INTO emergency_contexts (pattern, role, note, active, updated_by)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (pattern, role) DO NOTHING RETURNING ${CONTEXT_COLUMNS}`,
    [c.pattern.trim(), c.role, c.note ?? '', c.active ?? true, userId ?? null],
  );
  if (!r.rows[0]) throw ClassifierErrors.EMERGENCY_CONTEXT_EXISTS({ role: c.role, pattern: JSON.stringify(c.pattern) });
  await loadEmergencyRules(q);
  return r.rows[0];
}

export async function updateEmergencyContext(
  q: Queryable,
  id: number,
  patch: Partial<Omit<EmergencyContext, 'id'>>,
  userId?: number,
): Promise<Required<EmergencyContext>> {
  const old = (await q.query<Required<EmergencyContext>>(`SELECT ${CONTEXT_COLUMNS} FROM emergency_contexts WHERE id = $1`, [id])).rows[0];
  if (!old) throw ClassifierErrors.EMERGENCY_CONTEXT_NOT_FOUND({ id });
  const next = { ...old, ...patch };
  validateContext(next);
  const clash = await q.query('SELECT id FROM emergency_contexts WHERE pattern = $1 AND role = $2 AND id <> $3', [
    next.pattern.trim(),
    next.role,
    id,
  ]);
  if (clash.rowCount) throw ClassifierErrors.EMERGENCY_CONTEXT_EXISTS({ role: next.role, pattern: JSON.stringify(next.pattern) });
  const r = await q.query<Required<EmergencyContext>>(
    `UPDATE emergency_contexts SET pattern = $2, role = $3, note = $4, active = $5, updated_by = $6, updated_at = now()
      WHERE id = $1 RETURNING ${CONTEXT_COLUMNS}`,
    [id, next.pattern.trim(), next.role, next.note, next.active, userId ?? null],
  );
  await loadEmergencyRules(q);
  return r.rows[0]!;
}

export async function deleteEmergencyContext(q: Queryable, id: number): Promise<void> {
  const r = await q.query('DELETE FROM emergency_contexts WHERE id = $1', [id]);
  if (!r.rowCount) throw ClassifierErrors.EMERGENCY_CONTEXT_NOT_FOUND({ id });
  await loadEmergencyRules(q);
}
