import type { Queryable } from '../db/index.js';

export interface OrgUnit {
  id: number;
  code: string;
  name: string;
  kind: string;
  parentId: number | null;
  aliases: string[];
  active: boolean;
}

export interface Category {
  id: number;
  code: string;
  name: string;
  parentId: number | null;
  level: number;
  defaultDepartmentId: number | null;
  deadlineValue: number | null;
  deadlineUnit: 'hours' | 'workdays' | null;
  active: boolean;
}

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
            deadline_value AS "deadlineValue", deadline_unit AS "deadlineUnit", active
       FROM categories WHERE ($1::int IS NULL OR level = $1) ORDER BY sort, id`,
    [filter.level ?? null],
  );
  return r.rows;
}
