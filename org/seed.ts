import { readFileSync } from 'node:fs';
import type { Queryable } from '../db/index.js';
import type { UnitSeed } from './demo-org.js';

export interface CatalogueEntry {
  code: string;
  name: string;
  parent: string | null;
  department?: string;
  deadline?: { value: number; unit: 'hours' | 'workdays' };
  source: string;
}

export interface CategoryWords {
  description: string | null;
  keywords: string[];
  /** The department a case of this category goes to, when not the parent's. */
  department: string | null;
}

let words: Map<string, CategoryWords> | undefined;

/**
 * The shipped catalogue. Each entry's department is the catalogue's own, or the one
 * `category-keywords.json` gives the leaf (written for the default catalogue: a street
 * light goes to 市政, not to the 城管 bureau its 大类 defaults to).
 */
export function defaultCatalogue(): CatalogueEntry[] {
  const raw = JSON.parse(readFileSync(new URL('./default-catalogue.json', import.meta.url), 'utf8')) as CatalogueEntry[];
  const w = shippedCategoryWords();
  return raw.map((c) => {
    const dept = c.department ?? w.get(c.code)?.department ?? undefined;
    return dept ? { ...c, department: dept } : c;
  });
}

/** Descriptions, citizen keywords and departments written for the default catalogue, by code. */
export function shippedCategoryWords(): Map<string, CategoryWords> {
  if (!words) {
    const raw = JSON.parse(readFileSync(new URL('./category-keywords.json', import.meta.url), 'utf8')) as Record<
      string,
      Partial<CategoryWords>
    >;
    words = new Map(
      Object.entries(raw).map(([code, v]) => [
        code,
        { description: v.description ?? null, keywords: v.keywords ?? [], department: v.department ?? null },
      ]),
    );
  }
  return words;
}

/** Inserts units that are missing (by code); existing ones are left as a site edited them. */
export async function seedUnits(q: Queryable, units: UnitSeed[]): Promise<number> {
  let added = 0;
  for (const u of units) {
    const r = await q.query(
      `INSERT INTO org_units (code, name, kind, parent_id, aliases)
       VALUES ($1, $2, $3, (SELECT id FROM org_units WHERE code = $4), $5)
       ON CONFLICT (code) DO NOTHING`,
      [u.code, u.name, u.kind, u.parent, u.aliases ?? []],
    );
    added += r.rowCount;
  }
  return added;
}

/**
 * Inserts catalogue categories that are missing (by code). A default department is
 * linked when a unit with that code exists; entries are in parent-first order.
 */
export async function seedCategories(q: Queryable, entries: CatalogueEntry[] = defaultCatalogue()): Promise<number> {
  let added = 0;
  for (const [i, c] of entries.entries()) {
    const r = await q.query(
      `INSERT INTO categories (code, name, parent_id, level, source, default_department_id, deadline_value, deadline_unit, sort)
       SELECT $1, $2, p.id, COALESCE(p.level + 1, 1), $4, (SELECT id FROM org_units WHERE code = $5), $6, $7, $8
         FROM (SELECT 1) one LEFT JOIN categories p ON p.code = $3
       ON CONFLICT (code) DO NOTHING`,
      [c.code, c.name, c.parent, c.source, c.department ?? null, c.deadline?.value ?? null, c.deadline?.unit ?? null, i],
    );
    added += r.rowCount;
  }
  return added;
}

/** Links categories without a default department to the catalogue's default, once the units exist. */
export async function linkCategoryDepartments(q: Queryable, entries: CatalogueEntry[] = defaultCatalogue()) {
  for (const c of entries) {
    if (!c.department) continue;
    await q.query(
      `UPDATE categories SET default_department_id = (SELECT id FROM org_units WHERE code = $2)
        WHERE code = $1 AND default_department_id IS NULL`,
      [c.code, c.department],
    );
  }
}
