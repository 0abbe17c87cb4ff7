/**
 * `classify(text)`: the active model's top categories, the department the routing
 * catalogue assigns to the first one, the emergency verdict and the model version.
 * Each model version is loaded once into an onnxruntime session and reused.
 */
import { join } from 'node:path';
import { badRequest, unavailable } from '../core/errors.js';
import type { Db, Queryable } from '../db/index.js';
import { type CatalogueEntry, defaultCatalogue } from '../org/index.js';
import { checkEmergency, type EmergencyLine } from './emergency.js';
import { type CombinedVerdict, combineEmergency } from './emergency-model.js';
import { hasChinese } from './features.js';
import { type LoadedModel, loadModel } from './model-files.js';
import { activeVersion, ensureBundledModel } from './registry.js';

export const MAX_TEXT_CHARS = 10_000;

export interface CategoryRef {
  id: number | null;
  code: string;
  name: string | null;
}

export interface DepartmentRef {
  id: number;
  code: string;
  name: string;
}

export interface ClassifyResult {
  id: string | null;
  /** Code of the most likely category (e.g. M01), or null when the text cannot be classified. */
  category: string | null;
  categoryName: string | null;
  categoryId: number | null;
  /** Org unit code of the proposed department (e.g. dept.housing). */
  department: string | null;
  departmentName: string | null;
  departmentId: number | null;
  /** Rules and model together; `score` is the model's emergency probability (null without its head). */
  emergency: { is: boolean; line: EmergencyLine | null; reason: string | null; score: number | null };
  top: { category: string; name: string | null; p: number }[];
  /** Model version that made the proposal. */
  model: string | null;
}

/** Why a text cannot be classified, or undefined when it can. */
export function textProblem(text: unknown): string | undefined {
  if (typeof text !== 'string') return 'The text must be a string.';
  if (!text.trim()) return 'The text is empty: give the case description in Chinese.';
  if (text.length > MAX_TEXT_CHARS) {
    return `The text has ${text.length} characters; at most ${MAX_TEXT_CHARS} are accepted: send the case description only.`;
  }
  if (!hasChinese(text)) return 'The text has no Chinese characters: the classifier only understands Chinese case descriptions.';
  return undefined;
}

/**
 * The department for each category: its default department in the categories table
 * (which a site may edit), or the shipped catalogue's where the database has no such
 * category yet (an unseeded database). Kept in one place so it can call dispatch's
 * routing rules once those exist.
 */
export async function departmentFor(q: Queryable, categoryCodes: string[]): Promise<Map<string, CategoryRoute>> {
  const r = await q.query<CategoryRoute>(
    `SELECT c.code, c.id, c.name, u.id AS "deptId", u.code AS "deptCode", u.name AS "deptName"
       FROM categories c LEFT JOIN org_units u ON u.id = c.default_department_id AND u.active
      WHERE c.code = ANY($1::text[])`,
    [categoryCodes],
  );
  const out = new Map(r.rows.map((row) => [row.code, row]));
  for (const code of categoryCodes) {
    if (out.has(code)) continue;
    const entry = catalogue().get(code);
    if (entry) out.set(code, { code, id: null, name: entry.name, deptId: null, deptCode: entry.department ?? null, deptName: null });
  }
  return out;
}

export interface CategoryRoute {
  code: string;
  id: number | null;
  name: string;
  deptId: number | null;
  deptCode: string | null;
  deptName: string | null;
}

let shipped: Map<string, CatalogueEntry> | undefined;
function catalogue(): Map<string, CatalogueEntry> {
  shipped ??= new Map(defaultCatalogue().map((c) => [c.code, c]));
  return shipped;
}

function emergencyHead(model: LoadedModel, probs: Float32Array | null) {
  return probs && model.meta.emergency ? { probs, threshold: model.meta.emergency.threshold } : null;
}

export interface Classifier {
  classify(text: string, opts?: { id?: string | null; topK?: number }): Promise<ClassifyResult>;
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
      if (!v) throw unavailable('No classifier model is active: run "hotline classifier train" or promote a version.');
      cached = { path: v.path, version: v.version, at: Date.now() };
      retireOthers(v.path);
    }
    try {
      return await load(cached.path);
    } catch (err) {
      throw unavailable(`The active classifier ${cached.version} cannot be loaded from ${cached.path}: ${(err as Error).message}`);
    }
  };

  // The routing of every class is read at most once per `ttl`: a site's edit of a
  // category's department shows within seconds, and a proposal costs no query.
  let routing: { at: number; labels: string[]; map: Map<string, CategoryRoute> } | undefined;
  const routes = async (labels: string[]) => {
    if (!routing || routing.labels !== labels || Date.now() - routing.at > ttl) {
      routing = { at: Date.now(), labels, map: await departmentFor(opts.db, labels) };
    }
    return routing.map;
  };

  return {
    active,
    refresh: () => {
      cached = undefined;
      routing = undefined;
    },
    async classify(text, o = {}) {
      const problem = textProblem(text);
      if (problem) throw badRequest(problem);
      const model = await active();
      const { probs, emergency: emergencyProbs } = await model.predictAll(text);
      const emergency = combineEmergency(checkEmergency(text), emergencyHead(model, emergencyProbs));
      const labels = model.meta.labels;
      const order = labels.map((_, i) => i).sort((a, b) => probs[b]! - probs[a]!);
      const k = Math.max(1, Math.min(o.topK ?? opts.topK ?? 3, labels.length));
      const topCodes = order.slice(0, k).map((i) => labels[i]!);
      const refs = await routes(labels);
      const best = refs.get(topCodes[0]!);
      return {
        id: o.id ?? null,
        category: topCodes[0]!,
        categoryName: best?.name ?? null,
        categoryId: best?.id ?? null,
        department: best?.deptCode ?? null,
        departmentName: best?.deptName ?? null,
        departmentId: best?.deptId ?? null,
        emergency: { is: emergency.is, line: emergency.line, reason: emergency.reason, score: emergency.score },
        top: order.slice(0, k).map((i) => ({
          category: labels[i]!,
          name: refs.get(labels[i]!)?.name ?? null,
          p: Math.round(probs[i]! * 10000) / 10000,
        })),
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
