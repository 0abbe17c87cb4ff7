/**
 * SIP torture run in the spirit of RFC 4475: a bounded set of malformed and odd-but-legal
 * messages over UDP and TCP against the whole server (database, call centre, SIP endpoint).
 * Each gets the answer it should (or is dropped), the endpoint keeps serving after each, TCP
 * connections over the per-source cap are refused, half-sent messages are cut off, a call
 * whose RTP breaks ends alone, and afterwards a real call placed by sipp still works.
 * Everything on 127.0.0.1; no mocks (the one fault injected is closing a call's RTP socket).
 */
import assert from 'node:assert/strict';
import type { Socket } from 'node:dgram';
import { after, before, test } from 'node:test';
import type { SipCall } from '../telephony/sip-call.js';
import {
  answer,
  endedCall,
  invite,
  overTcp,
  rawCall,
  rawPeer,
  scenario,
  sipp,
  startTelServer,
  type TelServer,
  tcpPeer,
  ulawWav,
  until,
} from './sip/harness.js';

const MAX_BYTES = 4096;
const PER_SOURCE = 6;

let s: TelServer;
let peer: Awaited<ReturnType<typeof rawPeer>>;
const measured = { messages: 0, answered: 0, dropped: 0, tcpRefused: 0, startedAt: 0 };

before(async () => {
  s = await startTelServer('pglite', {
    RTP_TIMEOUT_S: '0',
    SIP_MAX_MESSAGE_BYTES: String(MAX_BYTES),
    SIP_TCP_MAX_PER_SOURCE: String(PER_SOURCE),
    SIP_MESSAGE_TIMEOUT_S: '1',
    SIP_TCP_IDLE_TIMEOUT_S: '5',
    DISPATCH_DEADLINE_CHECK_SECONDS: '0',
  });
  peer = await rawPeer();
  measured.startedAt = Date.now();
});
after(async () => {
  peer?.close();
  await s?.close();
});

let seq = 0;
/** A request of `method` with a fresh Call-ID and branch; `edit` changes its text. */
function request(method: string, o: { body?: string; ctype?: string; headers?: string[]; uri?: string } = {}) {
  const id = `tort-${++seq}`;
  const body = o.body ?? '';
  const text = [
    `${method} ${o.uri ?? `sip:12345@127.0.0.1:${s.sipPort}`} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bK-${id}`,
    `From: <sip:13900001111@127.0.0.1>;tag=f-${id}`,
    `To: <sip:12345@127.0.0.1:${s.sipPort}>`,
    `Call-ID: ${id}`,
    `CSeq: 1 ${method}`,
    'Max-Forwards: 70',
    `Contact: <sip:caller@127.0.0.1:${peer.port}>`,
    ...(o.headers ?? []),
    ...(body ? [`Content-Type: ${o.ctype ?? 'application/sdp'}`] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
  return { id, text };
}

const SDP = (m: string, extra: string[] = []) =>
  ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', m, ...extra, ''].join('\r\n');

interface Case {
  name: string;
  text: string | Buffer;
  /** The status line expected back, or 'drop' (nothing comes back). */
  expect: RegExp | 'drop';
  /** What identifies the reply (default: the Call-ID). */
  id?: string;
  udpOnly?: boolean;
}

const edit = (r: { id: string; text: string }, f: (t: string) => string) => ({ id: r.id, text: f(r.text) });
/** A request as bytes, with raw `inserted` bytes (not valid UTF-8) after `label` placed after `anchor`. */
const bytes = (r: { id: string; text: string }, anchor: string, label: string, inserted: number[]) => {
  const at = r.text.indexOf(anchor) + anchor.length;
  return {
    id: r.id,
    text: Buffer.concat([Buffer.from(r.text.slice(0, at) + label), Buffer.from(inserted), Buffer.from(`\r\n${r.text.slice(at)}`)]),
  };
};
const c = (name: string, r: { id: string; text: string | Buffer }, expect: Case['expect'], o: Partial<Case> = {}): Case => ({
  name,
  text: r.text,
  id: r.id,
  expect,
  ...o,
});

function cases(): Case[] {
  const opt = () => request('OPTIONS');
  const inv = (body: string, ctype?: string) => request('INVITE', { body, ctype });
  return [
    // Start lines
    c('garbage bytes', { id: 'x', text: Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0d, 0x0a, 0x0d, 0x0a, 0x42]) }, 'drop'),
    c('not SIP at all', { id: 'x', text: 'HELLO WORLD\r\n\r\n' }, 'drop'),
    c(
      'SIP/7.0 request',
      edit(opt(), (t) => t.replace(' SIP/2.0\r\n', ' SIP/7.0\r\n')),
      /^SIP\/2.0 505 /,
    ),
    c(
      'SIP/2.1 request',
      edit(opt(), (t) => t.replace(' SIP/2.0\r\n', ' SIP/2.1\r\n')),
      /^SIP\/2.0 505 /,
    ),
    c(
      'start line without a version',
      edit(opt(), (t) => t.replace(' SIP/2.0\r\n', '\r\n')),
      'drop',
    ),
    c(
      'lower-case method',
      edit(opt(), (t) => t.replace(/^OPTIONS/, 'options').replace('CSeq: 1 OPTIONS', 'CSeq: 1 options')),
      /^SIP\/2.0 405 /,
    ),
    c(
      'NUL byte in the start line',
      edit(opt(), (t) => t.replace('OPTIONS sip:', 'OPTIONS\0sip:')),
      'drop',
    ),
    c('a response nobody asked for', { id: 'stray-1', text: answer(request('OPTIONS').text, '200 OK') }, 'drop'),
    c('a SIP/7.0 response', { id: 'stray-2', text: answer(request('OPTIONS').text, '200 OK').replace(/^SIP\/2.0/, 'SIP/7.0') }, 'drop'),
    // Mandatory headers
    c(
      'no Call-ID',
      edit(opt(), (t) => t.replace(/^Call-ID: .*\r\n/m, '')),
      /^SIP\/2.0 400 Missing call-id/,
    ),
    c(
      'no CSeq',
      edit(opt(), (t) => t.replace(/^CSeq: .*\r\n/m, '')),
      /^SIP\/2.0 400 Missing cseq/,
    ),
    c(
      'no From',
      edit(opt(), (t) => t.replace(/^From: .*\r\n/m, '')),
      /^SIP\/2.0 400 Missing from/,
    ),
    c(
      'no To',
      edit(opt(), (t) => t.replace(/^To: .*\r\n/m, '')),
      /^SIP\/2.0 400 Missing to/,
    ),
    c(
      'no Via (cannot be answered)',
      edit(opt(), (t) => t.replace(/^Via: .*\r\n/m, '')),
      'drop',
    ),
    c(
      'CSeq of another method',
      edit(opt(), (t) => t.replace('CSeq: 1 OPTIONS', 'CSeq: 1 INVITE')),
      /^SIP\/2.0 400 CSeq method/,
    ),
    c(
      'CSeq without a number',
      edit(opt(), (t) => t.replace('CSeq: 1 OPTIONS', 'CSeq: banana')),
      /^SIP\/2.0 400 /,
    ),
    c(
      'negative CSeq',
      edit(opt(), (t) => t.replace('CSeq: 1 OPTIONS', 'CSeq: -1 OPTIONS')),
      /^SIP\/2.0 400 /,
    ),
    c(
      'Call-ID header twice',
      edit(opt(), (t) => t.replace(/^(Call-ID: .*)\r\n/m, '$1\r\nCall-ID: other\r\n')),
      /^SIP\/2.0 400 Duplicate call-id/,
    ),
    // Sizes and Content-Length
    c(
      'huge header (over the limit)',
      edit(opt(), (t) => t.replace('Max-Forwards', `X-Pad: ${'h'.repeat(MAX_BYTES)}\r\nMax-Forwards`)),
      /^SIP\/2.0 513 /,
    ),
    c('oversized body', inv(SDP('m=audio 40000 RTP/AVP 0', [`a=x-pad:${'b'.repeat(MAX_BYTES)}`])), /^SIP\/2.0 513 /),
    c(
      'Content-Length larger than the body',
      edit(opt(), (t) => t.replace('Content-Length: 0', 'Content-Length: 50')),
      /^SIP\/2.0 400 /,
      {
        udpOnly: true,
      },
    ),
    c(
      'Content-Length smaller than the body',
      edit(opt(), (t) => `${t.replace('Content-Length: 0', 'Content-Length: 2')}xxxx`),
      /^SIP\/2.0 200 /,
      {
        udpOnly: true,
      },
    ),
    c(
      'negative Content-Length',
      edit(opt(), (t) => t.replace('Content-Length: 0', 'Content-Length: -5')),
      /^SIP\/2.0 400 /,
    ),
    c(
      'Content-Length not a number',
      edit(opt(), (t) => t.replace('Content-Length: 0', 'Content-Length: zero')),
      /^SIP\/2.0 400 /,
    ),
    c(
      '200 small extension headers',
      edit(opt(), (t) =>
        t.replace('Max-Forwards', `${Array.from({ length: 150 }, (_, i) => `X-H${i}: ${i}`).join('\r\n')}\r\nMax-Forwards`),
      ),
      /^SIP\/2.0 200 /,
    ),
    c(
      'a long Call-ID',
      edit(opt(), (t) => t.replace(/^Call-ID: (.*)$/m, `Call-ID: $1-${'c'.repeat(600)}`)),
      /^SIP\/2.0 200 /,
    ),
    // Methods
    c(
      'unknown method',
      edit(opt(), (t) => t.replaceAll('OPTIONS', 'FOOBAR')),
      /^SIP\/2.0 405 /,
    ),
    c(
      'PUBLISH',
      edit(opt(), (t) => t.replaceAll('OPTIONS', 'PUBLISH')),
      /^SIP\/2.0 405 /,
    ),
    c(
      'REGISTER',
      edit(opt(), (t) => t.replaceAll('OPTIONS', 'REGISTER')),
      /^SIP\/2.0 405 /,
    ),
    c(
      'SUBSCRIBE',
      edit(opt(), (t) => t.replaceAll('OPTIONS', 'SUBSCRIBE').replace('Max-Forwards', 'Event: presence\r\nMax-Forwards')),
      /^SIP\/2.0 4\d\d /,
    ),
    c(
      'PRACK matching nothing',
      edit(opt(), (t) => t.replaceAll('OPTIONS', 'PRACK').replace('Max-Forwards', 'RAck: 1 1 INVITE\r\nMax-Forwards')),
      /^SIP\/2.0 481 /,
    ),
    c(
      'BYE outside a dialog',
      edit(opt(), (t) => t.replaceAll('OPTIONS', 'BYE')),
      /^SIP\/2.0 481 /,
    ),
    c(
      'CANCEL of nothing',
      edit(opt(), (t) => t.replaceAll('OPTIONS', 'CANCEL')),
      /^SIP\/2.0 481 /,
    ),
    c(
      'INFO outside a dialog',
      edit(opt(), (t) => t.replaceAll('OPTIONS', 'INFO')),
      /^SIP\/2.0 405 /,
    ),
    c(
      'ACK outside a dialog',
      edit(opt(), (t) => t.replaceAll('OPTIONS', 'ACK')),
      'drop',
    ),
    c(
      'in-dialog request for an unknown dialog',
      edit(opt(), (t) => t.replace(/^(To: .*)$/m, '$1;tag=nosuch')),
      /^SIP\/2.0 481 /,
    ),
    // URIs and header forms
    c('escaped Request-URI user', request('OPTIONS', { uri: `sip:%31%32%33%34%35@127.0.0.1:5060` }), /^SIP\/2.0 200 /),
    c('odd Request-URI parameters', request('OPTIONS', { uri: `sip:12345@127.0.0.1;transport=udp;lr;x-odd=a%20b?h=v` }), /^SIP\/2.0 200 /),
    c('tel: Request-URI', request('OPTIONS', { uri: 'tel:+86-12345' }), /^SIP\/2.0 416 /),
    c('sips: Request-URI', request('OPTIONS', { uri: 'sips:12345@127.0.0.1' }), /^SIP\/2.0 416 /),
    c(
      'folded header value',
      edit(opt(), (t) => t.replace('Max-Forwards', 'Subject: one\r\n  two\r\n\tthree\r\nMax-Forwards')),
      /^SIP\/2.0 200 /,
    ),
    c(
      'compact header forms',
      edit(opt(), (t) =>
        t.replace('Via:', 'v:').replace('From:', 'f:').replace('To:', 't:').replace('Call-ID:', 'i:').replace('Content-Length:', 'l:'),
      ),
      /^SIP\/2.0 200 /,
    ),
    c(
      'odd header name case and spacing',
      edit(opt(), (t) => t.replace('Call-ID: ', 'cALL-iD  :\t ')),
      /^SIP\/2.0 200 /,
    ),
    c(
      'NUL byte in a header value',
      edit(opt(), (t) => t.replace('Max-Forwards: 70', 'Max-Forwards: 70\r\nSubject: a\0b')),
      /^SIP\/2.0 200 /,
    ),
    c('invalid UTF-8 in a header value', bytes(opt(), 'Max-Forwards: 70\r\n', 'Subject: ', [0xff, 0xfe, 0xc0]), /^SIP\/2.0 200 /),
    c(
      'Chinese display name',
      edit(opt(), (t) => t.replace('From: <', 'From: "张三" <')),
      /^SIP\/2.0 200 /,
    ),
    c(
      'Max-Forwards 0 to the UAS',
      edit(opt(), (t) => t.replace('Max-Forwards: 70', 'Max-Forwards: 0')),
      /^SIP\/2.0 200 /,
    ),
    c(
      '30 Via headers',
      edit(opt(), (t) =>
        t.replace(/^(Via: .*)$/m, (v) =>
          [v, ...Array.from({ length: 29 }, (_, i) => `Via: SIP/2.0/UDP 10.0.0.${i}:5060;branch=z9hG4bK-hop${i}`)].join('\r\n'),
        ),
      ),
      /^SIP\/2.0 200 /,
    ),
    c(
      'Via sent-by port 0',
      edit(opt(), (t) => t.replace(/^Via: SIP\/2.0\/UDP 127.0.0.1:\d+/m, 'Via: SIP/2.0/UDP 127.0.0.1:0')),
      /^SIP\/2.0 200 /,
      { udpOnly: true },
    ),
    // INVITEs and SDP
    c(
      'INVITE without Contact',
      edit(inv(SDP('m=audio 40000 RTP/AVP 0')), (t) => t.replace(/^Contact: .*\r\n/m, '')),
      /^SIP\/2.0 400 /,
    ),
    c('INVITE with m=audio 0', inv(SDP('m=audio 0 RTP/AVP 0')), /^SIP\/2.0 488 /),
    c('INVITE with no audio line', inv(SDP('m=video 40000 RTP/AVP 96', ['a=rtpmap:96 H264/90000'])), /^SIP\/2.0 488 /),
    c('INVITE with only an unsupported codec', inv(SDP('m=audio 40000 RTP/AVP 18', ['a=rtpmap:18 G729/8000'])), /^SIP\/2.0 488 /),
    c('INVITE with a text body', inv('hello', 'text/plain'), /^SIP\/2.0 415 /),
    c('INVITE without SDP', request('INVITE'), /^SIP\/2.0 488 /),
    c('INVITE with broken SDP', inv('this is not sdp\r\n'), /^SIP\/2.0 488 /),
    c('INVITE with an SDP port over 65535', inv(SDP('m=audio 70000 RTP/AVP 0')), /^SIP\/2.0 488 /),
  ];
}

/** The reply to `k` from the UDP peer, or undefined (waits briefly for drops). */
async function overUdp(k: Case): Promise<string | undefined> {
  peer.send(k.text, s.sipPort);
  const id = (k.id ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return peer.next(new RegExp(`^SIP/2.0 [1-6]\\d\\d[\\s\\S]*(${id})`, 'm'), k.expect === 'drop' ? 150 : 2000);
}

async function overTcpOnce(k: Case): Promise<string | undefined> {
  const conn = await tcpPeer(s.sipPort);
  try {
    conn.send(typeof k.text === 'string' ? overTcp(k.text) : k.text);
    // Final answers only: 100 Trying comes first for INVITEs.
    const got = await conn.next(/SIP\/2.0 [2-6]\d\d /, k.expect === 'drop' ? 150 : 2000);
    return got?.slice(got.search(/SIP\/2.0 [2-6]\d\d /));
  } finally {
    conn.close();
  }
}

async function stillServing(via: 'UDP' | 'TCP') {
  const r = request('OPTIONS');
  const k: Case = { name: 'OPTIONS', text: r.text, id: r.id, expect: /^SIP\/2.0 200 / };
  const reply = via === 'UDP' ? await overUdp(k) : await overTcpOnce(k);
  assert.match(reply ?? '', /^SIP\/2.0 200 /, `the endpoint stopped answering over ${via}`);
}

for (const via of ['UDP', 'TCP'] as const) {
  test(`torture messages over ${via}: each answered right or dropped, and the endpoint keeps serving`, async () => {
    const problems: string[] = [];
    for (const k of cases()) {
      if (via === 'TCP' && k.udpOnly) continue;
      measured.messages++;
      const reply = via === 'UDP' ? await overUdp(k) : await overTcpOnce(k);
      if (k.expect === 'drop') {
        // Over TCP a message the server cannot frame may get the transport's 400 before it closes.
        if (reply && !(via === 'TCP' && /^SIP\/2.0 400 /.test(reply)))
          problems.push(`${k.name}: expected no answer, got ${reply.split('\r\n')[0]}`);
        else measured.dropped++;
      } else if (!reply || !k.expect.test(reply)) {
        problems.push(`${k.name}: expected ${k.expect}, got ${reply?.split('\r\n')[0] ?? 'nothing'}`);
      } else measured.answered++;
      if (measured.messages % 10 === 0) await stillServing(via);
    }
    await stillServing(via);
    assert.deepEqual(problems, []);
  });
}

test('TCP: half-sent messages are cut off, and connections over the per-source cap are refused', async () => {
  const before = s.telephony.sip?.transportStats.tcpRefused ?? 0;
  // Each holds a connection with a message that never completes (header block, then body).
  const half = await Promise.all(Array.from({ length: PER_SOURCE }, () => tcpPeer(s.sipPort)));
  half.forEach((h, i) => {
    const r = request('OPTIONS');
    h.send(i % 2 ? overTcp(r.text).replace('Content-Length: 0', 'Content-Length: 300') : overTcp(r.text).slice(0, 60));
  });
  const extra = await Promise.all(Array.from({ length: 4 }, () => tcpPeer(s.sipPort)));
  for (const x of extra) assert.equal(await x.whenClosed(500), true, 'a connection over the cap is refused at accept');
  const refused = (s.telephony.sip?.transportStats.tcpRefused ?? 0) - before;
  assert.equal(refused, 4);
  measured.tcpRefused += refused;
  // SIP_MESSAGE_TIMEOUT_S=1: every half-sent message is cut off within about a second.
  for (const h of half) assert.equal(await h.whenClosed(2500), true, 'a half-sent message does not hold its connection');
  for (const h of half) assert.ok((h.closedAfterMs ?? 0) >= 900 && (h.closedAfterMs ?? 0) < 2500, `closed after ${h.closedAfterMs} ms`);
  measured.messages += PER_SOURCE + 4;
  await stillServing('TCP');
});

test('TCP: two messages in one write, and one message in many writes, are both answered', async () => {
  const conn = await tcpPeer(s.sipPort);
  try {
    const a = request('OPTIONS');
    const b = request('OPTIONS');
    conn.send(`${overTcp(a.text)}\r\n\r\n${overTcp(b.text)}`);
    assert.ok(await conn.next(new RegExp(`Call-ID: ${b.id}`)), 'the second pipelined message is answered');
    assert.match(conn.received, new RegExp(`Call-ID: ${a.id}`));
    const d = overTcp(request('OPTIONS').text);
    for (let i = 0; i < d.length; i += 40) {
      conn.send(d.slice(i, i + 40));
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.ok(await conn.next(/Call-ID: tort-\d+[\s\S]*Call-ID: tort-\d+[\s\S]*Call-ID: tort-\d+/));
    measured.messages += 3;
  } finally {
    conn.close();
  }
});

test('a second INVITE with a live call’s Call-ID gets 482, and that call is unharmed', async () => {
  const arrived: number[] = [];
  const off = s.bus.subscribe('call.arrived', (e) => {
    arrived.push(e.callId);
  });
  const live = await rawCall(peer, s.sipPort, 'tort-dup');
  await until(async () => (arrived.length ? true : undefined), 5000, 'the call');
  off();
  peer.send(invite({ from: peer.port, to: s.sipPort, callId: 'tort-dup', caller: '13922223333' }), s.sipPort);
  assert.match((await peer.next(/^SIP\/2.0 [3-6]\d\d[\s\S]*Call-ID: tort-dup/m)) ?? '', /^SIP\/2.0 482 /);
  measured.messages++;
  assert.equal(s.telephony.center.isLive(arrived[0] as number), true);
  await live.hangup();
  assert.equal((await endedCall(s, arrived[0] as number)).endReason, 'abandoned');
});

test('a call whose RTP send throws ends alone as failed; a concurrent call goes on', async () => {
  const arrived = new Map<string, number>();
  const off = s.bus.subscribe('call.arrived', (e) => {
    arrived.set(arrived.size ? 'b' : 'a', e.callId);
  });
  await rawCall(peer, s.sipPort, 'tort-iso-a');
  await until(async () => (arrived.size === 1 ? true : undefined), 5000, 'call a');
  const b = await rawCall(peer, s.sipPort, 'tort-iso-b');
  await until(async () => (arrived.size === 2 ? true : undefined), 5000, 'call b');
  off();
  const leg = s.telephony.sip?.calls.get('tort-iso-a') as SipCall;
  // The greeting and queue prompt keep the pacing ticker sending to this call.
  (leg.rtp as unknown as { socket: Socket }).socket.close();
  const bye = await peer.next(/^BYE [\s\S]*Call-ID: tort-iso-a/m, 3000);
  assert.ok(bye, 'the broken call gets a BYE');
  peer.send(answer(bye, '200 OK'), s.sipPort);
  assert.equal((await endedCall(s, arrived.get('a') as number)).endReason, 'failed');
  const other = s.telephony.sip?.calls.get('tort-iso-b') as SipCall;
  const sent = other.rtp.packetsOut;
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(other.rtp.packetsOut > sent, 'the other call goes on hearing its prompt');
  assert.equal(s.telephony.center.isLive(arrived.get('b') as number), true);
  await b.hangup();
  assert.equal((await endedCall(s, arrived.get('b') as number)).endReason, 'abandoned');
});

test('after the whole run a real call (sipp) still works and the process is alive', async (t) => {
  const arrived: number[] = [];
  const off = s.bus.subscribe('call.arrived', (e) => {
    arrived.push(e.callId);
  });
  const wav = await ulawWav('aishell-sample_BAC009S0150W0007.wav');
  const res = await sipp({
    target: s.sipPort,
    scenario: scenario('uac-speech.xml', { CALLER: '13700137000', PRIORITY: 'Subject: 12345', WAIT_MS: '300', TALK_MS: '1000', WAV: wav }),
  });
  off();
  assert.equal(res.code, 0, res.stderr);
  assert.equal((await endedCall(s, arrived[0] as number)).endReason, 'abandoned');
  const ready = await s.app.inject({ method: 'GET', url: '/readyz' });
  assert.match(ready.body, /"sip"/);
  const seconds = (Date.now() - measured.startedAt) / 1000;
  t.diagnostic(
    `torture: ${measured.messages} messages, ${measured.answered} answered as expected, ${measured.dropped} dropped as expected, ` +
      `${measured.tcpRefused} TCP connections refused at accept, ${seconds.toFixed(1)} s`,
  );
});
