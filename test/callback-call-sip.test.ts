/**
 * Click-to-call from the callback queue over real SIP/RTP: the staff member who claimed a
 * callback rings the citizen (a sipp UAS on 127.0.0.1 reached through SIP_OUTBOUND_TRUNK,
 * echoing RTP), the call is recorded (outbound, owned by them, linked to the callback), its
 * audio runs both ways over the desk's audio WebSocket, the desk channel's audience rules
 * deliver its events to them, and they hang up. Refusals (not claimed by me, no trunk, no
 * phone) answer 4xx and leave calls and callbacks as they were. PGlite, embedded scheduler.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { mayReceive } from '../agent-desk/server/audience.js';
import { createUser } from '../auth/index.js';
import type { BusEvent } from '../core/events.js';
import { open as openSealed } from '../core/personal-data.js';
import { DEMO_PASSWORD } from '../org/index.js';
import { acceptedReply, callbackOf } from './helpers/cases.js';
import { endedCall, freePort, SIP_DIR, sippServer, startTelServer, type TelServer, until } from './sip/harness.js';

const CALLBACK_ENV = {
  DISPATCH_DEADLINE_CHECK_SECONDS: '0',
  CALLBACK_MODE: 'manual',
  CALLBACK_HOURS: '00:00-24:00',
  CALLBACK_WORKDAYS_ONLY: 'false',
  CALLBACK_ANSWER_SECONDS: '15',
};

const userId = async (s: TelServer, username: string) =>
  (await s.db.query<{ id: number }>('SELECT id FROM users WHERE username = $1', [username])).rows[0]?.id as number;

const counts = async (s: TelServer) =>
  (
    await s.db.query<{ calls: number; claimed: number }>(
      `SELECT (SELECT count(*)::int FROM calls) AS calls, (SELECT count(*)::int FROM callbacks WHERE state = 'claimed') AS claimed`,
    )
  ).rows[0];

/** A case with an accepted reply whose callback is due; claimed by `who` when given. */
async function dueCallback(s: TelServer, phone: string, who?: string) {
  const wo = await acceptedReply(s, { phone });
  const cb = await callbackOf(s, wo);
  assert.equal(cb.state, 'scheduled');
  if (who) {
    const r = await s.request(who, { method: 'POST', url: `/api/callbacks/${cb.id}/claim` });
    assert.equal(r.statusCode, 200, r.body);
  }
  return { wo, id: cb.id };
}

const open = (url: string, headers: Record<string, string>) =>
  new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });

describe('click-to-call with an outbound trunk', () => {
  let s: TelServer;
  let uas: ReturnType<typeof sippServer>;
  let base: string;
  const events: BusEvent[] = [];
  before(async () => {
    const uasPort = await freePort();
    // sipp's built-in UAS answers with SDP and, with -rtp_echo, sends back the RTP it gets.
    uas = sippServer({ port: uasPort, scenario: 'uas', extra: ['-m', '1', '-rtp_echo'] });
    s = await startTelServer('pglite', { ...CALLBACK_ENV, SIP_OUTBOUND_TRUNK: `127.0.0.1:${uasPort}` });
    await createUser(s.db, { username: 'callback2', password: DEMO_PASSWORD, role: 'callback', displayName: '回访员 二' });
    await s.app.listen({ port: 0, host: '127.0.0.1' });
    base = `ws://127.0.0.1:${(s.app.server.address() as { port: number }).port}`;
    s.bus.subscribeAll((e) => void events.push(e));
  });
  after(async () => {
    await s?.close();
    await uas?.stop();
  });

  test('refused unless I claimed it: 409, nothing recorded', async () => {
    const scheduled = await dueCallback(s, '13812348101');
    const other = await dueCallback(s, '13812348102', 'callback2');
    const before = await counts(s);
    const r1 = await s.request('callback', { method: 'POST', url: `/api/callbacks/${scheduled.id}/call` });
    assert.equal(r1.statusCode, 409, r1.body);
    assert.equal(r1.json().code, 'CALLBACK_CALL_NOT_CLAIMED');
    const r2 = await s.request('callback', { method: 'POST', url: `/api/callbacks/${other.id}/call` });
    assert.equal(r2.statusCode, 409, r2.body);
    assert.equal(r2.json().code, 'CALLBACK_CALL_NOT_YOURS');
    const r3 = await s.request('agent', { method: 'POST', url: `/api/callbacks/${other.id}/call` });
    assert.equal(r3.statusCode, 403, 'agents do not call back');
    assert.deepEqual(await counts(s), before);
    const row = (await s.db.query('SELECT state, claimed_by FROM callbacks WHERE id = $1', [other.id])).rows[0];
    assert.equal(row?.state, 'claimed');
    assert.equal(Number(row?.claimed_by), await userId(s, 'callback2'));
  });

  test('the claimant rings the citizen: recorded, audio both ways, events to them, hang-up', async () => {
    const me = await userId(s, 'callback');
    const { wo, id } = await dueCallback(s, '13812348103', 'callback');
    const placed = await s.request('callback', { method: 'POST', url: `/api/callbacks/${id}/call` });
    assert.equal(placed.statusCode, 202, placed.body);
    const { callId, state, workOrderId } = placed.json();
    assert.equal(state, 'ringing');
    assert.equal(workOrderId, wo);

    const rec = (
      await s.db.query<{ direction: string; channel: string; agent_id: number; callback_id: number; called_number: string }>(
        'SELECT direction, channel, agent_id, callback_id, called_number FROM calls WHERE id = $1',
        [callId],
      )
    ).rows[0];
    assert.equal(rec?.direction, 'outbound');
    assert.equal(rec?.channel, 'outbound');
    assert.equal(Number(rec?.agent_id), me);
    assert.equal(Number(rec?.callback_id), id);
    // The citizen's number is sealed at rest; it opens to the number that was rung.
    assert.match(String(rec?.called_number), /^enc1:/);
    assert.equal(openSealed(rec?.called_number as string), '13812348103');

    // A second call while this one is on is refused.
    const again = await s.request('callback', { method: 'POST', url: `/api/callbacks/${id}/call` });
    assert.equal(again.statusCode, 409, again.body);

    await until(
      async () =>
        events.some((e) => e.type === 'call.answered' && (e.payload as { callId: number }).callId === callId) ? true : undefined,
      15_000,
      `the citizen answering (sipp: ${uas.output().slice(-400)})`,
    );
    const live = (await s.request('callback', { method: 'GET', url: `/api/calls/${callId}` })).json();
    assert.equal(live.state, 'answered');
    assert.equal(live.agentId, me);
    assert.equal(live.details.callbackId, id);

    // Someone else may neither listen in as the speaker nor hang up.
    const otherCookie = await s.login('callback2');
    const intruder = await open(`${base}/ws/calls/${callId}/audio`, { cookie: otherCookie });
    const closed = await new Promise<number>((r) => intruder.once('close', (code) => r(code)));
    assert.equal(closed, 1008, 'the audio of another user call is refused');
    const theirHangup = await s.request('callback2', { method: 'POST', url: `/api/calls/${callId}/hangup` });
    assert.equal(theirHangup.statusCode, 409, theirHangup.body);

    // My desk: what I say goes to the citizen; sipp echoes it back, so I hear the far end.
    const desk = await open(`${base}/ws/calls/${callId}/audio`, { cookie: await s.login('callback') });
    let heard = 0;
    desk.on('message', (d, isBinary) => {
      if (isBinary) heard += (d as Buffer).length;
    });
    const frame = Buffer.alloc(320);
    for (let i = 0; i < 160; i++) frame.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000)), i * 2);
    for (let n = 0; n < 50; n++) {
      desk.send(frame);
      await new Promise((r) => setTimeout(r, 20));
    }
    await until(async () => (heard >= 320 * 20 ? true : undefined), 10_000, `the echoed audio (heard ${heard} bytes)`);

    const ended = new Promise<number>((r) => desk.once('close', (code) => r(code)));
    const hung = await s.request('callback', { method: 'POST', url: `/api/calls/${callId}/hangup` });
    assert.equal(hung.statusCode, 200, hung.body);
    assert.equal(await ended, 1000, 'the desk audio closes when the call ends');
    const done = await endedCall(s, callId);
    assert.equal(done.endReason, 'answered');
    assert.equal(done.direction, 'outbound');

    // The desk channel delivers this call's events to me, and not to the other staff member.
    const mine = { calls: new Set<string>() };
    const theirs = { calls: new Set<string>() };
    const callEvents = events.filter((e) => (e.payload as { callId?: number }).callId === callId);
    const types = callEvents.map((e) => e.type);
    for (const t of ['callback.calling', 'call.dialing', 'call.answered', 'call.ended']) assert.ok(types.includes(t as never), t);
    const user = (id: number) => ({ id, role: 'callback' as const, orgUnitId: null });
    for (const e of callEvents) {
      assert.ok(mayReceive(user(me), e, mine), `${e.type} reaches the caller`);
      if (e.type.startsWith('call.')) assert.ok(!mayReceive(user(await userId(s, 'callback2')), e, theirs), `${e.type} not to others`);
    }

    // The outcome is still recorded through the queue.
    const result = await s.request('callback', {
      method: 'POST',
      url: `/api/callbacks/${id}/result`,
      payload: { outcome: 'satisfied', note: '电话回访，市民满意' },
    });
    assert.equal(result.statusCode, 200, result.body);
  });
});

describe('click-to-call hung up while it rings', () => {
  let s: TelServer;
  let uas: ReturnType<typeof sippServer>;
  before(async () => {
    const uasPort = await freePort();
    uas = sippServer({ port: uasPort, scenario: join(SIP_DIR, 'uas-ring-cancel.xml'), extra: ['-m', '1'] });
    s = await startTelServer('pglite', { ...CALLBACK_ENV, SIP_OUTBOUND_TRUNK: `127.0.0.1:${uasPort}` });
  });
  after(async () => {
    await s?.close();
    await uas?.stop();
  });

  test('挂断 before the citizen answers cancels the INVITE; the call ends abandoned', async () => {
    const { id } = await dueCallback(s, '13812348106', 'callback');
    let ringing = false;
    const off = s.bus.subscribe('call.dialing', () => {
      ringing = true;
    });
    const placed = await s.request('callback', { method: 'POST', url: `/api/callbacks/${id}/call` });
    assert.equal(placed.statusCode, 202, placed.body);
    const { callId } = placed.json();
    await until(async () => (ringing ? true : undefined), 5000, 'call.dialing');
    off();
    // Let the 180 arrive so the CANCEL meets a ringing phone.
    await new Promise((r) => setTimeout(r, 500));
    const hung = await s.request('callback', { method: 'POST', url: `/api/calls/${callId}/hangup` });
    assert.equal(hung.statusCode, 200, hung.body);
    const done = await endedCall(s, callId);
    assert.equal(done.endReason, 'abandoned');
    assert.equal(done.answeredAt, null);
    assert.equal(done.details.detail, 'cancelled');
    const cb = (await s.db.query('SELECT state FROM callbacks WHERE id = $1', [id])).rows[0];
    assert.equal(cb?.state, 'claimed', 'hanging up records no outcome');
  });
});

describe('click-to-call without an outbound trunk', () => {
  let s: TelServer;
  before(async () => {
    s = await startTelServer('pglite', CALLBACK_ENV);
  });
  after(async () => {
    await s?.close();
  });

  test('400 with what to configure; nothing recorded or changed', async () => {
    const { id } = await dueCallback(s, '13812348104', 'callback');
    const before = await counts(s);
    const r = await s.request('callback', { method: 'POST', url: `/api/callbacks/${id}/call` });
    assert.equal(r.statusCode, 400, r.body);
    // Telephony is mounted, without a trunk: its refusal (CLICK_TO_CALL_UNAVAILABLE is callback's, without telephony).
    assert.equal(r.json().code, 'OUTBOUND_TRUNK_MISSING');
    assert.deepEqual(await counts(s), before);
    const row = (await s.db.query('SELECT state, attempts FROM callbacks WHERE id = $1', [id])).rows[0];
    assert.deepEqual({ ...row }, { state: 'claimed', attempts: 0 });
  });

  test('400 when the case has no phone number', async () => {
    const { wo, id } = await dueCallback(s, '13812348105', 'callback');
    // A number removed after scheduling (corrected as wrong): the call has nothing to dial.
    await s.db.query('UPDATE work_orders SET caller_phone = NULL WHERE id = $1', [wo]);
    const r = await s.request('callback', { method: 'POST', url: `/api/callbacks/${id}/call` });
    assert.equal(r.statusCode, 400, r.body);
    assert.equal(r.json().code, 'CALLBACK_NO_PHONE');
    assert.equal((await counts(s))?.calls, 0);
  });
});
