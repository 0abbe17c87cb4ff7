/**
 * The desk's real-time channel ends with the session: after a logout (or an idle timeout,
 * or a disabled account) an open tab's WebSocket is closed with 4401 at the next ping and
 * receives nothing more.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import WebSocket from 'ws';
import { MODULES } from '../../app/modules.js';
import { startTestServer } from '../../test/helpers/server.js';
import { eventsChannel } from './events-channel.js';

test('a logout closes the WebSocket opened with that session', async () => {
  const s = await startTestServer('pglite', {
    modules: [
      ...MODULES.filter((m) => ['auth', 'org'].includes(m.name)),
      { name: 'agent-desk', register: async (app, ctx) => void (await app.register(eventsChannel, { ctx, pingMs: 200, idleMinutes: 30 })) },
    ],
  });
  try {
    await s.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (s.app.server.address() as AddressInfo).port;
    const cookie = await s.login('dispatcher');
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/events`, { headers: { cookie } });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    // Still open across several pings while the session holds.
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(ws.readyState, WebSocket.OPEN);
    const out = await s.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie } });
    assert.equal(out.statusCode, 204);
    const code = await Promise.race([closed, new Promise<number>((r) => setTimeout(() => r(-1), 3000))]);
    assert.equal(code, 4401, 'closed at the next ping after the logout');
  } finally {
    await s.close();
  }
});
