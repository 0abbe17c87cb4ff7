/**
 * The desk's server data, through TanStack Query: one cache per page, keyed per resource
 * (the first element of a key names it), refreshed by the real-time events and by a resync
 * where the views reloaded by hand before. Requests still go through api.ts, so errors read
 * the same.
 */
import { keepPreviousData, QueryClient, type QueryKey, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { isMissingRoute } from './api.js';
import { live } from './live.js';

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A refusal is the server's answer (shown as it is), not a hiccup to hide by asking again;
      // the live channel's resync, not focus or the network, says when data may be stale.
      retry: false,
      refetchOnWindowFocus: false,
      refetchOnReconnect: false,
    },
  },
});

/** Keys of the resources the desk reads. */
export const keys = {
  me: ['me'] as const,
  users: ['users'] as const,
  categories: ['categories'] as const,
  orgUnits: ['org-units'] as const,
  routingOverrides: ['routing-overrides'] as const,
  calendar: (year: number) => ['calendar', year] as const,
  emergencyRules: ['emergency-rules'] as const,
  classifierModels: ['classifier-models'] as const,
  classify: (text: string, address: string) => ['classify', text, address] as const,
  agentState: ['agent-state'] as const,
  call: (id: number | null) => ['calls', id] as const,
  /** Lists of cases (what a user sees changes with every case event). */
  workOrders: ['work-orders', 'list'] as const,
  workOrderList: (query: unknown) => ['work-orders', 'list', query] as const,
  /** One case, its history and related cases: refreshed by the drawer's own actions only. */
  workOrder: (id: number | null) => ['work-orders', 'one', id] as const,
  workOrderHistory: (id: number | null) => ['work-orders', 'one', id, 'history'] as const,
  workOrderRelated: (id: number | null) => ['work-orders', 'one', id, 'related'] as const,
  callerCases: (phoneDigits: string) => ['work-orders', 'by-caller', phoneDigits] as const,
  callbacks: ['callbacks'] as const,
  callbackList: (query: unknown) => ['callbacks', query] as const,
  knowledge: (q: string) => ['knowledge', q] as const,
  wallboard: ['metrics', 'wallboard'] as const,
  emergencyAlerts: ['emergency-alerts'] as const,
};

/** Which live events make which resources stale: the server decides what each user sees now. */
const INVALIDATED_BY: [prefix: string, key: QueryKey][] = [
  ['workorder.', keys.workOrders],
  ['callback.', keys.callbacks],
  ['agent.state', keys.agentState],
];

/** What a resync (the channel could not replay what it missed) reloads: the live views' data. */
const RESYNCED: QueryKey[] = [keys.workOrders, keys.callbacks, keys.agentState, ['calls'], keys.wallboard, keys.emergencyAlerts];

/** Wires the live channel to the cache; mounted once, under the QueryClientProvider. */
export function useLiveInvalidation() {
  const client = useQueryClient();
  useEffect(() => {
    const offEvents = live.on((e) => {
      for (const [prefix, queryKey] of INVALIDATED_BY) if (e.type.startsWith(prefix)) void client.invalidateQueries({ queryKey });
    });
    const offResync = live.onResync(() => {
      for (const queryKey of RESYNCED) void client.invalidateQueries({ queryKey });
    });
    return () => {
      offEvents();
      offResync();
    };
  }, [client]);
}

export interface Loaded<T> {
  data?: T;
  error?: string;
  /** The route is not on this server (its module is not installed yet). */
  missing: boolean;
  loading: boolean;
  reload: () => void;
}

export interface ApiQueryOptions {
  enabled?: boolean;
  /** How long an answer counts as fresh (default 0: a view opened again asks again, showing the cached one meanwhile). */
  staleTime?: number;
  refetchInterval?: number;
  /** Keep the last key's data while the new key loads (default true, as a list being filtered or paged should). */
  keepPrevious?: boolean;
  /**
   * Hand out a new object on every answer even when it is equal to the last: for data whose
   * every arrival must reach effects that follow it (the agent's state, a call's details).
   */
  everyAnswer?: boolean;
  /**
   * Drop the answer once no view shows it, so a view opened again waits for the server instead
   * of acting on the last one (a stale offer would ring).
   */
  forgetUnused?: boolean;
}

/**
 * `fetch` under `key`, as the views read it. The answer travels boxed, so a loader may
 * answer `undefined` (nothing to ask yet) as the views' loaders always could.
 */
export function useApiQuery<T>(key: QueryKey, fetch: () => Promise<T>, opts: ApiQueryOptions = {}): Loaded<T> {
  const q = useQuery({
    queryKey: key,
    queryFn: async () => ({ value: await fetch() }),
    enabled: opts.enabled,
    staleTime: opts.staleTime,
    refetchInterval: opts.refetchInterval,
    placeholderData: opts.keepPrevious === false ? undefined : keepPreviousData,
    structuralSharing: opts.everyAnswer ? false : undefined,
    gcTime: opts.forgetUnused ? 0 : undefined,
  });
  return {
    data: q.data?.value,
    error: q.error ? q.error.message : undefined,
    missing: isMissingRoute(q.error),
    loading: q.isFetching,
    // refetch is the observer's own, stable across renders (views pass it to effects and callbacks).
    reload: q.refetch,
  };
}

/** Puts what the server pushed (a live event) where `useApiQuery(key)` reads it. */
export function setApiData<T>(client: QueryClient, key: QueryKey, update: (old: T | undefined) => T) {
  client.setQueryData<{ value: T }>(key, (old) => ({ value: update(old?.value) }));
}
