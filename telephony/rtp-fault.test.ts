/**
 * One RTP session's fault stays in that session: a send that throws inside the shared
 * pacing timer, or a handler that throws on received audio, ends that session (onError) while
 * another session in the same process keeps sending and receiving. Real sockets on 127.0.0.1.
 * The throwing send is made by closing a session's socket under it (dgram then throws
 * ERR_SOCKET_DGRAM_NOT_RUNNING synchronously, as it does for a bad port).
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { test } from 'node:test';
import { buildRtp } from './rtp-packet.js';
import { FRAME_BYTES, RtpSession } from './rtp-session.js';

const range = () => {
  const min = 41000 + Math.floor(Math.random() * 400) * 20;
  return { min, max: min + 18 };
};

async function receiver() {
  const sock = createSocket('udp4');
  const port = await new Promise<number>((r) => sock.bind(0, '127.0.0.1', () => r(sock.address().port)));
  const got = { packets: 0 };
  sock.on('message', () => {
    got.packets++;
  });
  return { sock, port, got };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a session whose RTP send throws ends alone; the other keeps sending', async () => {
  const ra = await receiver();
  const rb = await receiver();
  const a = await RtpSession.open('127.0.0.1', range(), 0);
  const b = await RtpSession.open('127.0.0.1', range(), 0);
  const errors: Error[] = [];
  a.on({ onError: (err) => errors.push(err) });
  b.on({ onError: (err) => errors.push(err) });
  a.setRemote('127.0.0.1', ra.port, 'pcmu', 0);
  b.setRemote('127.0.0.1', rb.port, 'pcmu', 0);
  try {
    // 2 s of audio each, paced by the one shared ticker.
    b.sendPcm(Buffer.alloc(FRAME_BYTES * 100));
    (a as unknown as { socket: Socket }).socket.close();
    a.sendPcm(Buffer.alloc(FRAME_BYTES * 100));
    await sleep(300);
    assert.equal(errors.length, 1, 'only the broken session faults');
    assert.match(errors[0]?.message ?? '', /not running/i);
    assert.equal(a.faulted, true);
    assert.equal(b.faulted, false);
    const before = rb.got.packets;
    assert.ok(before > 5, `the healthy session sent ${before} packets`);
    await sleep(200);
    assert.ok(rb.got.packets > before, 'and goes on sending after the fault');
    assert.equal(ra.got.packets, 0);
    // A faulted session takes no more audio.
    a.sendPcm(Buffer.alloc(FRAME_BYTES));
    assert.equal(a.queuedMs, 0);
  } finally {
    b.close();
    try {
      a.close();
    } catch {
      // its socket was closed by the test
    }
    ra.sock.close();
    rb.sock.close();
  }
});

test('a throwing audio handler faults its own session only; a bad remote port is never sent to', async () => {
  const a = await RtpSession.open('127.0.0.1', range(), 0);
  const b = await RtpSession.open('127.0.0.1', range(), 0);
  const peer = createSocket('udp4');
  await new Promise<void>((r) => peer.bind(0, '127.0.0.1', () => r()));
  const errors: string[] = [];
  let heardB = 0;
  a.on({
    onAudio: () => {
      throw new Error('handler bug');
    },
    onError: (err) => errors.push(`a: ${err.message}`),
  });
  b.on({ onAudio: () => heardB++, onError: (err) => errors.push(`b: ${err.message}`) });
  // Ports dgram refuses (it throws on them synchronously): nothing is sent, nothing throws.
  b.setRemote('127.0.0.1', 70000, 'pcmu', 0);
  b.sendPcm(Buffer.alloc(FRAME_BYTES * 5));
  try {
    await sleep(150);
    assert.equal(b.packetsOut, 0);
    assert.equal(b.faulted, false);
    for (let i = 0; i < 20; i++) {
      const pkt = buildRtp({ payloadType: 0, marker: false, sequence: i, timestamp: i * 160, ssrc: 9, payload: Buffer.alloc(160) });
      peer.send(pkt, a.port, '127.0.0.1');
      peer.send(pkt, b.port, '127.0.0.1');
      await sleep(5);
    }
    await sleep(250);
    assert.deepEqual(errors, ['a: handler bug']);
    assert.ok(heardB >= 15, `b heard ${heardB} frames`);
  } finally {
    a.close();
    b.close();
    peer.close();
  }
});
