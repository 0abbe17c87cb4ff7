/**
 * The routing catalogue (事项清单): a category's default department and deadline, with
 * place-based overrides, and the place a case's address falls in.
 */
import type { Queryable } from '../db/index.js';
import { setCategoryRouting } from '../org/index.js';
import type { DeadlineRule } from './calendar.js';
import { DispatchErrors } from './errors.js';
import type { DispatchSettings } from './settings.js';

export interface Place {
  unitId: number;
  kind: 'street' | 'community' | 'grid';
  name: string;
}

const PLACE_RANK = { grid: 3, community: 2, street: 1 } as const;

/**
 * The most specific street, community or grid named in an address: by full name or alias,
 * or by the name without its 街道/社区 suffix (addresses often say 东湖新村5栋). Ties go to
 * the longer match.
 */
export async function resolvePlace(q: Queryable, address: string | null | undefined): Promise<Place | null> {
  const text = (address ?? '').replace(/\s+/g, '');
  if (!text) return null;
  const r = await q.query<{ id: number; kind: Place['kind']; name: string; aliases: string[] }>(
    `SELECT id, kind, name, aliases FROM org_units WHERE active AND kind IN ('street', 'community', 'grid')`,
  );
  let best: { place: Place; score: number } | null = null;
  for (const u of r.rows) {
    const names = [u.name, ...u.aliases];
    const short = u.name.replace(/(街道办事处|街道|社区|网格)$/, '');
    if (short.length >= 2 && short !== u.name) names.push(short);
    const hit = names.filter((n) => n && text.includes(n)).sort((a, b) => b.length - a.length)[0];
    if (!hit) continue;
    const score = PLACE_RANK[u.kind] * 1000 + hit.length;
    if (!best || score > best.score) best = { place: { unitId: u.id, kind: u.kind, name: u.name }, score };
  }
  return best?.place ?? null;
}

/** A unit and every unit above it, nearest first. */
export async function unitChain(q: Queryable, unitId: number): Promise<number[]> {
  const r = await q.query<{ id: number }>(
    `WITH RECURSIVE up(id, parent_id, depth) AS (
       SELECT id, parent_id, 0 FROM org_units WHERE id = $1
       UNION ALL SELECT o.id, o.parent_id, up.depth + 1 FROM org_units o JOIN up ON o.id = up.parent_id WHERE up.depth < 20)
     SELECT id FROM up ORDER BY depth`,
    [unitId],
  );
  return r.rows.map((x) => x.id);
}

/** Whether `unitId` is `rootId` or lies below it in the organisation tree. */
export async function unitWithin(q: Queryable, unitId: number, rootId: number): Promise<boolean> {
  return (await unitChain(q, unitId)).includes(rootId);
}

export interface Route {
  departmentId: number | null;
  deadline: DeadlineRule;
  /** Where the department came from: a place override, the category (or a parent), or nowhere. */
  source: 'override' | 'category' | 'none';
  overrideId: number | null;
  placeUnitId: number | null;
}

/**
 * The department and deadline for a category at a place. A category without its own
 * department or deadline inherits its parent's; an override for the category (or a parent)
 * at the place (or a unit above it) wins, the most specific category first.
 */
export async function resolveRoute(
  q: Queryable,
  input: { categoryId: number; placeUnitId?: number | null },
  settings: Pick<DispatchSettings, 'defaultDeadlineWorkdays'>,
): Promise<Route> {
  return (await routeWithCategory(q, input, settings)).route;
}

/**
 * resolveRoute, with the category itself (its name and whether it is active) from the same
 * single statement: the category and its parents, the place and the units above it, and the
 * overrides among them, in one round trip.
 */
export async function routeWithCategory(
  q: Queryable,
  input: { categoryId: number; placeUnitId?: number | null },
  settings: Pick<DispatchSettings, 'defaultDeadlineWorkdays'>,
): Promise<{ route: Route; category: { id: number; name: string; active: boolean } }> {
  type Override = { id: number; department_id: number; value: number | null; unit: DeadlineRule['unit'] | null };
  const cats = await q.query<{
    id: number;
    name: string;
    active: boolean;
    department: number | null;
    value: number | null;
    unit: DeadlineRule['unit'] | null;
    overrides: Override[] | null;
  }>(
    `WITH RECURSIVE up(id, parent_id, name, active, department, value, unit, depth) AS (
       SELECT id, parent_id, name, active, default_department_id, deadline_value, deadline_unit, 0 FROM categories WHERE id = $1
       UNION ALL SELECT c.id, c.parent_id, c.name, c.active, c.default_department_id, c.deadline_value, c.deadline_unit, up.depth + 1
         FROM categories c JOIN up ON c.id = up.parent_id WHERE up.depth < 20),
     places(id, parent_id, depth) AS (
       SELECT id, parent_id, 0 FROM org_units WHERE id = $2
       UNION ALL SELECT o.id, o.parent_id, places.depth + 1 FROM org_units o JOIN places ON o.id = places.parent_id WHERE places.depth < 20)
     SELECT up.id, up.name, up.active, up.department, up.value, up.unit,
       (SELECT json_agg(json_build_object('id', r.id, 'department_id', r.department_id, 'value', r.deadline_value, 'unit', r.deadline_unit)
                        ORDER BY places.depth, r.id)
          FROM routing_overrides r JOIN places ON places.id = r.place_unit_id WHERE r.category_id = up.id) AS overrides
     FROM up ORDER BY up.depth`,
    [input.categoryId, input.placeUnitId || null],
  );
  const category = cats.rows[0];
  if (!category) throw DispatchErrors.ROUTING_CATEGORY_NOT_FOUND({ id: input.categoryId });
  const withDeadline = cats.rows.find((c) => c.value != null && c.unit != null);
  let deadline: DeadlineRule = withDeadline
    ? { value: withDeadline.value as number, unit: withDeadline.unit as DeadlineRule['unit'] }
    : { value: settings.defaultDeadlineWorkdays, unit: 'workdays' };
  const placeUnitId = input.placeUnitId ?? null;
  const found = { id: category.id, name: category.name, active: category.active };
  // The most specific category first; for it, the place nearest the case first.
  for (const c of cats.rows) {
    const hit = c.overrides?.[0];
    if (!hit) continue;
    if (hit.value != null && hit.unit != null) deadline = { value: hit.value, unit: hit.unit };
    return { route: { departmentId: hit.department_id, deadline, source: 'override', overrideId: hit.id, placeUnitId }, category: found };
  }
  const withDepartment = cats.rows.find((c) => c.department != null);
  return {
    route: {
      departmentId: withDepartment?.department ?? null,
      deadline,
      source: withDepartment ? 'category' : 'none',
      overrideId: null,
      placeUnitId,
    },
    category: found,
  };
}

/**
 * The department for a proposal: the street/community/grid the address names, then the
 * category's route there (an override, or the category's own unit). The classifier gets
 * this from the composition root, so that its proposals follow the routing catalogue.
 */
export function proposalRoute(settings: Pick<DispatchSettings, 'defaultDeadlineWorkdays'>) {
  return async (q: Queryable, input: { categoryId: number; address?: string | null }) => {
    const place = input.address ? await resolvePlace(q, input.address) : null;
    const route = await resolveRoute(q, { categoryId: input.categoryId, placeUnitId: place?.unitId ?? null }, settings);
    return { departmentId: route.departmentId, source: route.source, place };
  };
}

export interface RoutingOverride {
  id: number;
  categoryId: number;
  placeUnitId: number;
  departmentId: number;
  deadline: DeadlineRule | null;
  note: string | null;
}

const OVERRIDE_COLUMNS = `id, category_id AS "categoryId", place_unit_id AS "placeUnitId", department_id AS "departmentId",
  CASE WHEN deadline_value IS NULL THEN NULL ELSE json_build_object('value', deadline_value, 'unit', deadline_unit) END AS deadline, note`;

export async function listOverrides(q: Queryable): Promise<RoutingOverride[]> {
  return (await q.query<RoutingOverride>(`SELECT ${OVERRIDE_COLUMNS} FROM routing_overrides ORDER BY category_id, id`)).rows;
}

/** Refuses ids that do not name an existing unit a case can be handled by. */
export async function requireHandlingUnit(q: Queryable, unitId: number, what = 'Department'): Promise<{ id: number; name: string }> {
  const r = await q.query<{ id: number; name: string; kind: string; active: boolean }>(
    'SELECT id, name, kind, active FROM org_units WHERE id = $1',
    [unitId],
  );
  const u = r.rows[0];
  if (!u) throw DispatchErrors.ROUTING_UNIT_NOT_FOUND({ what, id: unitId });
  if (!u.active) throw DispatchErrors.ROUTING_UNIT_INACTIVE({ what, name: u.name });
  if (u.kind === 'centre' || u.kind === 'district') throw DispatchErrors.ROUTING_UNIT_NOT_HANDLING({ name: u.name, kind: u.kind });
  return u;
}

export async function requireCategory(q: Queryable, categoryId: number): Promise<{ id: number; name: string }> {
  const r = await q.query<{ id: number; name: string; active: boolean }>('SELECT id, name, active FROM categories WHERE id = $1', [
    categoryId,
  ]);
  const c = r.rows[0];
  if (!c) throw DispatchErrors.ROUTING_CATEGORY_NOT_FOUND({ id: categoryId });
  if (!c.active) throw DispatchErrors.ROUTING_CATEGORY_INACTIVE({ name: c.name });
  return c;
}

export async function addOverride(q: Queryable, input: Omit<RoutingOverride, 'id'>): Promise<RoutingOverride> {
  await requireCategory(q, input.categoryId);
  await requireHandlingUnit(q, input.departmentId);
  const place = await q.query<{ kind: string }>('SELECT kind FROM org_units WHERE id = $1', [input.placeUnitId]);
  const kind = place.rows[0]?.kind;
  if (!kind) throw DispatchErrors.ROUTING_PLACE_NOT_FOUND({ id: input.placeUnitId });
  if (!['street', 'community', 'grid'].includes(kind)) throw DispatchErrors.ROUTING_PLACE_KIND_INVALID({ id: input.placeUnitId, kind });
  const dup = await q.query('SELECT id FROM routing_overrides WHERE category_id = $1 AND place_unit_id = $2', [
    input.categoryId,
    input.placeUnitId,
  ]);
  if (dup.rowCount) throw DispatchErrors.ROUTING_OVERRIDE_DUPLICATE();
  const r = await q.query<{ id: number }>(
    `INSERT INTO routing_overrides (category_id, place_unit_id, department_id, deadline_value, deadline_unit, note)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [
      input.categoryId,
      input.placeUnitId,
      input.departmentId,
      input.deadline?.value ?? null,
      input.deadline?.unit ?? null,
      input.note ?? null,
    ],
  );
  const id = r.rows[0]?.id as number;
  return (await q.query<RoutingOverride>(`SELECT ${OVERRIDE_COLUMNS} FROM routing_overrides WHERE id = $1`, [id]))
    .rows[0] as RoutingOverride;
}

export async function deleteOverride(q: Queryable, id: number): Promise<void> {
  const r = await q.query('DELETE FROM routing_overrides WHERE id = $1', [id]);
  if (!r.rowCount) throw DispatchErrors.ROUTING_OVERRIDE_NOT_FOUND({ id });
}

/** Sets a category's own default department and deadline (null = inherit from the parent). */
export async function setCategoryRoute(
  q: Queryable,
  categoryId: number,
  input: { departmentId: number | null; deadline: DeadlineRule | null },
): Promise<void> {
  await requireCategory(q, categoryId);
  if (input.departmentId != null) await requireHandlingUnit(q, input.departmentId);
  await setCategoryRouting(q, categoryId, {
    departmentId: input.departmentId,
    deadlineValue: input.deadline?.value ?? null,
    deadlineUnit: input.deadline?.unit ?? null,
  });
}
