/**
 * Model versions in `model_versions` (kind 'classifier', one active) and the promotion
 * history in `model_promotions`. Promotion is gated on the fixed holdout: a version
 * worse than the active one is refused unless forced.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Queryable } from '../db/index.js';
import { ClassifierErrors } from './errors.js';
import { type EmergencyMetrics, type ModelMetrics, readMeta } from './model-files.js';

const KIND = 'classifier';

export interface ModelVersion {
  version: string;
  path: string;
  metrics: Partial<ModelMetrics> & Record<string, unknown>;
  active: boolean;
  notes: string | null;
  createdAt: string;
  promotedAt: string | null;
}

const COLUMNS = `version, path, metrics, active, notes, created_at AS "createdAt", promoted_at AS "promotedAt"`;

export async function listVersions(q: Queryable): Promise<ModelVersion[]> {
  const r = await q.query<ModelVersion>(`SELECT ${COLUMNS} FROM model_versions WHERE kind = $1 ORDER BY created_at DESC, id DESC`, [KIND]);
  return r.rows;
}

export async function getVersion(q: Queryable, version: string): Promise<ModelVersion | undefined> {
  const r = await q.query<ModelVersion>(`SELECT ${COLUMNS} FROM model_versions WHERE kind = $1 AND version = $2`, [KIND, version]);
  return r.rows[0];
}

export async function activeVersion(q: Queryable): Promise<ModelVersion | undefined> {
  const r = await q.query<ModelVersion>(`SELECT ${COLUMNS} FROM model_versions WHERE kind = $1 AND active`, [KIND]);
  return r.rows[0];
}

export async function registerVersion(
  q: Queryable,
  v: { version: string; path: string; metrics: object; notes?: string },
): Promise<ModelVersion> {
  const r = await q.query<ModelVersion>(
    `INSERT INTO model_versions (kind, version, path, metrics, notes) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (kind, version) DO NOTHING RETURNING ${COLUMNS}`,
    [KIND, v.version, resolve(v.path), JSON.stringify(v.metrics), v.notes ?? null],
  );
  if (!r.rows[0]) throw ClassifierErrors.CLASSIFIER_VERSION_EXISTS({ version: v.version, how: 'version name' });
  return r.rows[0];
}

/** The number the promotion gate compares: accuracy over the whole fixed holdout. */
export function gateScore(metrics: Partial<ModelMetrics> | undefined): number | undefined {
  return metrics?.all?.accuracy;
}

/** Holdout metrics as the gate reads them: categories, and the emergency head's when there is one. */
export type GateMetrics = Partial<ModelMetrics> & { emergency?: Partial<EmergencyMetrics> };

/**
 * Why `candidate` may not replace `active`, or undefined when it may: lower accuracy on the
 * fixed holdout, or (when both have an emergency head) a lower share of the held-out seed
 * emergencies flagged by the model.
 */
export function gateRefusal(candidate: GateMetrics | undefined, active: GateMetrics | undefined): string | undefined {
  const a = gateScore(active);
  if (a === undefined) return undefined;
  const c = gateScore(candidate);
  if (c === undefined) return 'it has no holdout metrics to compare';
  if (c < a) return `its holdout accuracy ${c.toFixed(4)} is below the active model's ${a.toFixed(4)}`;
  const ae = active?.emergency?.recall?.model;
  const ce = candidate?.emergency?.recall?.model;
  if (ae !== undefined && ce !== undefined && ce < ae) {
    return `its emergency recall ${ce.toFixed(4)} on the held-out seed is below the active model's ${ae.toFixed(4)}`;
  }
  return undefined;
}

export interface PromoteOptions {
  force?: boolean;
  userId?: number | null;
  /** Metrics of the active model measured now, when the caller re-evaluated it. */
  activeMetrics?: GateMetrics;
}

/** Makes `version` the active classifier; refuses a worse one unless forced. */
export async function promote(db: { tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T> }, version: string, opts: PromoteOptions = {}) {
  return db.tx(async (q) => {
    const candidate = await getVersion(q, version);
    if (!candidate) throw ClassifierErrors.CLASSIFIER_VERSION_NOT_FOUND({ version });
    const active = await activeVersion(q);
    if (active?.version === version) return { version, from: version, changed: false };
    if (!existsSync(join(candidate.path, 'model.onnx'))) {
      throw ClassifierErrors.CLASSIFIER_VERSION_FILES_MISSING({ version, path: candidate.path });
    }
    const refusal = gateRefusal(candidate.metrics, opts.activeMetrics ?? active?.metrics);
    if (refusal && !opts.force) {
      throw ClassifierErrors.CLASSIFIER_PROMOTION_REFUSED({ version, refusal });
    }
    await q.query(`UPDATE model_versions SET active = false WHERE kind = $1 AND active`, [KIND]);
    await q.query(`UPDATE model_versions SET active = true, promoted_at = now() WHERE kind = $1 AND version = $2`, [KIND, version]);
    await q.query(
      `INSERT INTO model_promotions (kind, version, from_version, action, forced, user_id) VALUES ($1, $2, $3, 'promote', $4, $5)`,
      [KIND, version, active?.version ?? null, Boolean(refusal && opts.force), opts.userId ?? null],
    );
    return { version, from: active?.version ?? null, changed: true };
  });
}

/** Re-activates the version that was active before the current one was promoted. */
export async function rollback(db: { tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T> }, opts: { userId?: number | null } = {}) {
  return db.tx(async (q) => {
    const active = await activeVersion(q);
    if (!active) throw ClassifierErrors.CLASSIFIER_NOTHING_ACTIVE();
    const prev = await q.query<{ from: string }>(
      `SELECT p.from_version AS "from" FROM model_promotions p
         JOIN model_versions v ON v.kind = p.kind AND v.version = p.from_version
        WHERE p.kind = $1 AND p.version = $2 AND p.action = 'promote' AND p.from_version IS NOT NULL
        ORDER BY p.id DESC LIMIT 1`,
      [KIND, active.version],
    );
    const target = prev.rows[0]?.from;
    if (!target) throw ClassifierErrors.CLASSIFIER_NO_EARLIER_VERSION({ version: active.version });
    await q.query(`UPDATE model_versions SET active = false WHERE kind = $1 AND active`, [KIND]);
    await q.query(`UPDATE model_versions SET active = true, promoted_at = now() WHERE kind = $1 AND version = $2`, [KIND, target]);
    await q.query(`INSERT INTO model_promotions (kind, version, from_version, action, user_id) VALUES ($1, $2, $3, 'rollback', $4)`, [
      KIND,
      target,
      active.version,
      opts.userId ?? null,
    ]);
    return { version: target, from: active.version, changed: true };
  });
}

/**
 * On a database with no active classifier, registers and activates the model shipped
 * in MODELS_DIR/classifier. Two processes starting together may race: the loser's
 * insert or activation fails on the unique constraints and it uses the winner's.
 */
export async function ensureBundledModel(db: { tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T> } & Queryable, dir: string) {
  if (await activeVersion(db)) return;
  const meta = readMeta(dir);
  try {
    await db.tx(async (q) => {
      await q.query(
        `INSERT INTO model_versions (kind, version, path, metrics, notes) VALUES ($1, $2, $3, $4, 'shipped with the product')
         ON CONFLICT (kind, version) DO NOTHING`,
        [KIND, meta.version, resolve(dir), JSON.stringify({ ...meta.metrics, emergency: meta.emergency?.metrics })],
      );
      if (await activeVersion(q)) return;
      await q.query(`UPDATE model_versions SET active = true, promoted_at = now() WHERE kind = $1 AND version = $2`, [KIND, meta.version]);
      await q.query(`INSERT INTO model_promotions (kind, version, action) VALUES ($1, $2, 'promote')`, [KIND, meta.version]);
    });
  } catch (err) {
    if (!(await activeVersion(db))) throw err;
  }
}
