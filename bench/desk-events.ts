/**
 * The desk's real-time channel under load: C supervisors' tabs connected to /ws/events on
 * a real server; E events published on the bus; how long until every tab has every event.
 * Run: node --import tsx bench/desk-events.ts [clients=200] [events=500]
 */
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { startTestServer } from '../test/helpers/server.js';

const CLIENTS = Number(process.argv[2] ?? 200);
const EVENTS = Number(process.argv[3] ?? 500);

const s = await startTestServer('pglite', { env: { METRICS_REFRESH_MS: '0' } });
await s.app.listen({ port: 0, host: '127.0.0.1' });
const url = `ws://127.0.0.1:${(s.app.server.address() as AddressInfo).port}/ws/events`;
const cookie = await s.login('supervisor');

let received = 0;
const latencies: number[] = [];
const sockets = await Promise.all(
  Array.from({ length: CLIENTS }, async () => {
    const ws = new WebSocket(url, { headers: { cookie } });
    ws.on('message', (d) => {
      const f = JSON.parse(String(d));
      if (f.kind === 'event' && f.type === 'bench.tick') {
        received++;
        latencies.push(performance.now() - (f.payload as { t: number }).t);
      }
    });
    await new Promise((r) => ws.once('open', r));
    return ws;
  }),
);

const rss0 = process.memoryUsage().rss;
const t0 = performance.now();
for (let i = 0; i < EVENTS; i++) {
  s.bus.publish('bench.tick' as never, { t: performance.now(), i, text: '来电人：我家楼下烧烤店夜里太吵了' } as never);
  if (i % 50 === 49) await new Promise((r) => setImmediate(r));
}
const want = CLIENTS * EVENTS;
while (received < want && performance.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 20));
const total = performance.now() - t0;
latencies.sort((a, b) => a - b);
const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(1);
console.log(`${CLIENTS} tabs x ${EVENTS} events = ${want} deliveries, received ${received} in ${total.toFixed(0)} ms`);
console.log(`  ${((received / total) * 1000).toFixed(0)} deliveries/s; latency p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms`);
console.log(`  server+clients RSS growth ${((process.memoryUsage().rss - rss0) / 1048576).toFixed(0)} MiB (one process: clients included)`);
for (const ws of sockets) ws.close();
await s.close();
