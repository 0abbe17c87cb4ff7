import { useCallback, useEffect, useRef, useState } from 'react';
import { api, isMissingRoute } from './api.js';
import type { Category, OrgUnit } from './types.js';

export interface Loaded<T> {
  data?: T;
  error?: string;
  /** The route is not on this server (its module is not installed yet). */
  missing: boolean;
  loading: boolean;
  reload: () => void;
}

/** Loads `load()` now and whenever `deps` change; keeps the last data while reloading. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: string; missing: boolean; loading: boolean }>({ missing: false, loading: true });
  const loadRef = useRef(load);
  loadRef.current = load;
  const gen = useRef(0);
  const reload = useCallback(() => {
    const mine = ++gen.current;
    setState((s) => ({ ...s, loading: true }));
    loadRef.current().then(
      (data) => mine === gen.current && setState({ data, missing: false, loading: false }),
      (err) =>
        mine === gen.current && setState((s) => ({ ...s, error: (err as Error).message, missing: isMissingRoute(err), loading: false })),
    );
  }, []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: callers pass the dependencies of their loader
  useEffect(reload, deps);
  return { ...state, reload };
}

const cache = new Map<string, Promise<unknown>>();

/** One GET per page load; a failed one is forgotten so the next view retries. */
function cached<T>(path: string): Promise<T> {
  let p = cache.get(path) as Promise<T> | undefined;
  if (!p) {
    p = api.get<T>(path);
    cache.set(path, p);
    p.catch(() => cache.delete(path));
  }
  return p;
}

/** The category and organisation catalogues, loaded once per page. */
export function useCatalogue() {
  const cats = useLoad(() => cached<Category[]>('/api/categories'), []);
  const orgs = useLoad(() => cached<OrgUnit[]>('/api/org-units'), []);
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
