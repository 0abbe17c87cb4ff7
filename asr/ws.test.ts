/**
 * GET /asr/ws on a real server socket (127.0.0.1), spoken to in the vosk-server protocol by a
 * plain WebSocket client and by this module's own remote engine, with real PocketSphinx behind.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../test/helpers/server.js';
import { AsrErrors } from './errors.js';
import { createRemoteEngine } from './remote.js';
import type { AsrResult } from './types.js';
import { decodeWav } from './wav.js';

const TOKEN = 'test-asr-token-123';
let server: TestServer;
let base: string;
const clip = () => decodeWav(readFileSync(`${server.config.sharedDir}/speech/aishell-sample_BAC009S0252W0319.wav`));

before(async () => {
  server = await startTestServer('pglite', {
    env: { ASR_ENGINE: 'pocketsphinx', ASR_LM: 'generic', ASR_POOL_SIZE: '1', ASR_WS_TOKEN: TOKEN },
  });
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  base = `ws://127.0.0.1:${(server.app.server.address() as AddressInfo).port}/asr/ws`;
  // Loads the model in the pool's worker once, so the tests below see results while streaming.
  const warm = connect(`${base}?token=${TOKEN}`);
  await warm.opened;
  warm.ws.send('{"config": {"sample_rate": 16000}}');
  warm.ws.send(Buffer.alloc(3200));
  warm.ws.send('{"eof" : 1}');
  await warm.closed;
});
after(async () => {
  await server?.close();
});

function connect(url: string, headers: Record<string, string> = {}) {
  const ws = new WebSocket(url, { headers });
  const messages: Record<string, unknown>[] = [];
  ws.on('message', (d) => messages.push(JSON.parse(d.toString())));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return { ws, messages, opened, closed };
}

test('/readyz/details names the engine (for supervisors; /readyz says ok only)', async () => {
  const open = (await server.request(null, { method: 'GET', url: '/readyz' })).json().components.asr;
  assert.deepEqual(open, { ok: true });
  const r = await server.request('supervisor', { method: 'GET', url: '/readyz/details' });
  const asr = r.json().components.asr;
  assert.equal(asr.ok, true);
  assert.match(asr.detail, /^pocketsphinx with .*up to 1 streams/);
});

test('vosk-server protocol round trip: config, binary PCM, partials, eof, final result, close', async () => {
  const c = connect(`${base}?token=${TOKEN}`);
  await c.opened;
  c.ws.send(JSON.stringify({ config: { sample_rate: 16000 } }));
  const { pcm } = clip();
  const frame = 3200; // 200 ms
  for (let off = 0; off < pcm.length; off += frame) {
    c.ws.send(Buffer.from(pcm.buffer, pcm.byteOffset + off * 2, Math.min(frame, pcm.length - off) * 2));
    // Paced a little so partials have time to arrive, as from a live call.
    await new Promise((r) => setTimeout(r, 150));
  }
  c.ws.send('{"eof" : 1}');
  const { code } = await c.closed;
  assert.equal(code, 1000);
  const frames = Math.ceil(pcm.length / frame);
  // vosk-server answers every audio frame, then the final result after eof.
  assert.equal(c.messages.length, frames + 1, JSON.stringify(c.messages));
  assert.ok(
    c.messages.slice(0, -1).every((m) => typeof m.partial === 'string' || typeof m.text === 'string'),
    'each frame gets a partial or a result',
  );
  assert.ok(
    c.messages.some((m) => typeof m.partial === 'string' && m.partial.length > 0),
    'some partial text while speech goes on',
  );
  const last = c.messages.at(-1) as { text: string; result: unknown[] };
  const all = [
    ...c.messages
      .slice(0, -1)
      .filter((m) => typeof m.text === 'string')
      .map((m) => m.text),
    last.text,
  ].join('');
  assert.match(all, /^[\u4e00-\u9fff0-9]{5,}$/, JSON.stringify(c.messages.slice(-3)));
  assert.ok(Array.isArray(last.result));
});

test('who may connect: no login is 401, a dispatcher 403, a wrong token 401; an agent may', async () => {
  await assert.rejects(connect(base).opened, /HTTP 401/);
  await assert.rejects(connect(`${base}?token=wrong`).opened, /HTTP 401/);
  await assert.rejects(connect(base, { cookie: await server.login('dispatcher') }).opened, /HTTP 403/);
  const agent = connect(base, { cookie: await server.login('agent') });
  await agent.opened;
  agent.ws.send('{"config": {"sample_rate": 44100}}');
  const closed = await agent.closed;
  assert.equal(closed.code, 1003);
  assert.match(String(agent.messages[0]?.error), /sample_rate 44100 is not supported/);
});

test('the remote engine streams through /asr/ws; a full pool is refused with ASR_BUSY', async () => {
  const remote = createRemoteEngine({ urls: [base], size: 2, headers: { authorization: `Bearer ${TOKEN}` } });
  const results: AsrResult[] = [];
  const s = await remote.openStream({ sampleRate: 16000, onResult: (r) => results.push(r) });
  // The server's pool has one recognizer: a second stream is closed with code 1013 and the reason.
  const second = connect(`${base}?token=${TOKEN}`);
  await second.opened;
  const { pcm } = clip();
  for (let off = 0; off < pcm.length; off += 1600) {
    s.push(pcm.subarray(off, off + 1600));
    await new Promise((r) => setTimeout(r, 80));
  }
  second.ws.send(JSON.stringify({ config: { sample_rate: 8000 } }));
  const refused = await second.closed;
  assert.equal(refused.code, 1013);
  assert.match(String(second.messages[0]?.error), /Speech recognition is busy/);
  await s.close();
  assert.ok(results.some((r) => !r.final));
  assert.match(
    results
      .filter((r) => r.final)
      .map((r) => r.text)
      .join(''),
    /^[\u4e00-\u9fff0-9]{5,}$/,
  );
  // The client's own bound, and an unreachable server, give clear errors.
  const small = createRemoteEngine({ urls: [base], size: 1, headers: { authorization: `Bearer ${TOKEN}` } });
  const held = await small.openStream({ sampleRate: 8000, onResult: () => {} });
  await assert.rejects(small.openStream({ sampleRate: 8000, onResult: () => {} }), AsrErrors.ASR_BUSY.is);
  await held.close();
  const down = createRemoteEngine({ urls: ['ws://127.0.0.1:9/'], size: 1 });
  await assert.rejects(down.openStream({ sampleRate: 8000, onResult: () => {} }), AsrErrors.ASR_REMOTE_UNREACHABLE.is);
  await Promise.all([remote.close(), small.close(), down.close()]);
});
