/**
 * The desk's real-time channel: one WebSocket per browser tab at GET /ws/events that
 * forwards bus events to the people they concern (see audience.ts).
 *
 * Every event gets a sequence number and stays in a bounded ring buffer, so a tab that
 * lost its connection reconnects with `?since=N&boot=B` and receives what it missed.
 * When the gap is no longer in the buffer, or the server restarted (another boot id),
 * the tab is told to `resync`: it reloads its views from the REST API instead.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { WebSocket } from 'ws';
import { currentUser, SESSION_COOKIE, sessionStillValid, type User } from '../../auth/index.js';
import type { BusEvent, ModuleContext } from '../../core/index.js';
import { type ConnectionState, mayReceive } from './audience.js';

export interface EventsChannelOptions {
  ctx: ModuleContext;
  /** How many recent events are kept for catch-up after a reconnect. */
  bufferSize?: number;
  /** Interval of WebSocket pings that detect dead connections (and ended sessions). */
  pingMs?: number;
  /** SESSION_IDLE_MINUTES: a connection whose session has ended (logout, idle, disabled user) is closed. */
  idleMinutes?: number;
}

interface Stored {
  seq: number;
  event: BusEvent;
  json?: string;
}

interface Client {
  socket: WebSocket;
  user: User;
  /** The session cookie it connected with, checked at every ping. */
  token?: string;
  state: ConnectionState;
  alive: boolean;
}

/** Frames the server sends; the desk's client (src/live.ts) reads the same shapes. */
export type ServerFrame =
  | { kind: 'hello'; boot: string; seq: number; user: { id: number; role: string } }
  | { kind: 'event'; seq: number; type: string; payload: unknown; at: string }
  | { kind: 'resync'; reason: string };

// A slow tab whose socket buffers this much is dropped; it reconnects and catches up.
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export const eventsChannel: FastifyPluginAsyncTypebox<EventsChannelOptions> = async (app, opts) => {
  const bufferSize = opts.bufferSize ?? 2000;
  const boot = randomBytes(6).toString('hex');
  const ring: Stored[] = [];
  let seq = 0;
  const clients = new Set<Client>();

  const send = (c: Client, frame: ServerFrame | string) => {
    if (c.socket.readyState !== c.socket.OPEN) return;
    if (c.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      c.socket.close(1013, 'too far behind: reconnect to catch up');
      return;
    }
    c.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  };
  // Serialised once per event, however many tabs receive it.
  const frameOf = (s: Stored): string => {
    s.json ??= JSON.stringify({
      kind: 'event',
      seq: s.seq,
      type: s.event.type,
      payload: s.event.payload,
      at: s.event.at,
    } satisfies ServerFrame);
    return s.json;
  };

  const unsubscribe = opts.ctx.bus.subscribeAll((event) => {
    const stored = { seq: ++seq, event };
    ring.push(stored);
    if (ring.length > bufferSize) ring.shift();
    for (const c of clients) {
      if (mayReceive(c.user, event, c.state)) send(c, frameOf(stored));
    }
  });

  const idleMinutes = opts.idleMinutes ?? 30;
  const pinger = setInterval(() => {
    for (const c of clients) {
      if (!c.alive) {
        c.socket.terminate();
        continue;
      }
      c.alive = false;
      c.socket.ping();
      // Events stop with the session: a tab left open after logout, an idle timeout or a
      // disabled account receives nothing more (4401: log in again).
      if (c.token)
        void sessionStillValid(opts.ctx.db, c.token, idleMinutes).then(
          (ok) => ok || c.socket.close(4401, 'session ended: log in again'),
          () => {},
        );
    }
  }, opts.pingMs ?? 25_000);
  pinger.unref();

  app.addHook('onClose', async () => {
    unsubscribe();
    clearInterval(pinger);
    for (const c of clients) c.socket.close(1001, 'server shutting down');
  });

  app.get(
    '/ws/events',
    {
      websocket: true,
      config: { roles: 'any' },
      schema: {
        tags: ['desk'],
        summary:
          'Real-time events for the desk (WebSocket). Frames: {kind:"hello",boot,seq}, {kind:"event",seq,type,payload,at}, {kind:"resync"}. Reconnect with ?since=<last seq>&boot=<boot> to catch up.',
        querystring: Type.Object({
          since: Type.Optional(Type.Integer({ minimum: 0, description: 'last sequence number received' })),
          boot: Type.Optional(Type.String({ maxLength: 64, description: 'boot id from the hello frame' })),
        }),
      },
    },
    (socket, req) => {
      const client: Client = {
        socket,
        user: currentUser(req),
        token: req.cookies?.[SESSION_COOKIE],
        state: { calls: new Set() },
        alive: true,
      };
      socket.on('pong', () => {
        client.alive = true;
      });
      socket.on('close', () => clients.delete(client));
      socket.on('error', () => clients.delete(client));
      // Nothing the browser sends is needed; ignore it rather than fail.
      socket.on('message', () => {});

      send(client, { kind: 'hello', boot, seq, user: { id: client.user.id, role: client.user.role } });
      const { since, boot: theirBoot } = req.query;
      if (since !== undefined) {
        const oldest = ring[0]?.seq ?? seq + 1;
        if (theirBoot !== boot) send(client, { kind: 'resync', reason: 'the server restarted' });
        else if (since < oldest - 1) send(client, { kind: 'resync', reason: 'missed events are no longer buffered' });
        else for (const s of ring) if (s.seq > since && mayReceive(client.user, s.event, client.state)) send(client, frameOf(s));
      }
      clients.add(client);
    },
  );
};
