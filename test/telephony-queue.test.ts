/**
 * The queue and agents with calls from a bare SIP peer on 127.0.0.1: emergencies first,
 * offers that time out move to the next agent (who missed it is paused), answer/hangup
 * rules, hold by re-INVITE, and trunk security (ACL 403, digest 401 then accepted).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { createUser } from '../auth/index.js';
import { DEMO_PASSWORD } from '../org/index.js';
import { endedCall, invite, rawCall, rawPeer, startTelServer, type TelServer, until } from './sip/harness.js';

let s: TelServer;
let peer: Awaited<ReturnType<typeof rawPeer>>;
before(async () => {
  s = await startTelServer('pglite', { CALL_OFFER_TIMEOUT_S: '1', RTP_TIMEOUT_S: '0' });
  await createUser(s.db, { username: 'agent2', password: DEMO_PASSWORD, role: 'agent', displayName: '话务员 二' });
  peer = await rawPeer();
});
after(async () => {
  peer?.close();
  await s?.close();
});

const setState = (who: string, state: string) => s.request(who, { method: 'POST', url: '/api/agents/me/state', payload: { state } });

test('emergencies are offered first; an offer not taken moves to the next agent and pauses the first', async () => {
  for (const who of ['agent', 'agent2']) assert.equal((await setState(who, 'paused')).statusCode, 200);
  const agent2Id = (await s.db.query<{ id: number }>("SELECT id FROM users WHERE username = 'agent2'")).rows[0]?.id as number;
  const arrived: { callId: number; emergency: boolean }[] = [];
  const offers: { callId: number; agentId: number }[] = [];
  const expired: number[] = [];
  const answers: Promise<{ statusCode: number; body: string }>[] = [];
  const offs = [
    s.bus.subscribe('call.arrived', (e) => void arrived.push(e)),
    s.bus.subscribe('call.offered', (e) => {
      offers.push(e);
      // agent2 answers at once; the other agent lets the call ring out.
      if (e.agentId === agent2Id && offers.length === 2)
        answers.push(s.request('agent2', { method: 'POST', url: `/api/calls/${e.callId}/answer` }));
    }),
    s.bus.subscribe('call.offer_expired', (e) => void expired.push(e.agentId)),
  ];
  const normal = await rawCall(peer, s.sipPort, 'q-normal');
  const urgent = await rawCall(peer, s.sipPort, 'q-urgent', ['Priority: emergency']);
  await until(async () => (arrived.length === 2 ? true : undefined));
  const [normalId, urgentId] = [arrived[0]?.callId as number, arrived[1]?.callId as number];
  assert.equal(arrived[1]?.emergency, true);
  const q = (await s.request('supervisor', { method: 'GET', url: `/api/calls/${normalId}` })).json();
  assert.equal(q.live.queuePosition, 2, 'the emergency call is ahead in the queue');

  // agent becomes available first, so is idle longest: gets the emergency call first.
  await setState('agent', 'available');
  await setState('agent2', 'available');
  await until(async () => (offers.length >= 2 ? true : undefined));
  assert.equal(offers[0]?.callId, urgentId);
  const agentId = offers[0]?.agentId;
  assert.notEqual(agentId, agent2Id);
  assert.deepEqual(offers[1], { ...offers[1], callId: normalId, agentId: agent2Id });
  const ans = await answers[0];
  assert.equal(ans?.statusCode, 200, ans?.body);
  // After 1 s the emergency offer expires; who let it ring out is paused.
  await until(async () => (expired.includes(agentId as number) ? true : undefined), 5000);
  const st = (await s.request('agent', { method: 'GET', url: '/api/agents/me/state' })).json();
  assert.equal(st.state, 'paused', 'who let a call ring out is paused');
  // The other agent may not take a call that is being handled.
  assert.equal((await s.request('agent', { method: 'POST', url: `/api/calls/${normalId}/answer` })).statusCode, 409);
  // Only the answering agent may hang up; agent2 then is in after-call work.
  assert.equal((await s.request('agent', { method: 'POST', url: `/api/calls/${normalId}/hangup` })).statusCode, 409);
  assert.equal((await s.request('agent2', { method: 'POST', url: `/api/calls/${normalId}/hangup` })).statusCode, 200);
  const done = await endedCall(s, normalId);
  assert.equal(done.endReason, 'answered');
  assert.ok(done.queueWaitMs > 0);
  assert.equal((await s.request('agent2', { method: 'GET', url: '/api/agents/me/state' })).json().state, 'after_call');
  // The emergency call waits: back to the queue, offered again to agent2 when available.
  await setState('agent2', 'available');
  await until(async () => (offers.some((o) => o.callId === urgentId && o.agentId === agent2Id) ? true : undefined), 5000);
  assert.equal((await s.request('agent2', { method: 'POST', url: `/api/calls/${urgentId}/answer` })).statusCode, 200);
  // The caller hangs up: the call ends as answered, the BYE was answered 200.
  assert.match((await urgent.hangup()) ?? '', /^SIP\/2.0 200/);
  assert.equal((await endedCall(s, urgentId)).endReason, 'answered');
  await normal.hangup();
  for (const off of offs) off();
});

test('agent state rules: on_call only by answering; unknown states refused', async () => {
  const r = await setState('agent', 'on_call');
  assert.equal(r.statusCode, 409);
  assert.equal(r.json().code, 'AGENT_ON_CALL_BY_ANSWER');
  assert.equal((await setState('agent', 'lunch')).statusCode, 400);
  assert.equal(
    (await s.request('dispatcher', { method: 'POST', url: '/api/agents/me/state', payload: { state: 'available' } })).statusCode,
    403,
  );
  assert.equal((await s.request(null, { method: 'GET', url: '/api/calls' })).statusCode, 401);
  assert.equal((await s.request('agent', { method: 'POST', url: '/api/calls/999999/answer' })).statusCode, 404);
});

test('hold sends a re-INVITE with a=sendonly and the call shows held', async () => {
  await setState('agent', 'paused');
  await setState('agent2', 'paused');
  let callId = 0;
  const off = s.bus.subscribe('call.arrived', (e) => {
    callId = e.callId;
  });
  const call = await rawCall(peer, s.sipPort, 'q-hold');
  await until(async () => (callId ? true : undefined));
  off();
  await setState('agent', 'available');
  assert.equal((await s.request('agent', { method: 'POST', url: `/api/calls/${callId}/answer` })).statusCode, 200);
  const holding = s.request('agent', { method: 'POST', url: `/api/calls/${callId}/hold`, payload: { hold: true } });
  const reinvite = await peer.next(/^INVITE /);
  assert.match(reinvite ?? '', /a=sendonly/);
  // Answer the re-INVITE as a phone would.
  const h = (n: string) => new RegExp(`^${n}:\\s*(.*)$`, 'im').exec(reinvite ?? '')?.[1];
  const sdp =
    invite({ from: peer.port, to: s.sipPort, callId: 'x' }).split('\r\n\r\n')[1]?.replace('a=rtpmap:101', 'a=recvonly\r\na=rtpmap:101') ??
    '';
  peer.send(
    `SIP/2.0 200 OK\nVia: ${h('Via')}\nFrom: ${h('From')}\nTo: ${h('To')}\nCall-ID: ${h('Call-ID')}\nCSeq: ${h('CSeq')}\nContact: <sip:caller@127.0.0.1:${peer.port}>\nContent-Type: application/sdp\nContent-Length: ${Buffer.byteLength(sdp)}\n\n${sdp}`,
    s.sipPort,
  );
  assert.equal((await holding).statusCode, 200);
  assert.ok(await peer.next(/^ACK /), 'the re-INVITE was acknowledged');
  const held = (await s.request('agent', { method: 'GET', url: `/api/calls/${callId}` })).json();
  assert.equal(held.state, 'held');
  await call.hangup();
  assert.equal((await endedCall(s, callId)).endReason, 'answered');
});

test('trunk security: unknown sources get 403; digest peers are challenged (401) and then accepted', async () => {
  const acl = await startTelServer('pglite', { SIP_TRUNK_ACL: '10.9.9.9', RTP_TIMEOUT_S: '0' });
  const dig = await startTelServer('pglite', {
    SIP_TRUNK_ACL: '10.9.9.9/32',
    SIP_AUTH_USER: 'pbx',
    SIP_AUTH_PASSWORD: 'secret-pw',
    RTP_TIMEOUT_S: '0',
  });
  try {
    peer.send(invite({ from: peer.port, to: acl.sipPort, callId: 'acl1' }), acl.sipPort);
    assert.match((await peer.next(/^SIP\/2.0 [2-6]\d\d[\s\S]*Call-ID: acl1/m)) ?? '', /^SIP\/2.0 403/);
    const none = await acl.request('supervisor', { method: 'GET', url: '/api/calls' });
    assert.equal(none.json().length, 0, 'a refused call leaves no record');

    peer.send(invite({ from: peer.port, to: dig.sipPort, callId: 'dig1' }), dig.sipPort);
    const challenge = (await peer.next(/^SIP\/2.0 [2-6]\d\d[\s\S]*Call-ID: dig1/m)) ?? '';
    assert.match(challenge, /^SIP\/2.0 401/);
    const nonce = /nonce="([^"]+)"/.exec(challenge)?.[1] as string;
    const realm = /realm="([^"]+)"/.exec(challenge)?.[1] as string;
    const md5 = (x: string) => createHash('md5').update(x).digest('hex');
    const uri = `sip:12345@127.0.0.1:${dig.sipPort}`;
    const wrong = md5(`${md5(`pbx:${realm}:nope`)}:${nonce}:${md5(`INVITE:${uri}`)}`);
    const right = md5(`${md5(`pbx:${realm}:secret-pw`)}:${nonce}:${md5(`INVITE:${uri}`)}`);
    const auth = (resp: string) =>
      `Authorization: Digest username="pbx", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${resp}", algorithm=MD5`;
    peer.send(invite({ from: peer.port, to: dig.sipPort, callId: 'dig2', headers: [auth(wrong)] }), dig.sipPort);
    assert.match((await peer.next(/^SIP\/2.0 [2-6]\d\d[\s\S]*Call-ID: dig2/m)) ?? '', /^SIP\/2.0 401/);
    const ok = await rawCall(peer, dig.sipPort, 'dig3', [auth(right)]);
    const calls = await until(async () => {
      const l = (await dig.request('supervisor', { method: 'GET', url: '/api/calls' })).json();
      return l.length ? l : undefined;
    });
    assert.equal(calls.length, 1);
    await ok.hangup();
  } finally {
    await acl.close();
    await dig.close();
  }
});
