import { api } from './api.js';
import { keys, useApiQuery } from './queries.js';
import type { Category, OrgUnit } from './types.js';

/** The category and organisation catalogues, loaded once per page (a failed load is asked again by the next view). */
export function useCatalogue() {
  const cats = useApiQuery(keys.categories, () => api.get<Category[]>('/api/categories'), { staleTime: Number.POSITIVE_INFINITY });
  const orgs = useApiQuery(keys.orgUnits, () => api.get<OrgUnit[]>('/api/org-units'), { staleTime: Number.POSITIVE_INFINITY });
  return { categories: cats.data ?? [], units: orgs.data ?? [] };
}

/** Org units as an antd TreeSelect tree. */
export function unitTree(units: OrgUnit[], filter?: (u: OrgUnit) => boolean) {
  type Node = { value: number; title: string; children: Node[] };
  const nodes = new Map<number, Node>();
  for (const u of units) nodes.set(u.id, { value: u.id, title: u.name, children: [] });
  const roots: Node[] = [];
  for (const u of units) {
    const n = nodes.get(u.id)!;
    const parent = u.parentId != null ? nodes.get(u.parentId) : undefined;
    if (parent) parent.children.push(n);
    else roots.push(n);
  }
  if (!filter) return roots;
  const keep = new Set(units.filter(filter).map((u) => u.id));
  const prune = (list: Node[]): Node[] =>
    list.map((n) => ({ ...n, children: prune(n.children) })).filter((n) => keep.has(n.value) || n.children.length > 0);
  return prune(roots);
}
