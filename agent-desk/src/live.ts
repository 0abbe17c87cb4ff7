/**
 * The desk's side of /ws/events: one connection per tab, reconnecting with back-off and
 * asking for what it missed (`since` + `boot`). When the server cannot replay the gap it
 * says `resync`, and every view reloads its data from the REST API.
 */
import { useEffect, useRef, useSyncExternalStore } from 'react';

export interface LiveEvent {
  seq: number;
  type: string;
  payload: unknown;
  at: string;
}

export type LiveStatus = 'connecting' | 'open' | 'closed';

type Listener = (e: LiveEvent) => void;

class LiveChannel {
  private ws?: WebSocket;
  private seq?: number;
  private boot?: string;
  private attempt = 0;
  private stopped = true;
  private timer?: ReturnType<typeof setTimeout>;
  private listeners = new Set<Listener>();
  private resyncListeners = new Set<() => void>();
  private statusListeners = new Set<() => void>();
  status: LiveStatus = 'closed';

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.ws?.close();
    this.ws = undefined;
    this.seq = undefined;
    this.boot = undefined;
    this.setStatus('closed');
  }

  private setStatus(s: LiveStatus) {
    this.status = s;
    for (const l of this.statusListeners) l();
  }

  private connect() {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const q = this.seq !== undefined && this.boot ? `?since=${this.seq}&boot=${encodeURIComponent(this.boot)}` : '';
    const ws = new WebSocket(`${proto}//${location.host}/ws/events${q}`);
    this.ws = ws;
    this.setStatus('connecting');
    ws.onmessage = (m) => {
      const f = JSON.parse(String(m.data));
      if (f.kind === 'hello') {
        // A first connection, or a server that restarted, starts from its current position.
        const reconnect = this.boot !== undefined;
        if (this.boot !== f.boot || this.seq === undefined) this.seq = f.seq;
        if (reconnect && this.boot !== f.boot) this.emitResync();
        this.boot = f.boot;
        this.attempt = 0;
        this.setStatus('open');
      } else if (f.kind === 'resync') {
        this.emitResync();
      } else if (f.kind === 'event') {
        this.seq = f.seq;
        for (const l of this.listeners) l(f);
      }
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.setStatus('closed');
      if (this.stopped) return;
      const delay = Math.min(10_000, 500 * 2 ** this.attempt++) + Math.random() * 300;
      this.timer = setTimeout(() => this.connect(), delay);
    };
  }

  private emitResync() {
    for (const l of this.resyncListeners) l();
  }

  on(l: Listener): () => void {
    this.listeners.add(l);
    return () => void this.listeners.delete(l);
  }
  onResync(l: () => void): () => void {
    this.resyncListeners.add(l);
    return () => void this.resyncListeners.delete(l);
  }
  onStatus(l: () => void): () => void {
    this.statusListeners.add(l);
    return () => void this.statusListeners.delete(l);
  }
}

export const live = new LiveChannel();

/** Calls `handler` for live events whose type matches `filter` (a prefix or a test). */
export function useLiveEvents(filter: string | ((type: string) => boolean), handler: (e: LiveEvent) => void) {
  const ref = useRef(handler);
  ref.current = handler;
  const test = typeof filter === 'string' ? (t: string) => t.startsWith(filter) : filter;
  const testRef = useRef(test);
  testRef.current = test;
  useEffect(
    () =>
      live.on((e) => {
        if (testRef.current(e.type)) ref.current(e);
      }),
    [],
  );
}

/** Calls `reload` when the channel had to give up catching up (views reload from REST). */
export function useResync(reload: () => void) {
  const ref = useRef(reload);
  ref.current = reload;
  useEffect(() => live.onResync(() => ref.current()), []);
}

export function useLiveStatus(): LiveStatus {
  return useSyncExternalStore(
    (cb) => live.onStatus(cb),
    () => live.status,
  );
}
