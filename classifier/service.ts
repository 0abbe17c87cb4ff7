/**
 * `classify(text)`: the leaf categories of the site's catalogue most likely for a text
 * (the top-level model as their prior, see leaf.ts), the department the routing catalogue
 * gives the first one at the caller's place, the emergency verdict and the model version.
 * Each model version is loaded once into an onnxruntime session and reused.
 */
import { join } from 'node:path';
import type { HotlineError } from '../core/index.js';
import type { Db, Queryable } from '../db/index.js';
import { type CatalogueEntry, defaultCatalogue } from '../org/index.js';
import { cueDepartment, departmentsNamed } from './departments.js';
import { checkEmergency } from './emergency.js';
import { type CombinedVerdict, combineEmergency } from './emergency-model.js';
import { ClassifierErrors } from './errors.js';
import { hasChinese } from './features.js';
import { byDepartment, DEFAULT_WEIGHTS, type LeafScore, type LeafWeights, scoreLeaves } from './leaf.js';
import { createLeafSource } from './leaf-source.js';
import { type LoadedModel, loadModel } from './model-files.js';
import { activeVersion, ensureBundledModel } from './registry.js';
import type { ClassifyResult } from './schemas.js';

export const MAX_TEXT_CHARS = 10_000;

/** How like a corrected text a new one must be for the correction's department to count. */
const CORRECTION_DEPARTMENT_SIMILARITY = 0.6;

export interface DepartmentRef {
  id: number | null;
  code: string;
  name: string | null;
}

export type { ClassifyResult } from './schemas.js';

/** The department for a category at a place, as dispatch's routing catalogue gives it. */
export type RouteLookup = (
  q: Queryable,
  input: { categoryId: number; address?: string | null },
) => Promise<{ departmentId: number | null; source: 'override' | 'category' | 'none'; place: ClassifyResult['place'] }>;

/** Why a text cannot be classified, or undefined when it can. */
export function textProblem(text: unknown): string | undefined {
  return textError(text)?.message;
}

/** The coded error `classify` throws for a text it cannot read, or undefined when it can. */
export function textError(text: unknown): HotlineError | undefined {
  if (typeof text !== 'string') return ClassifierErrors.CLASSIFIER_TEXT_NOT_STRING();
  if (!text.trim()) return ClassifierErrors.CLASSIFIER_TEXT_EMPTY();
  if (text.length > MAX_TEXT_CHARS) return ClassifierErrors.CLASSIFIER_TEXT_TOO_LONG({ length: text.length, max: MAX_TEXT_CHARS });
  if (!hasChinese(text)) return ClassifierErrors.CLASSIFIER_TEXT_NOT_CHINESE();
  return undefined;
}

let shipped: Map<string, CatalogueEntry> | undefined;
function catalogue(): Map<string, CatalogueEntry> {
  shipped ??= new Map(defaultCatalogue().map((c) => [c.code, c]));
  return shipped;
}

/** The unit the shipped catalogue routes a code to (its own or its nearest parent's). */
function shippedDepartment(code: string): string | null {
  for (let c = catalogue().get(code), guard = 0; c && guard < 20; guard++) {
    if (c.department) return c.department;
    c = c.parent ? catalogue().get(c.parent) : undefined;
  }
  return null;
}

function emergencyHead(model: LoadedModel, probs: Float32Array | null) {
  return probs && model.meta.emergency ? { probs, threshold: model.meta.emergency.threshold } : null;
}

export interface Classifier {
  classify(text: string, opts?: { id?: string | null; topK?: number; address?: string | null }): Promise<ClassifyResult>;
  /**
   * The emergency verdict of rules and model for one text (a transcript segment, a note).
   * Rules alone when the text cannot be scored or the model is unavailable: an emergency
   * check never fails because of the model.
   */
  checkEmergency(text: string): Promise<CombinedVerdict>;
  /** The active model (loading it on first use). */
  active(): Promise<LoadedModel>;
  /** Forget the cached active version (after promote/rollback). */
  refresh(): void;
  close(): Promise<void>;
}

export interface ClassifierOptions {
  db: Db;
  /** MODELS_DIR: the shipped model is in its `classifier` folder. */
  modelsDir: string;
  topK?: number;
  /** How long the active version is trusted before asking the database again. */
  activeTtlMs?: number;
  /** Dispatch's routing (place overrides included); without it, the category's own department. */
  route?: RouteLookup;
  /** Scoring weights of the leaf proposer (the shipped ones are fitted on classifier/leaf-tune.jsonl). */
  weights?: LeafWeights;
  /**
   * leaf (default): the most likely leaf and its department; department: the department with
   * the most probability over all leaves, then its best leaf (measured worse on both counts,
   * docs/benchmarks.md; kept for the comparison in bench/classifier-leaf.ts).
   */
  pick?: 'leaf' | 'department';
}

export function createClassifier(opts: ClassifierOptions): Classifier {
  const sessions = new Map<string, Promise<LoadedModel>>();
  let cached: { path: string; version: string; at: number } | undefined;
  const ttl = opts.activeTtlMs ?? 5000;

  const load = (path: string) => {
    let p = sessions.get(path);
    if (!p) {
      p = loadModel(path);
      sessions.set(path, p);
      p.catch(() => sessions.delete(path));
    }
    return p;
  };

  // A version that is no longer active keeps its session for a grace period, so that
  // requests already holding it finish; then its memory (~weights size) is freed.
  const retireOthers = (activePath: string) => {
    for (const [path, p] of sessions) {
      if (path === activePath) continue;
      sessions.delete(path);
      setTimeout(() => void p.then((m) => m.close()).catch(() => {}), 30_000).unref();
    }
  };

  const active = async (): Promise<LoadedModel> => {
    if (!cached || Date.now() - cached.at > ttl) {
      let v = await activeVersion(opts.db);
      if (!v) {
        await ensureBundledModel(opts.db, join(opts.modelsDir, 'classifier'));
        v = await activeVersion(opts.db);
      }
      if (!v) throw ClassifierErrors.CLASSIFIER_NO_ACTIVE_MODEL();
      cached = { path: v.path, version: v.version, at: Date.now() };
      retireOthers(v.path);
    }
    try {
      return await load(cached.path);
    } catch (err) {
      throw ClassifierErrors.CLASSIFIER_MODEL_UNLOADABLE({ version: cached.version, path: cached.path, reason: (err as Error).message });
    }
  };

  const leaves = createLeafSource(opts.db, async () => (await active()).meta.labels);

  const unitRef = async (id: number | null) => {
    if (id == null) return null;
    const r = await opts.db.query<DepartmentRef>('SELECT id, code, name FROM org_units WHERE id = $1', [id]);
    return r.rows[0] ?? null;
  };
  const unitByCode = async (code: string) => {
    const r = await opts.db.query<DepartmentRef>('SELECT id, code, name FROM org_units WHERE code = $1 AND active', [code]);
    return r.rows[0] ?? null;
  };
  // Dispatch's routing when the server passes it; otherwise (tools, tests, an unseeded
  // database) the unit the catalogue gives the leaf or its nearest parent, as the index has it.
  const departmentOf = async (leaf: LeafScore, address: string | null) => {
    if (leaf.id != null && opts.route) {
      const r = await opts.route(opts.db, { categoryId: leaf.id, address });
      return { unit: await unitRef(r.departmentId), source: r.source, place: r.place };
    }
    const code = leaf.department;
    const unit = code ? ((await unitByCode(code)) ?? { id: null, code, name: null }) : null;
    return { unit, source: 'category' as const, place: null };
  };

  return {
    active,
    refresh: () => {
      cached = undefined;
      leaves.invalidate();
    },
    async classify(text, o = {}) {
      const refused = textError(text);
      if (refused) throw refused;
      const model = await active();
      const { probs, emergency: emergencyProbs } = await model.predictAll(text);
      const emergency = combineEmergency(checkEmergency(text), emergencyHead(model, emergencyProbs));
      const labels = model.meta.labels;
      const prior = new Map(labels.map((l, i) => [l, probs[i]!]));
      const bestClass = labels.map((_, i) => i).sort((a, b) => probs[b]! - probs[a]!)[0]!;
      const index = await leaves.index();
      const scored = scoreLeaves(index, text, prior, opts.weights ?? DEFAULT_WEIGHTS, departmentsNamed(text));
      const neighbours = scored.neighbours;
      let scores = scored.scores;
      if (opts.pick === 'department') {
        const chosen = byDepartment(scores).leaf;
        if (chosen && chosen !== scores[0]) scores = [chosen, ...scores.filter((x) => x !== chosen)];
      }
      const k = Math.max(1, Math.min(o.topK ?? opts.topK ?? 3, scores.length));
      const best = scores[0];
      const address = o.address?.trim() || null;
      let department: DepartmentRef | null = null;
      let departmentSource: ClassifyResult['departmentSource'] = 'none';
      let place: ClassifyResult['place'] = null;
      if (best) {
        const route = await departmentOf(best, address);
        place = route.place;
        department = route.unit;
        departmentSource = department ? route.source : 'none';
        // A leaf whose cases go to different units by what the caller says (a neighbour's noise
        // to the police, a cooling tower's to 生态环境): the cue's unit, while the site routes
        // the leaf as shipped (a site that re-routed it decided otherwise).
        const cue = route.source === 'category' ? cueDepartment(best.code, text) : null;
        if (cue && cue !== department?.code && department?.code === shippedDepartment(best.code)) {
          const unit = await unitByCode(cue);
          if (unit) department = unit;
        }
        // A dispatcher who sent a text like this one, filed under the same category, to
        // another unit decided this department; a place override still wins over that.
        const near = neighbours[0];
        if (
          near &&
          near.similarity >= CORRECTION_DEPARTMENT_SIMILARITY &&
          near.example.categoryCode === best.code &&
          near.example.departmentCode &&
          near.example.departmentCode !== department?.code &&
          route.source !== 'override'
        ) {
          const unit = await unitByCode(near.example.departmentCode);
          if (unit) {
            department = unit;
            departmentSource = 'correction';
          }
        }
      }
      const round = (p: number) => Math.round(p * 10000) / 10000;
      return {
        id: o.id ?? null,
        category: best?.code ?? null,
        categoryName: best?.name ?? null,
        categoryId: best?.id ?? null,
        path: best?.path ?? [],
        department: department?.code ?? null,
        departmentName: department?.name ?? null,
        departmentId: department?.id ?? null,
        departmentSource,
        place,
        emergency: { is: emergency.is, line: emergency.line, reason: emergency.reason, score: emergency.score },
        top: scores.slice(0, k).map((x) => ({ category: x.code, name: x.name, p: round(x.p), path: x.path })),
        topLevel: {
          category: labels[bestClass]!,
          name: catalogue().get(labels[bestClass]!)?.name ?? null,
          p: round(probs[bestClass]!),
        },
        evidence: {
          keywords: [...new Set(best?.evidence.keywords.map((w) => w.word) ?? [])],
          corrections: neighbours.filter((n) => n.example.categoryCode === best?.code).length,
        },
        model: model.meta.version,
      };
    },
    async checkEmergency(text) {
      const rules = checkEmergency(text);
      if (textProblem(text)) return { ...rules, score: null };
      try {
        const model = await active();
        const { emergency } = await model.predictAll(text);
        return combineEmergency(rules, emergencyHead(model, emergency));
      } catch {
        return { ...rules, score: null };
      }
    },
    async close() {
      const all = [...sessions.values()];
      sessions.clear();
      for (const p of all) await p.then((m) => m.close()).catch(() => {});
    },
  };
}
