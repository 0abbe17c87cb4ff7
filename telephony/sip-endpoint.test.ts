/**
 * The SIP endpoint alone (no database, no call centre) against raw peers on 127.0.0.1: TCP
 * connection limits and timeouts, the protocol answers of #14 (505, 513, 400 for a CSeq
 * mismatch, 481 for PRACK, 482 for a reused live Call-ID), m=audio 0 in a re-INVITE and in
 * the answer to our INVITE, and a call whose RTP breaks ending alone. No mocks: the one
 * fault injected is closing a call's RTP socket under it, which makes dgram.send throw.
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, before, test } from 'node:test';
import type { FastifyBaseLogger } from 'fastify';
import { answer, inDialog, invite, overTcp, rawCall, rawPeer, rtpRange, sdp, sleep, tcpPeer, until } from '../test/sip/harness.js';
import type { SipCall } from './sip-call.js';
import { SipEndpoint, type SipEndpointOptions } from './sip-endpoint.js';

/** A logger that keeps its lines, so a test can see what was said about a call. */
function memoryLog() {
  const lines: { level: string; msg: string }[] = [];
  const log: Record<string, unknown> = { level: 'debug' };
  for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace']) {
    log[level] = (obj: unknown, msg?: string) => lines.push({ level, msg: typeof obj === 'string' ? obj : (msg ?? '') });
  }
  log.silent = () => {};
  log.child = () => log;
  return { log: log as unknown as FastifyBaseLogger, lines };
}

async function endpoint(o: Partial<SipEndpointOptions> = {}) {
  const { log, lines } = memoryLog();
  const calls: SipCall[] = [];
  const ep = await SipEndpoint.start({
    host: '127.0.0.1',
    port: 0,
    advertiseHost: '127.0.0.1',
    transports: ['UDP', 'TCP'],
    acl: ['127.0.0.1'],
    maxCalls: 20,
    maxMessageBytes: 4096,
    rtpRange: rtpRange(),
    rtpTimeoutMs: 0,
    log,
    onCall: (call) => {
      calls.push(call);
      call.start();
    },
    ...o,
  });
  return { ep, calls, lines, udp: ep.portOf('UDP') as number, tcp: ep.portOf('TCP') as number };
}

const options = (from: number, to: number, id: string, extra = '') =>
  `OPTIONS sip:12345@127.0.0.1:${to} SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:${from};branch=z9hG4bK-${id}\nFrom: <sip:probe@127.0.0.1>;tag=${id}\nTo: <sip:12345@127.0.0.1>\nCall-ID: ${id}\nCSeq: 1 OPTIONS\nMax-Forwards: 70\n${extra}Content-Length: 0\n\n`;

let e: Awaited<ReturnType<typeof endpoint>>;
let peer: Awaited<ReturnType<typeof rawPeer>>;
before(async () => {
  e = await endpoint({ tcp: { maxPerSource: 3, maxConnections: 5, idleTimeoutMs: 600, messageTimeoutMs: 400 } });
  peer = await rawPeer();
});
after(async () => {
  peer?.close();
  await e?.ep.stop();
});

test('505 for another SIP version, 400 for a CSeq of another method, 481 for PRACK, over UDP', async () => {
  peer.send(
    options(peer.port, e.udp, 'v7')
      .replace('OPTIONS sip:12345@127.0.0.1:', 'OPTIONS sip:12345@127.0.0.1:')
      .replace(' SIP/2.0\n', ' SIP/7.0\n'),
    e.udp,
  );
  const v7 = await peer.next(/Call-ID: v7/);
  assert.match(v7 ?? '', /^SIP\/2.0 505 /);
  assert.match(v7 ?? '', /^To: .*;tag=/m);
  peer.send(options(peer.port, e.udp, 'cseq1').replace('CSeq: 1 OPTIONS', 'CSeq: 1 INVITE'), e.udp);
  assert.match((await peer.next(/Call-ID: cseq1/)) ?? '', /^SIP\/2.0 400 CSeq method/);
  peer.send(
    options(peer.port, e.udp, 'prack1')
      .replace(/OPTIONS/g, 'PRACK')
      .replace('Max-Forwards', 'RAck: 1 1 INVITE\nMax-Forwards'),
    e.udp,
  );
  assert.match((await peer.next(/Call-ID: prack1/)) ?? '', /^SIP\/2.0 481 /);
  peer.send(options(peer.port, e.udp, 'after1'), e.udp);
  assert.match((await peer.next(/Call-ID: after1/)) ?? '', /^SIP\/2.0 200/);
});

test('an oversized message gets 513: over UDP, and over TCP before the connection closes', async () => {
  const pad = `X-Pad: ${'p'.repeat(6000)}\n`;
  peer.send(options(peer.port, e.udp, 'big1', pad), e.udp);
  assert.match((await peer.next(/Call-ID: big1/)) ?? '', /^SIP\/2.0 513 /);
  const c = await tcpPeer(e.tcp);
  c.send(overTcp(options(5999, e.tcp, 'big2', pad)));
  assert.match((await c.next(/Call-ID: big2/)) ?? '', /^SIP\/2.0 513 /);
  assert.equal(await c.whenClosed(), true);
  // A body over the limit (announced by Content-Length) is refused the same way.
  const d = await tcpPeer(e.tcp);
  d.send(overTcp(options(5999, e.tcp, 'big3')).replace('Content-Length: 0', 'Content-Length: 9000'));
  assert.match((await d.next(/Call-ID: big3/)) ?? '', /^SIP\/2.0 513 /);
  assert.equal(await d.whenClosed(), true);
});

test('a new INVITE reusing a live call’s Call-ID gets 482; the live call is untouched', async () => {
  const first = await rawCall(peer, e.udp, 'dup-1');
  const live = e.calls.find((c) => c.sipCallId === 'dup-1');
  assert.ok(live);
  // Another From tag and branch, no To tag: not a re-INVITE of the dialog.
  peer.send(invite({ from: peer.port, to: e.udp, callId: 'dup-1', caller: '13911112222' }), e.udp);
  assert.match((await peer.next(/^SIP\/2.0 [3-6]\d\d[\s\S]*Call-ID: dup-1/m)) ?? '', /^SIP\/2.0 482 /);
  assert.equal(e.ep.calls.get('dup-1'), live, 'the live call keeps its place');
  assert.match((await first.hangup()) ?? '', /^SIP\/2.0 200/);
});

test('a re-INVITE with m=audio 0 gets 488 and the call goes on', async () => {
  const call = await rawCall(peer, e.udp, 'reinv-0');
  const reinvite = inDialog('BYE', call.invite, call.ok, peer.port, e.udp, 2)
    .replace(/^BYE /, 'INVITE ')
    .replace('CSeq: 2 BYE', 'CSeq: 2 INVITE')
    .replace(
      'Content-Length: 0\r\n\r\n',
      `Contact: <sip:caller@127.0.0.1:${peer.port}>\r\nContent-Type: application/sdp\r\nContent-Length: ${sdp(0).length}\r\n\r\n${sdp(0)}`,
    );
  peer.send(reinvite, e.udp);
  const r = await peer.next(/^SIP\/2.0 [2-6]\d\d[\s\S]*CSeq: 2 INVITE/m);
  assert.match(r ?? '', /^SIP\/2.0 488 /);
  assert.match(r ?? '', /^Warning: 305 .*m=audio 0/m);
  assert.ok(e.ep.calls.has('reinv-0'), 'still live');
  peer.send(inDialog('ACK', call.invite, r ?? '', peer.port, e.udp, 2), e.udp);
  peer.send(inDialog('BYE', call.invite, call.ok, peer.port, e.udp, 3), e.udp);
  assert.match((await peer.next(/^SIP\/2.0 \d+[\s\S]*CSeq: 3 BYE/m)) ?? '', /^SIP\/2.0 200/);
});

test('a callee answering our INVITE with m=audio 0: that leg ends (BYE, logged), another call goes on', async () => {
  const other = await rawCall(peer, e.udp, 'bystander');
  const callee = await rawPeer();
  try {
    const placing = e.ep.call(`sip:110@127.0.0.1:${callee.port}`, { timeoutMs: 5000 });
    const inv = await callee.next(/^INVITE /);
    assert.ok(inv, 'our INVITE reached the callee');
    callee.send(answer(inv, '200 OK', { body: sdp(0), contactPort: callee.port }), e.udp);
    await assert.rejects(placing, /m=audio 0/);
    assert.ok(await callee.next(/^ACK /), 'the 200 is acknowledged');
    const bye = await callee.next(/^BYE /);
    assert.ok(bye, 'and the leg hung up');
    callee.send(answer(bye, '200 OK'), e.udp);
    assert.ok(e.lines.some((l) => l.level === 'warn' && /without usable audio/.test(l.msg)));
    assert.ok(e.ep.calls.has('bystander'));
    assert.match((await other.hangup()) ?? '', /^SIP\/2.0 200/);
  } finally {
    callee.close();
  }
});

test('a call whose RTP send throws ends alone (BYE, failed); a second call goes on sending', async () => {
  const rtpA = createSocket('udp4');
  const rtpB = createSocket('udp4');
  const portA = await new Promise<number>((r) => rtpA.bind(0, '127.0.0.1', () => r(rtpA.address().port)));
  const portB = await new Promise<number>((r) => rtpB.bind(0, '127.0.0.1', () => r(rtpB.address().port)));
  let heardB = 0;
  rtpB.on('message', () => heardB++);
  try {
    await rawCall(peer, e.udp, 'iso-a', [], portA);
    const b = await rawCall(peer, e.udp, 'iso-b', [], portB);
    const callA = e.calls.find((c) => c.sipCallId === 'iso-a') as SipCall;
    const callB = e.calls.find((c) => c.sipCallId === 'iso-b') as SipCall;
    const ended: string[] = [];
    callA.events = { onEnded: (r) => ended.push(`a:${r}`) };
    callB.events = { onEnded: (r) => ended.push(`b:${r}`) };
    callB.sendPcm(Buffer.alloc(320 * 100));
    (callA.rtp as unknown as { socket: Socket }).socket.close();
    callA.sendPcm(Buffer.alloc(320 * 100));
    const bye = await peer.next(/^BYE [\s\S]*Call-ID: iso-a/m);
    assert.ok(bye, 'the broken call is hung up');
    peer.send(answer(bye, '200 OK'), e.udp);
    assert.deepEqual(ended, ['a:failed']);
    assert.ok(e.lines.some((l) => l.level === 'error' && /RTP handling failed/.test(l.msg)));
    const before = heardB;
    await sleep(200);
    assert.ok(heardB > before && before > 0, `the other call goes on sending (${before} → ${heardB} packets)`);
    assert.ok(e.ep.calls.has('iso-b') && !e.ep.calls.has('iso-a'));
    assert.equal(await peer.next(/^BYE [\s\S]*Call-ID: iso-b/m, 200), undefined);
    await b.hangup();
  } finally {
    rtpA.close();
    rtpB.close();
  }
});

test('TCP: connections beyond the per-source cap are closed at accept; a freed slot is usable again', async () => {
  const held = [await tcpPeer(e.tcp), await tcpPeer(e.tcp), await tcpPeer(e.tcp)];
  const extra = await tcpPeer(e.tcp);
  assert.equal(await extra.whenClosed(300), true, 'the 4th connection from one address is refused');
  assert.equal(extra.received, '');
  for (const h of held) assert.equal(h.closed, false);
  held[0]?.close();
  await sleep(50);
  const again = await tcpPeer(e.tcp);
  again.send(overTcp(options(5999, e.tcp, 'tcp-again')));
  assert.match((await again.next(/Call-ID: tcp-again/)) ?? '', /^SIP\/2.0 200/);
  for (const h of [...held, again]) h.close();
  assert.ok(e.ep.transportStats.tcpRefused >= 1);
});

test('TCP: an idle connection is closed, keep-alive CRLFs keep one open, a half-sent message is cut off', async () => {
  await sleep(100); // the previous test's connections are gone (the cap is 3 per source)
  const idle = await tcpPeer(e.tcp);
  const kept = await tcpPeer(e.tcp);
  const slow = await tcpPeer(e.tcp);
  const started = Date.now();
  // Byte by byte, never finishing the header block: the message timeout (400 ms) counts from its first byte.
  const message = overTcp(options(5999, e.tcp, 'slow'));
  let i = 0;
  const drip = setInterval(() => {
    if (i < message.length - 4) slow.send(message[i++] as string);
    kept.send('\r\n\r\n');
  }, 100);
  try {
    assert.equal(await slow.whenClosed(2000), true, 'the half-sent message is cut off');
    assert.ok((slow.closedAfterMs ?? 0) >= 350 && (slow.closedAfterMs ?? 0) < 1000, `cut after ${slow.closedAfterMs} ms`);
    assert.equal(await idle.whenClosed(2000), true, 'the idle connection is closed');
    assert.ok((idle.closedAfterMs ?? 0) >= 550, `closed after ${idle.closedAfterMs} ms`);
    await sleep(Math.max(0, started + 1200 - Date.now()));
    assert.equal(kept.closed, false, 'keep-alives count as activity');
  } finally {
    clearInterval(drip);
    for (const c of [idle, kept, slow]) c.close();
  }
});

test('TCP: the global cap holds for every source together', async () => {
  await sleep(100);
  // Three from 127.0.0.1 and two from 127.0.0.2 fill the cap of 5; the sixth is refused.
  const { connect } = await import('node:net');
  const from2 = () =>
    new Promise<import('node:net').Socket>((r) => {
      const s = connect({ port: e.tcp, host: '127.0.0.1', localAddress: '127.0.0.2' });
      s.on('error', () => {});
      s.once('connect', () => r(s));
    });
  const a = [await tcpPeer(e.tcp), await tcpPeer(e.tcp), await tcpPeer(e.tcp)];
  const b = [await from2(), await from2()];
  await sleep(50);
  const sixth = await from2();
  const closed = await new Promise<boolean>((r) => {
    sixth.once('close', () => r(true));
    setTimeout(() => r(false), 500);
  });
  assert.equal(closed, true);
  for (const c of a) c.close();
  for (const s of [...b, sixth]) s.destroy();
});

test('TCP from outside SIP_TRUNK_ACL: refused at accept without digest; with digest, connected and challenged', async () => {
  const closedShop = await endpoint({ acl: ['10.9.9.9'] });
  const withDigest = await endpoint({ acl: ['10.9.9.9'], auth: { user: 'trunk', password: 'secret', realm: '12345' } });
  try {
    const c = await tcpPeer(closedShop.tcp);
    assert.equal(await c.whenClosed(500), true);
    assert.equal(closedShop.ep.transportStats.tcpRefused, 1);
    const d = await tcpPeer(withDigest.tcp);
    d.send(overTcp(invite({ from: 5999, to: withDigest.tcp, callId: 'acl-digest' })));
    assert.match((await d.next(/Call-ID: acl-digest/)) ?? '', /^SIP\/2.0 401 [\s\S]*WWW-Authenticate: Digest/m);
    assert.equal(d.closed, false);
    d.close();
  } finally {
    await closedShop.ep.stop();
    await withDigest.ep.stop();
  }
  await until(async () => true);
});
