/**
 * Keeps the wallboard live: recomputes it shortly after any call, work-order, callback or
 * agent event on the bus, and also when a cheap fingerprint of the tables changes (rows
 * written by another process or the CLI publish nothing on this process's bus).
 * The result is published as `metrics.wallboard`, which the desk channel sends to supervisors.
 */
import type { EventBus } from '../core/index.js';
import type { Queryable } from '../db/index.js';
import type { Wallboard } from './wallboard.js';

declare module '../core/events.js' {
  interface HotlineEvents {
    'metrics.wallboard': Wallboard;
  }
}

const WATCHED = /^(call|calls|workorder|work_order|dispatch|callback|callbacks|agent|agents)[.:]/;

const FINGERPRINT = `SELECT
  (SELECT coalesce(max(id), 0) FROM work_order_events) AS e,
  (SELECT coalesce(max(id), 0) FROM work_orders) AS w,
  (SELECT coalesce(max(updated_at)::text, '') FROM callbacks) AS cb,
  (SELECT count(*) || ':' || coalesce(max(id), 0) FROM calls WHERE state <> 'ended') AS open_calls,
  (SELECT coalesce(max(id), 0) FROM calls) AS c`;

export interface LiveOptions {
  db: Queryable;
  bus: EventBus;
  compute(): Promise<Wallboard>;
  /** Fingerprint poll interval; 0 turns polling off. */
  pollMs: number;
  debounceMs?: number;
  onError(err: unknown): void;
}

export function startLiveWallboard(o: LiveOptions): () => void {
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  let stopped = false;
  let lastPrint = '';

  const publish = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        const w = await o.compute();
        if (!stopped) o.bus.publish('metrics.wallboard', w);
      } while (again && !stopped);
    } catch (err) {
      o.onError(err);
    } finally {
      running = false;
    }
  };

  const soon = () => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => void publish(), o.debounceMs ?? 300);
    timer.unref();
  };

  const unsubscribe = o.bus.subscribeAll((event) => {
    if (WATCHED.test(event.type)) soon();
  });

  let poller: NodeJS.Timeout | undefined;
  if (o.pollMs > 0) {
    poller = setInterval(async () => {
      try {
        const r = await o.db.query(FINGERPRINT);
        const print = JSON.stringify(r.rows[0]);
        if (lastPrint && print !== lastPrint) soon();
        lastPrint = print;
      } catch (err) {
        o.onError(err);
      }
    }, o.pollMs);
    poller.unref();
  }

  return () => {
    stopped = true;
    unsubscribe();
    clearTimeout(timer);
    clearInterval(poller);
  };
}
