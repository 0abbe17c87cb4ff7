/**
 * Dispatchers' confirmations and corrections (`classifier_feedback`): written by
 * dispatch inside its own transaction through `recordFeedback`, read back by retrain.
 */
import type { Queryable } from '../db/index.js';
import type { LabelledText } from './data.js';
import { ClassifierErrors } from './errors.js';

export interface Feedback {
  workOrderId?: number | null;
  text: string;
  proposedCategoryId?: number | null;
  finalCategoryId: number;
  proposedDepartmentId?: number | null;
  finalDepartmentId?: number | null;
  /** The model version that made the proposal (from the classify result's `model`). */
  modelVersion?: string | null;
  userId?: number | null;
}

export async function recordFeedback(q: Queryable, f: Feedback): Promise<{ id: number }> {
  if (typeof f.text !== 'string' || !f.text.trim()) throw ClassifierErrors.CLASSIFIER_FEEDBACK_TEXT_EMPTY();
  if (!Number.isInteger(f.finalCategoryId)) throw ClassifierErrors.CLASSIFIER_FEEDBACK_CATEGORY_MISSING();
  const r = await q.query<{ id: number }>(
    `INSERT INTO classifier_feedback (work_order_id, text, proposed_category_id, final_category_id,
            proposed_department_id, final_department_id, model_version, user_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [
      f.workOrderId ?? null,
      f.text,
      f.proposedCategoryId ?? null,
      f.finalCategoryId,
      f.proposedDepartmentId ?? null,
      f.finalDepartmentId ?? null,
      f.modelVersion ?? null,
      f.userId ?? null,
    ],
  );
  return r.rows[0]!;
}

/**
 * Corrections as training rows. A final category below one of the model's classes
 * (e.g. M0101 under M01) counts for that class; one outside them becomes its own class.
 * Only the latest feedback per work order counts, so re-confirmations do not stack up.
 */
export async function loadCorrections(q: Queryable, labels: string[]): Promise<LabelledText[]> {
  const cats = await q.query<{ id: number; code: string; parent: number | null }>('SELECT id, code, parent_id AS parent FROM categories');
  const byId = new Map(cats.rows.map((c) => [c.id, c]));
  const classOf = (id: number): string | undefined => {
    let c = byId.get(id);
    const own = c?.code;
    for (let guard = 0; c && guard < 10; guard++) {
      if (labels.includes(c.code)) return c.code;
      c = c.parent === null ? undefined : byId.get(c.parent);
    }
    return own;
  };
  const r = await q.query<{ id: number; text: string; category: number }>(
    `SELECT DISTINCT ON (COALESCE(work_order_id, -id)) id, text, final_category_id AS category
       FROM classifier_feedback ORDER BY COALESCE(work_order_id, -id), id DESC`,
  );
  const out: LabelledText[] = [];
  for (const row of r.rows) {
    const category = classOf(row.category);
    if (!category || !row.text.trim()) continue;
    out.push({ id: `feedback-${row.id}`, text: row.text, category, presegmented: false, group: `feedback-${row.id}` });
  }
  return out;
}
