import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { test } from 'node:test';
import { aclAllows, aclEntryProblem } from './acl.js';
import { DigestVerifier } from './digest.js';
import { encodeG711 } from './g711.js';
import { ReorderBuffer } from './jitter.js';
import { buildRtp, buildTelephoneEvent, parseRtp, parseTelephoneEvent, type RtpPacket, seqDiff } from './rtp-packet.js';
import { RtpSession } from './rtp-session.js';
import { buildSdp, negotiate, parseSdp, SdpError } from './sdp.js';

const pkt = (sequence: number): RtpPacket => ({
  payloadType: 0,
  marker: false,
  sequence,
  timestamp: sequence * 160,
  ssrc: 7,
  payload: Buffer.alloc(160),
});

test('RTP packets and telephone-events round-trip; non-RTP is refused', () => {
  const p = parseRtp(buildRtp({ ...pkt(65535), marker: true }));
  assert.equal(p?.sequence, 65535);
  assert.equal(p?.marker, true);
  assert.equal(p?.payload.length, 160);
  assert.equal(parseRtp(Buffer.from('hello world, not rtp')), undefined);
  assert.equal(parseRtp(Buffer.alloc(5)), undefined);
  const ev = parseTelephoneEvent(buildTelephoneEvent({ digit: '#', end: true, volume: 10, duration: 800 }));
  assert.deepEqual(ev, { digit: '#', end: true, volume: 10, duration: 800 });
  assert.equal(seqDiff(2, 65534), 4);
  assert.equal(seqDiff(65534, 2), -4);
});

test('the reorder buffer releases late packets in order across wrap-around and drops stale ones', () => {
  const out: number[] = [];
  const rb = new ReorderBuffer(3, (p) => out.push(p.sequence));
  for (const s of [65533, 65535, 65534, 1, 0, 2, 3, 65535, 4]) rb.push(pkt(s));
  rb.flush();
  assert.deepEqual(out, [65533, 65534, 65535, 0, 1, 2, 3, 4]);
  assert.equal(rb.dropped, 1);
});

test('SDP: picks the first G.711 codec and telephone-event; refuses offers it cannot answer', () => {
  const offer =
    'v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 18 8 0 96\r\na=rtpmap:96 telephone-event/8000\r\na=sendonly\r\n';
  const neg = negotiate(parseSdp(offer));
  assert.deepEqual(neg, {
    codec: 'pcma',
    payloadType: 8,
    dtmfPayloadType: 96,
    remoteAddress: '10.0.0.1',
    remotePort: 4000,
    direction: 'sendonly',
  });
  const answer = buildSdp({ address: '127.0.0.1', port: 20000, neg });
  assert.match(answer, /m=audio 20000 RTP\/AVP 8 96/);
  assert.match(answer, /a=recvonly/);
  assert.throws(() => negotiate(parseSdp(offer.replace('18 8 0 96', '18 9'))), SdpError);
  assert.throws(() => parseSdp('v=0\r\n'), /no audio stream/);
  assert.throws(() => negotiate(parseSdp(offer.replace('m=audio 4000', 'm=audio 0'))), /declined \(m=audio 0\)/);
});

test('ACL entries match IPv4 and IPv6 addresses and CIDR blocks; digest answers verify, wrong ones do not', () => {
  assert.ok(aclAllows(['10.0.0.0/8'], '10.2.3.4'));
  assert.ok(aclAllows(['127.0.0.1'], '::ffff:127.0.0.1'));
  assert.ok(!aclAllows(['10.0.0.0/8', '192.168.1.1'], '192.168.1.2'));
  // IPv6: single addresses and CIDR blocks, and an IPv4 block seen through a dual-stack socket.
  assert.ok(aclAllows(['2001:db8:10::/48'], '2001:db8:10:ffff::1'));
  assert.ok(!aclAllows(['2001:db8:10::/48'], '2001:db8:11::1'));
  assert.ok(aclAllows(['::1'], '::1'));
  assert.ok(aclAllows(['10.0.0.0/8'], '::ffff:10.9.8.7'));
  assert.ok(!aclAllows(['10.0.0.0/8'], '2001:db8::1'));
  assert.ok(aclAllows(['*'], '2001:db8::1'));
  assert.ok(!aclAllows(['10.0.0.0/8'], 'not-an-address'));
  assert.equal(aclEntryProblem('fd00::/8'), undefined);
  assert.match(aclEntryProblem('fd00::/129') ?? '', /prefix length outside 0-128/);
  assert.match(aclEntryProblem('10.0.0.0/33') ?? '', /prefix length outside 0-32/);
  assert.match(aclEntryProblem('gateway.example') ?? '', /not an IP address/);
  const v = new DigestVerifier({ user: 'u', password: 'p', realm: 'r' });
  const nonce = /nonce="([^"]+)"/.exec(v.challenge())?.[1];
  assert.ok(nonce);
  assert.equal(v.verify('INVITE', `Digest username="u", realm="r", nonce="${nonce}", uri="sip:x", response="00"`), false);
  assert.equal(v.verify('INVITE', undefined), false);
});

test('an RTP session decodes audio in order, reports DTMF once per event, sends paced frames, and times out', async () => {
  const rtp = await RtpSession.open('127.0.0.1', { min: 41000, max: 41998 }, 300);
  const peer = createSocket('udp4');
  await new Promise<void>((r) => peer.bind(0, '127.0.0.1', () => r()));
  rtp.setRemote('127.0.0.1', peer.address().port, 'pcmu', 0, 101);
  const heard: number[] = [];
  const digits: string[] = [];
  let timedOut = false;
  rtp.on({ onAudio: (pcm, ms) => heard.push(ms, pcm.length), onDtmf: (d) => digits.push(d), onTimeout: () => (timedOut = true) });
  rtp.start();
  const send = (p: RtpPacket) => peer.send(buildRtp(p), rtp.port, '127.0.0.1');
  const tone = encodeG711('pcmu', Buffer.alloc(320));
  for (const s of [10, 12, 11, 13]) send({ ...pkt(s), payload: tone });
  for (let i = 0; i < 3; i++)
    send({
      ...pkt(14),
      payloadType: 101,
      timestamp: 9999,
      payload: buildTelephoneEvent({ digit: '7', end: true, volume: 10, duration: 800 }),
    });
  const got: Buffer[] = [];
  peer.on('message', (m) => got.push(m));
  rtp.sendPcm(Buffer.alloc(320 * 5));
  await new Promise((r) => setTimeout(r, 600));
  assert.deepEqual(heard, [0, 320, 20, 320, 40, 320, 60, 320]);
  assert.deepEqual(digits, ['7']);
  assert.equal(got.length, 5);
  assert.equal(timedOut, true);
  rtp.close();
  peer.close();
});
