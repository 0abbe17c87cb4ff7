/**
 * SIP and RTP against real peers on 127.0.0.1: malformed messages, OPTIONS and
 * unsupported methods, abandon in queue, a hangup before the caller's ACK, RFC 4733 DTMF from SIPp's captures, RTP timeout
 * (sipp), over UDP and TCP. No mocks.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import {
  endedCall,
  inDialog,
  invite,
  rawPeer,
  SHARED,
  scenario,
  sipp,
  startTelServer,
  type TelServer,
  ulawWav,
  until,
} from './sip/harness.js';

let s: TelServer;
let peer: Awaited<ReturnType<typeof rawPeer>>;
before(async () => {
  s = await startTelServer('pglite', { RTP_TIMEOUT_S: '2' });
  peer = await rawPeer();
});
after(async () => {
  peer?.close();
  await s?.close();
});

const options = (from: number, to: number, id: string) =>
  `OPTIONS sip:12345@127.0.0.1:${to} SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:${from};branch=z9hG4bK-o-${id}\nFrom: <sip:probe@127.0.0.1>;tag=${id}\nTo: <sip:12345@127.0.0.1>\nCall-ID: ${id}\nCSeq: 1 OPTIONS\nMax-Forwards: 70\nContent-Length: 0\n\n`;

test('OPTIONS is answered and unsupported methods get 405', async () => {
  peer.send(options(peer.port, s.sipPort, 'opt1'), s.sipPort);
  const ok = await peer.next(/Call-ID: opt1/);
  assert.match(ok ?? '', /^SIP\/2.0 200/);
  assert.match(ok ?? '', /^Allow: .*INVITE/m);
  peer.send(options(peer.port, s.sipPort, 'pub1').replace(/OPTIONS/g, 'PUBLISH'), s.sipPort);
  assert.match((await peer.next(/Call-ID: pub1/)) ?? '', /^SIP\/2.0 405/);
});

test('malformed SIP gets 400 or is dropped, and the endpoint keeps serving', async () => {
  // Garbage bytes: nothing to answer to.
  peer.send(Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0d, 0x0a, 0x0d, 0x0a, 0x42]), s.sipPort);
  peer.send('HELLO WORLD\r\n\r\n', s.sipPort);
  // Missing Call-ID and CSeq.
  peer.send(
    `INVITE sip:12345@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bK-bad1\nFrom: <sip:a@b>;tag=1\nTo: <sip:12345@127.0.0.1>\nContent-Length: 0\n\n`,
    s.sipPort,
  );
  const r1 = await peer.next(/branch=z9hG4bK-bad1/);
  assert.match(r1 ?? '', /^SIP\/2.0 400 Missing call-id, cseq/);
  // Truncated: Content-Length promises more body than arrived.
  peer.send(
    `INVITE sip:12345@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bK-bad2\nFrom: <sip:a@b>;tag=2\nTo: <sip:12345@127.0.0.1>\nCall-ID: bad2\nCSeq: 1 INVITE\nContact: <sip:a@127.0.0.1>\nContent-Type: application/sdp\nContent-Length: 400\n\nv=0\no=- 1 1 IN IP4 127.0.0.1\n`,
    s.sipPort,
  );
  assert.match((await peer.next(/Call-ID: bad2/)) ?? '', /^SIP\/2.0 400/);
  // An unparseable header value (CSeq without a number).
  peer.send(options(peer.port, s.sipPort, 'bad3').replace('CSeq: 1 OPTIONS', 'CSeq: banana'), s.sipPort);
  assert.match((await peer.next(/bad3/)) ?? '', /^SIP\/2.0 400/);
  // An INVITE whose body is not SDP.
  peer.send(
    `INVITE sip:12345@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bK-bad4\nFrom: <sip:a@b>;tag=4\nTo: <sip:12345@127.0.0.1>\nCall-ID: bad4\nCSeq: 1 INVITE\nContact: <sip:a@127.0.0.1>\nContent-Type: text/plain\nContent-Length: 5\n\nhello`,
    s.sipPort,
  );
  assert.match((await peer.next(/^SIP\/2.0 4\d\d[\s\S]*Call-ID: bad4/m)) ?? '', /^SIP\/2.0 415/);
  // A legal offer that declines audio (m=audio 0): 488, and the server keeps serving (it used to
  // answer 200 and then crash sending RTP to port 0).
  peer.send(invite({ from: peer.port, to: s.sipPort, callId: 'port0', rtpPort: 0 }), s.sipPort);
  const declined = (await peer.next(/^SIP\/2.0 4\d\d[\s\S]*Call-ID: port0/m)) ?? '';
  assert.match(declined, /^SIP\/2.0 488/);
  assert.match(declined, /m=audio 0/);
  // An oversized datagram whose start line and Via are readable gets 513 (RFC 3261 §21.5.14).
  peer.send(options(peer.port, s.sipPort, 'big').replace('Content-Length: 0', `X-Pad: ${'a'.repeat(20000)}\nContent-Length: 0`), s.sipPort);
  assert.match((await peer.next(/Call-ID: big/, 1000)) ?? '', /^SIP\/2.0 513/);
  // Still serving.
  peer.send(options(peer.port, s.sipPort, 'after'), s.sipPort);
  assert.match((await peer.next(/Call-ID: after/)) ?? '', /^SIP\/2.0 200/);
});

test('TCP: garbage without Content-Length gets 400 and the connection closes; a framed OPTIONS works', async () => {
  const talk = (text: string) =>
    new Promise<string>((resolve) => {
      const c = connect(s.sipPort, '127.0.0.1');
      let got = '';
      c.on('data', (d) => {
        got += d;
        if (/\r\n\r\n/.test(got)) c.end();
      });
      c.on('close', () => resolve(got));
      c.on('error', () => resolve(got));
      c.write(text.replace(/\r?\n/g, '\r\n'));
      setTimeout(() => c.destroy(), 3000);
    });
  assert.match(await talk('GARBAGE\n\n'), /^SIP\/2.0 400/);
  const ok = await talk(options(5999, s.sipPort, 'tcp1').replace('SIP/2.0/UDP', 'SIP/2.0/TCP'));
  assert.match(ok, /^SIP\/2.0 200/);
});

test('a caller who hangs up while queued is recorded as abandoned', async () => {
  await s.request('agent', { method: 'POST', url: '/api/agents/me/state', payload: { state: 'paused' } });
  const arrived: number[] = [];
  const off = s.bus.subscribe('call.arrived', (e) => {
    arrived.push(e.callId);
  });
  const wav = await ulawWav('aishell-sample_BAC009S0150W0007.wav');
  const res = await sipp({
    target: s.sipPort,
    scenario: scenario('uac-speech.xml', { CALLER: '13700137000', PRIORITY: 'Subject: 12345', WAIT_MS: '300', TALK_MS: '1200', WAV: wav }),
  });
  off();
  assert.equal(res.code, 0, res.stderr);
  const call = await endedCall(s, arrived[0] as number);
  assert.equal(call.endReason, 'abandoned');
  assert.equal(call.answeredAt, null);
  assert.equal(call.agentId, null);
});

test('a hangup before the caller has sent its ACK still sends BYE once the ACK arrives', async () => {
  let callId = 0;
  const off = s.bus.subscribe('call.arrived', (e) => {
    callId ||= e.callId;
  });
  const sipId = `early-bye-${Date.now()}`;
  const inv = invite({ from: peer.port, to: s.sipPort, callId: sipId });
  peer.send(inv, s.sipPort);
  const ok = await peer.next(new RegExp(`^SIP/2.0 200[\\s\\S]*Call-ID: ${sipId}`, 'm'), 5000);
  assert.ok(ok, 'the INVITE is answered');
  await until(async () => (callId ? true : undefined), 5000, 'the call');
  off();
  // The supervisor ends the call while the dialog still waits for the ACK (RFC 3261 15: no BYE yet).
  const r = await s.request('supervisor', { method: 'POST', url: `/api/calls/${callId}/hangup` });
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(await peer.next(new RegExp(`^BYE [\\s\\S]*Call-ID: ${sipId}`, 'm'), 300), undefined, 'no BYE before the ACK');
  peer.send(inDialog('ACK', inv, ok, peer.port, s.sipPort, 1), s.sipPort);
  const bye = await peer.next(new RegExp(`^BYE [\\s\\S]*Call-ID: ${sipId}`, 'm'), 3000);
  assert.ok(bye, 'the BYE follows the ACK');
  peer.send(
    ['SIP/2.0 200 OK', ...bye.split('\r\n').filter((l) => /^(Via|From|To|Call-ID|CSeq):/i.test(l)), 'Content-Length: 0', '', ''].join(
      '\r\n',
    ),
    s.sipPort,
  );
  assert.equal((await endedCall(s, callId)).endReason, 'rejected');
});

test('RFC 4733 DTMF from SIPp captures is recognised and stored', async () => {
  const digits: string[] = [];
  let callId = 0;
  const off = s.bus.subscribe('call.dtmf', (e) => {
    digits.push(e.digit);
    callId = e.callId;
  });
  const res = await sipp({
    target: s.sipPort,
    scenario: scenario('uac-dtmf.xml', { CALLER: '13600136000', PRIORITY: 'Subject: 12345', SHARED }),
  });
  off();
  assert.equal(res.code, 0, res.stderr);
  assert.deepEqual(digits, ['1', '*', '#']);
  const call = await endedCall(s, callId);
  assert.equal(call.details.dtmf, '1*#');
});

test('a call whose RTP never arrives is ended by the RTP timeout (BYE to the caller)', async () => {
  let callId = 0;
  const off = s.bus.subscribe('call.arrived', (e) => {
    callId = e.callId;
  });
  const started = Date.now();
  const res = await sipp({
    target: s.sipPort,
    scenario: scenario('uac-silent.xml', { CALLER: '13500135000', PRIORITY: 'Subject: 12345', WAIT_MS: '10000' }),
  });
  off();
  assert.equal(res.code, 0, `sipp did not get our BYE: ${res.stderr}`);
  assert.ok(Date.now() - started >= 1900, 'not before the timeout');
  const call = await until(async () => {
    const c = (await s.request('supervisor', { method: 'GET', url: `/api/calls/${callId}` })).json();
    return c.state === 'ended' ? c : undefined;
  });
  assert.equal(call.endReason, 'timeout');
});
