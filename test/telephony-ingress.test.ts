/**
 * Call audio from a PBX over WebSocket, with real Mandarin speech and the real PocketSphinx
 * engine: the Twilio Media Streams format (µ-law in JSON) and raw PCM after a JSON start
 * frame (FreeSWITCH mod_audio_fork / jambonz listen). Such calls are queued, answered and
 * transcribed like SIP calls; the agent's audio WebSocket carries PCM both ways.
 * The PBX side is played by the test with the `ws` client (no PBX can run here).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { encodeG711 } from '../telephony/index.js';
import { endedCall, rawPcm, sleep, startTelServer, type TelServer, until } from './sip/harness.js';

const TOKEN = 'ingress-test-token';
let s: TelServer;
let base: string;
before(async () => {
  s = await startTelServer('pglite', { ASR_ENGINE: 'sherpa', ASR_POOL_SIZE: '2', INGRESS_TOKEN: TOKEN, SIP_ENABLED: 'false' });
  await s.app.listen({ port: 0, host: '127.0.0.1' });
  const addr = s.app.server.address() as { port: number };
  base = `ws://127.0.0.1:${addr.port}`;
});
after(async () => {
  await s?.close();
});

const open = (url: string, headers: Record<string, string> = {}) =>
  new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });

test('ingress refuses a missing or wrong token with 401', async () => {
  await assert.rejects(open(`${base}/ws/ingress/twilio`), /HTTP 401/);
  await assert.rejects(open(`${base}/ws/ingress/audio-fork?token=nope`), /HTTP 401/);
});

test('a Twilio Media Streams call is queued, answered with agent audio both ways, and transcribed', async () => {
  let callId = 0;
  const off = s.bus.subscribe('call.offered', (e) => {
    callId = e.callId;
  });
  await s.request('agent', { method: 'POST', url: '/api/agents/me/state', payload: { state: 'available' } });
  const pbx = await open(`${base}/ws/ingress/twilio?token=${TOKEN}`);
  const fromHotline: { event: string; media?: { payload: string } }[] = [];
  pbx.on('message', (d) => fromHotline.push(JSON.parse(String(d))));
  pbx.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
  pbx.send(
    JSON.stringify({
      event: 'start',
      sequenceNumber: '1',
      start: {
        streamSid: 'MZ123',
        callSid: 'CA123',
        tracks: ['inbound'],
        customParameters: { from: '13912345678', to: '12345' },
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      },
      streamSid: 'MZ123',
    }),
  );
  await until(async () => (callId ? true : undefined), 10000, 'the offer');
  off();
  assert.equal((await s.request('agent', { method: 'POST', url: `/api/calls/${callId}/answer` })).statusCode, 200);
  const cookie = await s.login('agent');
  const desk = await open(`${base}/ws/calls/${callId}/audio`, { cookie });
  let heard = 0;
  desk.on('message', (d, isBinary) => {
    if (isBinary) heard += (d as Buffer).length;
  });

  const pcm = await rawPcm('aishell-sample_BAC009S0150W0086.wav', 8000);
  const ulaw = encodeG711('pcmu', pcm);
  for (let off = 0, n = 1; off < ulaw.length; off += 160, n++) {
    pbx.send(
      JSON.stringify({
        event: 'media',
        sequenceNumber: String(n),
        media: { track: 'inbound', payload: ulaw.subarray(off, off + 160).toString('base64') },
        streamSid: 'MZ123',
      }),
    );
    if (n % 25 === 0) await sleep(20);
  }
  pbx.send(JSON.stringify({ event: 'dtmf', streamSid: 'MZ123', dtmf: { track: 'inbound_track', digit: '5' } }));
  // The agent speaks: one 20 ms frame goes back to the PBX as a Twilio media message.
  desk.send(Buffer.alloc(320, 1));
  await until(async () => (fromHotline.some((m) => m.event === 'media') ? true : undefined), 5000, 'agent audio at the PBX');
  const back = fromHotline.find((m) => m.event === 'media');
  assert.equal(Buffer.from(back?.media?.payload ?? '', 'base64').length, 160);
  assert.ok(heard >= pcm.length * 0.9, `the agent heard the caller (${heard} of ${pcm.length} bytes)`);
  await sleep(500);
  pbx.send(JSON.stringify({ event: 'stop', streamSid: 'MZ123', stop: { callSid: 'CA123' } }));

  const call = await endedCall(s, callId, 60000);
  assert.equal(call.channel, 'twilio');
  assert.equal(call.callerNumber, '13912345678');
  assert.equal(call.endReason, 'answered');
  assert.equal(call.details.dtmf, '5');
  assert.ok(call.transcript.length >= 1, 'a transcript was stored');
  // The clip says 一三八五八二三一七四三 digit by digit.
  assert.match(call.transcript.map((t: { text: string }) => t.text).join(''), /13858231743/);
  desk.close();
});

test('raw 16 kHz PCM after a JSON start frame (audio_fork) becomes a call with a transcript', async () => {
  let callId = 0;
  const off = s.bus.subscribe('call.arrived', (e) => {
    callId = e.callId;
  });
  const pbx = await open(`${base}/ws/ingress/audio-fork?token=${TOKEN}`);
  pbx.send(JSON.stringify({ callSid: 'fs-uuid-1', from: '13712345678', to: '12345', sampleRate: 16000 }));
  await until(async () => (callId ? true : undefined), 10000, 'the call');
  off();
  const pcm = await rawPcm('aishell-sample_BAC009S0150W0096.wav', 16000);
  for (let o = 0, n = 1; o < pcm.length; o += 641, n++) {
    pbx.send(pcm.subarray(o, o + 641)); // odd frame sizes: samples split across frames
    if (n % 25 === 0) await sleep(20);
  }
  await sleep(500);
  pbx.close();
  const call = await endedCall(s, callId, 60000);
  assert.equal(call.channel, 'audio_fork');
  assert.equal(call.callerNumber, '13712345678');
  assert.equal(call.endReason, 'abandoned', 'nobody answered it');
  assert.ok(call.transcript.length >= 1, 'a transcript was stored');
  // The clip says the number 一三一二零八二零二九七: at 16 kHz most of its digits come through.
  assert.match(call.transcript.map((t: { text: string }) => t.text).join(''), /\d{8,}/);
});

test('audio_fork refuses audio before the start frame and a bad sample rate', async () => {
  const a = await open(`${base}/ws/ingress/audio-fork?token=${TOKEN}`);
  const closed = new Promise<number>((r) => a.once('close', (code) => r(code)));
  a.send(Buffer.alloc(320));
  assert.equal(await closed, 1003);
  const b = await open(`${base}/ws/ingress/audio-fork?token=${TOKEN}`);
  const reason = new Promise<string>((r) => b.once('close', (_c, why) => r(String(why))));
  b.send(JSON.stringify({ from: '1', sampleRate: 44100 }));
  assert.match(await reason, /44100/);
});
