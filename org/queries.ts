import type { Queryable } from '../db/index.js';
import { OrgErrors } from './errors.js';
import type { Category, OrgUnit } from './schemas.js';

export async function listOrgUnits(q: Queryable, filter: { kind?: string } = {}): Promise<OrgUnit[]> {
  const r = await q.query<OrgUnit>(
    `SELECT id, code, name, kind, parent_id AS "parentId", aliases, active FROM org_units
      WHERE ($1::text IS NULL OR kind = $1) ORDER BY id`,
    [filter.kind ?? null],
  );
  return r.rows;
}

export async function listCategories(q: Queryable, filter: { level?: number } = {}): Promise<Category[]> {
  const r = await q.query<Category>(
    `SELECT id, code, name, parent_id AS "parentId", level, default_department_id AS "defaultDepartmentId",
            deadline_value AS "deadlineValue", deadline_unit AS "deadlineUnit", active, description, keywords
       FROM categories WHERE ($1::int IS NULL OR level = $1) ORDER BY sort, id`,
    [filter.level ?? null],
  );
  return r.rows;
}

export interface CategoryInput {
  code: string;
  name: string;
  parentId: number | null;
  description?: string | null;
  keywords?: string[] | null;
}

const cleanKeywords = (k: string[] | null | undefined) =>
  k == null ? null : [...new Set(k.map((w) => w.trim()).filter((w) => w.length >= 2))].slice(0, 100);

async function categoryById(q: Queryable, id: number): Promise<Category> {
  const r = await q.query<Category>(
    `SELECT id, code, name, parent_id AS "parentId", level, default_department_id AS "defaultDepartmentId",
            deadline_value AS "deadlineValue", deadline_unit AS "deadlineUnit", active, description, keywords
       FROM categories WHERE id = $1`,
    [id],
  );
  if (!r.rows[0]) throw OrgErrors.CATEGORY_NOT_FOUND({ id });
  return r.rows[0];
}

/** A site's new category, under an existing one or at the top; proposed from its next request on. */
export async function addCategory(q: Queryable, input: CategoryInput): Promise<Category> {
  const dup = await q.query('SELECT 1 FROM categories WHERE code = $1', [input.code]);
  if (dup.rowCount) throw OrgErrors.CATEGORY_CODE_TAKEN({ code: input.code });
  let level = 1;
  if (input.parentId != null) {
    const p = await q.query<{ level: number }>('SELECT level FROM categories WHERE id = $1', [input.parentId]);
    if (!p.rows[0]) throw OrgErrors.PARENT_CATEGORY_NOT_FOUND({ id: input.parentId });
    level = p.rows[0].level + 1;
  }
  const r = await q.query<{ id: number }>(
    `INSERT INTO categories (code, name, parent_id, level, source, description, keywords, sort)
     VALUES ($1, $2, $3, $4, 'site', $5, $6, (SELECT COALESCE(max(sort), 0) + 1 FROM categories)) RETURNING id`,
    [input.code, input.name, input.parentId, level, input.description ?? null, cleanKeywords(input.keywords)],
  );
  return categoryById(q, r.rows[0]!.id);
}

/** Edits a category's name, description, keywords or active flag (the code and place in the tree stay). */
export async function updateCategory(
  q: Queryable,
  id: number,
  patch: { name?: string; description?: string | null; keywords?: string[] | null; active?: boolean },
): Promise<Category> {
  const old = await categoryById(q, id);
  await q.query(`UPDATE categories SET name = $2, description = $3, keywords = $4, active = $5 WHERE id = $1`, [
    id,
    patch.name ?? old.name,
    patch.description === undefined ? old.description : patch.description,
    patch.keywords === undefined ? old.keywords : cleanKeywords(patch.keywords),
    patch.active ?? old.active,
  ]);
  return categoryById(q, id);
}

/** Sets a category's routing: its default handling unit and deadline rule (dispatch's routing catalogue). */
export async function setCategoryRouting(
  q: Queryable,
  categoryId: number,
  r: { departmentId: number | null; deadlineValue: number | null; deadlineUnit: 'hours' | 'workdays' | null },
): Promise<void> {
  await q.query('UPDATE categories SET default_department_id = $2, deadline_value = $3, deadline_unit = $4 WHERE id = $1', [
    categoryId,
    r.departmentId,
    r.deadlineValue,
    r.deadlineUnit,
  ]);
}
