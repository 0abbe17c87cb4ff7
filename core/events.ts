/**
 * The in-process event bus. Modules publish what happened (a call was offered, a
 * transcript segment arrived, a work order changed) and others subscribe.
 *
 * Event types are declared by the module that publishes them, by augmenting
 * `HotlineEvents`:
 *
 *   declare module '../core/events.js' {
 *     interface HotlineEvents { 'call.offered': { callId: string } }
 *   }
 *
 * The `EventBus` interface is all a subscriber sees, so a Redis pub/sub bus can
 * replace the local one when several server processes share the desk's events.
 */

// biome-ignore lint/suspicious/noEmptyInterface: augmented by each module
export interface HotlineEvents {}

export type EventType = keyof HotlineEvents & string;

export interface BusEvent<K extends EventType = EventType> {
  type: K;
  payload: HotlineEvents[K];
  at: string;
}

export type Handler<K extends EventType> = (payload: HotlineEvents[K], event: BusEvent<K>) => void | Promise<void>;
export type AnyHandler = (event: BusEvent) => void | Promise<void>;

export interface EventBus {
  publish<K extends EventType>(type: K, payload: HotlineEvents[K]): void;
  subscribe<K extends EventType>(type: K, handler: Handler<K>): () => void;
  /** Every event, e.g. for the desk's real-time channel. */
  subscribeAll(handler: AnyHandler): () => void;
  close(): Promise<void>;
}

type ErrorSink = (err: unknown, event: BusEvent) => void;

/**
 * Delivers events synchronously in publish order, so an emergency alert never waits
 * behind a queue. A failing subscriber is reported to `onError` and does not stop
 * the others or the publisher.
 */
export function createLocalBus(onError: ErrorSink = () => {}): EventBus {
  const byType = new Map<string, Set<AnyHandler>>();
  const all = new Set<AnyHandler>();

  const run = (handler: AnyHandler, event: BusEvent) => {
    try {
      const result = handler(event);
      if (result && typeof (result as Promise<void>).catch === 'function') {
        (result as Promise<void>).catch((err) => onError(err, event));
      }
    } catch (err) {
      onError(err, event);
    }
  };

  return {
    publish(type, payload) {
      const event = { type, payload, at: new Date().toISOString() } as BusEvent;
      for (const h of byType.get(type) ?? []) run(h, event);
      for (const h of all) run(h, event);
    },
    subscribe(type, handler) {
      const wrapped: AnyHandler = (event) => handler(event.payload as never, event as never);
      let set = byType.get(type);
      if (!set) {
        set = new Set();
        byType.set(type, set);
      }
      set.add(wrapped);
      return () => set.delete(wrapped);
    },
    subscribeAll(handler) {
      all.add(handler);
      return () => all.delete(handler);
    },
    async close() {
      byType.clear();
      all.clear();
    },
  };
}
