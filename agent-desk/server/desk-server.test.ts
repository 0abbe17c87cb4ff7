import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../../test/helpers/server.js';
import type { ServerFrame } from './events-channel.js';

/** A WebSocket client that queues frames, so a test can wait for the next one. */
async function connect(url: string, cookie?: string) {
  const ws = new WebSocket(url, { headers: cookie ? { cookie } : {} });
  const frames: ServerFrame[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (data) => {
    frames.push(JSON.parse(String(data)));
    for (const w of waiters.splice(0)) w();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  const next = async (timeoutMs = 3000): Promise<ServerFrame> => {
    const deadline = Date.now() + timeoutMs;
    while (!frames.length) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no frame in time');
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
    return frames.shift()!;
  };
  /** Frames that arrive within `ms` (to show that nothing else came). */
  const drain = async (ms = 200) => {
    await new Promise((r) => setTimeout(r, ms));
    return frames.splice(0);
  };
  return { ws, next, drain };
}

describe('desk real-time channel and static app', () => {
  let s: TestServer;
  let base: string;
  let dist: string;
  before(async () => {
    dist = mkdtempSync(join(tmpdir(), 'desk-dist-'));
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>坐席</title><div id="root"></div>');
    writeFileSync(join(dist, 'assets', 'main-abc123.js'), 'console.log(1)');
    s = await startTestServer('pglite', { env: { DESK_DIST_DIR: dist, METRICS_REFRESH_MS: '0' } });
    await s.app.listen({ port: 0, host: '127.0.0.1' });
    base = `127.0.0.1:${(s.app.server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await s.close();
    rmSync(dist, { recursive: true, force: true });
  });

  test('the desk is served at / with a fallback for its own routes only', async () => {
    const root = await s.request(null, { method: 'GET', url: '/' });
    assert.equal(root.statusCode, 200);
    assert.match(root.body, /坐席/);
    const deep = await s.request(null, { method: 'GET', url: '/supervisor?tab=report' });
    assert.equal(deep.statusCode, 200);
    assert.match(deep.body, /<div id="root">/);
    const asset = await s.request(null, { method: 'GET', url: '/assets/main-abc123.js' });
    assert.equal(asset.statusCode, 200);
    assert.match(asset.headers['cache-control'] as string, /immutable/);
    for (const url of ['/api/no-such-thing', '/docs/no-such-page', '/ws/nothing', '/open311/v2/x', '/assets/missing.js', '/healthz/x']) {
      const r = await s.request(null, { method: 'GET', url });
      assert.equal(r.statusCode, 404, url);
      // Open311 answers in its own error format; the others in the API's.
      if (!url.startsWith('/open311')) assert.equal(r.json().code, 'ROUTE_NOT_FOUND', url);
      assert.doesNotMatch(r.body, /<div id="root">/, url);
    }
    // Real routes still answer as before.
    assert.equal((await s.request(null, { method: 'GET', url: '/healthz' })).json().status, 'ok');
    assert.equal((await s.request(null, { method: 'GET', url: '/api/me' })).statusCode, 401);
    for (const url of ['/../package.json', '/%2e%2e/package.json', '/assets/%2e%2e/%2e%2e/package.json']) {
      assert.doesNotMatch((await s.request(null, { method: 'GET', url })).body, /hotline-12345/, url);
    }
  });

  test('an anonymous WebSocket is refused', async () => {
    await assert.rejects(connect(`ws://${base}/ws/events`), /HTTP 401/);
  });

  test('each role receives the events that concern it', async () => {
    const agentCookie = await s.login('agent');
    const agentId = (await s.request('agent', { method: 'GET', url: '/api/me' })).json().id as number;
    const agent = await connect(`ws://${base}/ws/events`, agentCookie);
    const sup = await connect(`ws://${base}/ws/events`, await s.login('supervisor'));
    const disp = await connect(`ws://${base}/ws/events`, await s.login('dispatcher'));
    for (const c of [agent, sup, disp]) assert.equal((await c.next()).kind, 'hello');

    const publish = (type: string, payload: unknown) => s.bus.publish(type as never, payload as never);
    publish('call.offered', { callId: 41, agentId: agentId + 1000 });
    publish('call.offered', { callId: 42, agentId });
    publish('transcript.segment', { callId: 42, leg: 'caller', text: '我家楼下很吵', final: false });
    publish('transcript.segment', { callId: 41, leg: 'caller', text: '别人的通话', final: true });
    publish('workorder.changed', { id: 1, number: 'A', action: 'create', fromState: null, toState: 'intake', departmentId: null });

    const agentGot = (await agent.drain()).map((f) =>
      f.kind === 'event' ? `${f.type}:${(f.payload as { callId?: number }).callId}` : f.kind,
    );
    assert.deepEqual(agentGot, ['call.offered:42', 'transcript.segment:42']);
    const dispGot = (await disp.drain()).map((f) => (f.kind === 'event' ? f.type : f.kind));
    assert.deepEqual(dispGot, ['workorder.changed']);
    // Supervisors see the whole floor (plus the wallboard the work-order event refreshes).
    const supGot = (await sup.drain()).filter((f) => f.kind === 'event' && !f.type.startsWith('metrics.'));
    assert.equal(supGot.length, 5);
    for (const c of [agent, sup, disp]) c.ws.close();
  });

  test('a reconnecting tab catches up on what it missed, or is told to resync', async () => {
    const cookie = await s.login('supervisor');
    const first = await connect(`ws://${base}/ws/events`, cookie);
    const hello = await first.next();
    assert.equal(hello.kind, 'hello');
    if (hello.kind !== 'hello') return;
    first.ws.close();
    s.bus.publish('workorder.changed' as never, { id: 7, number: 'MISSED' } as never);
    const again = await connect(`ws://${base}/ws/events?since=${hello.seq}&boot=${hello.boot}`, cookie);
    assert.equal((await again.next()).kind, 'hello');
    const missed = await again.next();
    assert.equal(missed.kind === 'event' && (missed.payload as { number: string }).number, 'MISSED');
    again.ws.close();

    const stale = await connect(`ws://${base}/ws/events?since=3&boot=another-boot`, cookie);
    assert.equal((await stale.next()).kind, 'hello');
    const resync = await stale.next();
    assert.equal(resync.kind, 'resync');
    stale.ws.close();
  });
});
