/**
 * Transfers to 110 with real SIP peers: a sipp UAS stands in for the 110 line (bridged
 * transfer: a new leg from the hotline, bridged to the caller), and a sipp caller acts as
 * the transferee of a blind transfer (REFER, 202, NOTIFY 100 then 200, BYE). The referral
 * is stored with who, target, reason, excerpt and outcome.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { endedCall, freePort, scenario, sipp, sippServer, startTelServer, type TelServer, until } from './sip/harness.js';

let s: TelServer;
let uasPort: number;
let uas: ReturnType<typeof sippServer>;
before(async () => {
  uasPort = await freePort();
  uas = sippServer({ port: uasPort, scenario: 'uas' });
  s = await startTelServer('pglite', { TRANSFER_110_URI: `sip:110@127.0.0.1:${uasPort}`, RTP_TIMEOUT_S: '0' });
});
after(async () => {
  await s?.close();
  await uas?.stop();
});

/** Places a sipp call, has the agent answer it, returns the call id and the running sipp. */
async function answeredCall(xml: string, vars: Record<string, string>) {
  let callId = 0;
  const off = s.bus.subscribe('call.offered', (e) => {
    callId = e.callId;
  });
  await s.request('agent', { method: 'POST', url: '/api/agents/me/state', payload: { state: 'available' } });
  const run = sipp({ target: s.sipPort, scenario: scenario(xml, { CALLER: '13800138000', PRIORITY: 'Subject: 12345', ...vars }) });
  await until(async () => (callId ? true : undefined), 10000, 'the offer');
  off();
  const r = await s.request('agent', { method: 'POST', url: `/api/calls/${callId}/answer` });
  assert.equal(r.statusCode, 200, r.body);
  return { callId, run };
}

test('bridged transfer to 110: a new leg to the sipp UAS is bridged, the referral is connected', async () => {
  const statuses: string[] = [];
  const off = s.bus.subscribe('call.transfer', (e) => void statuses.push(e.status));
  const { callId, run } = await answeredCall('uac-silent.xml', { WAIT_MS: '20000' });
  const r = await s.request('agent', {
    method: 'POST',
    url: `/api/calls/${callId}/transfer`,
    payload: { target: '110', mode: 'bridge', reason: '来电称有人持刀伤人' },
  });
  assert.equal(r.statusCode, 202, r.body);
  assert.equal(r.json().outcome, 'pending');
  await until(async () => (statuses.includes('connected') || statuses.includes('failed') ? true : undefined), 10000);
  assert.deepEqual(statuses, ['started', 'trying', 'connected']);
  const live = (await s.request('supervisor', { method: 'GET', url: `/api/calls/${callId}` })).json();
  assert.equal(live.referrals.length, 1);
  const ref = live.referrals[0];
  assert.equal(ref.line, '110');
  assert.equal(ref.target, `sip:110@127.0.0.1:${uasPort}`);
  assert.equal(ref.mode, 'bridge');
  assert.equal(ref.reason, '来电称有人持刀伤人');
  assert.equal(ref.outcome, 'connected');
  assert.ok(ref.agentId > 0 && ref.completedAt);
  // The agent is free again while the caller talks to 110.
  assert.equal((await s.request('agent', { method: 'GET', url: '/api/agents/me/state' })).json().state, 'after_call');
  // A supervisor ends the bridged call: both legs get BYE (the silent caller expects one).
  assert.equal((await s.request('supervisor', { method: 'POST', url: `/api/calls/${callId}/hangup` })).statusCode, 200);
  const res = await run;
  assert.equal(res.code, 0, res.stderr);
  const call = await endedCall(s, callId);
  assert.equal(call.endReason, 'transferred');
  off();
});

test('blind transfer to 110 by REFER follows the NOTIFY progress to completion', async () => {
  const statuses: string[] = [];
  const off = s.bus.subscribe('call.transfer', (e) => void statuses.push(e.status));
  const { callId, run } = await answeredCall('uac-refer.xml', { WAIT_MS: '20000', FINAL: 'SIP/2.0 200 OK' });
  const r = await s.request('agent', { method: 'POST', url: `/api/calls/${callId}/transfer`, payload: { target: '110', mode: 'blind' } });
  assert.equal(r.statusCode, 202, r.body);
  const res = await run;
  assert.equal(res.code, 0, `sipp: ${res.stderr}`);
  const call = await endedCall(s, callId);
  assert.equal(call.endReason, 'transferred');
  assert.deepEqual(statuses, ['started', 'accepted', 'trying', 'connected']);
  assert.equal(call.referrals[0].outcome, 'connected');
  assert.equal(call.referrals[0].sipStatus, 200);
  assert.equal(call.referrals[0].mode, 'blind');
  off();
});

test('transfer requests are checked: bad target 400, unconfigured line 400, not your call 409', async () => {
  const bad = await s.request('agent', { method: 'POST', url: '/api/calls/1/transfer', payload: { target: 'police', mode: 'blind' } });
  assert.ok([400, 404].includes(bad.statusCode));
  const { callId, run } = await answeredCall('uac-silent.xml', { WAIT_MS: '20000' });
  const t1 = await s.request('agent', {
    method: 'POST',
    url: `/api/calls/${callId}/transfer`,
    payload: { target: 'police', mode: 'blind' },
  });
  assert.equal(t1.statusCode, 400);
  assert.equal(t1.json().code, 'TRANSFER_TARGET_INVALID');
  const t2 = await s.request('agent', { method: 'POST', url: `/api/calls/${callId}/transfer`, payload: { target: '119', mode: 'blind' } });
  assert.equal(t2.statusCode, 400);
  assert.deepEqual([t2.json().code, t2.json().params], ['TRANSFER_LINE_NOT_CONFIGURED', { line: '119' }]);
  const t3 = await s.request('agent', {
    method: 'POST',
    url: `/api/calls/${callId}/transfer`,
    payload: { target: '110', mode: 'sideways' },
  });
  assert.equal(t3.statusCode, 400);
  assert.equal((await s.request('agent', { method: 'POST', url: `/api/calls/${callId}/hangup` })).statusCode, 200);
  assert.equal((await run).code, 0);
  assert.equal((await endedCall(s, callId)).referrals.length, 0, 'refused transfers leave no referral');
});
