/**
 * The callback queue through HTTP on both database engines, in embedded mode (no Redis):
 * scheduling in the call window, skips, claims, outcomes closing or reopening the case,
 * retries then unreachable, and automated jobs run by the embedded scheduler.
 * The survey dialer in the automated tests is a stand-in for the citizen's phone (the SIP
 * path is covered by callback-survey-sip.test.ts); everything else is real.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MODULES } from '../app/modules.js';
import { createUser } from '../auth/index.js';
import { registerCallback, type SurveyAnswer } from '../callback/index.js';
import { ENGINES } from '../db/testing.js';
import { dispatchSettingsFrom, isWorkday, loadCalendar } from '../dispatch/index.js';
import { DEMO_PASSWORD } from '../org/index.js';
import { acceptedReply, callbackOf, caseState, until } from './helpers/cases.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const base = MODULES.filter((m) => ['auth', 'org', 'dispatch'].includes(m.name));

for (const engine of ENGINES) {
  describe(`callback queue on ${engine} (embedded scheduler)`, () => {
    let s: TestServer;
    // What the stand-in citizen does on the next survey calls, in order.
    const script: SurveyAnswer[] = [];
    const dialled: string[] = [];
    let service: Awaited<ReturnType<typeof registerCallback>>;

    before(async () => {
      s = await startTestServer(engine, {
        env: {
          DISPATCH_DEADLINE_CHECK_SECONDS: '0',
          CALLBACK_HOURS: '00:00-24:00',
          CALLBACK_WORKDAYS_ONLY: 'false',
          CALLBACK_RETRY_MINUTES: '0',
          CALLBACK_POLL_MS: '100000',
        },
        modules: [
          ...base,
          {
            name: 'callback',
            register: async (app, ctx, config) => {
              service = await registerCallback(app, ctx, config.values, {
                dial: async (phone) => {
                  dialled.push(phone);
                  return script.shift() ?? { answered: false };
                },
              });
            },
          },
        ],
      });
      await createUser(s.db, { username: 'callback2', password: DEMO_PASSWORD, role: 'callback', orgUnitCode: 'centre' });
    });
    after(async () => {
      await s?.close();
    });

    const claim = (as: string, id: number) => s.request(as, { method: 'POST', url: `/api/callbacks/${id}/claim` });
    const result = (as: string, id: number, payload: Record<string, unknown>) =>
      s.request(as, { method: 'POST', url: `/api/callbacks/${id}/result`, payload });

    test('an accepted reply schedules a callback inside the call window, listed as due', async () => {
      const before = Date.now();
      const wo = await acceptedReply(s);
      const cb = await callbackOf(s, wo);
      assert.equal(cb.state, 'scheduled');
      assert.equal(cb.mode, 'manual');
      const due = new Date(cb.due_at).getTime();
      assert.ok(due >= before - 1000 && due <= Date.now() + 1000, 'with 00:00-24:00 windows it is due at once');
      const list = await s.request('callback', { method: 'GET', url: '/api/callbacks?view=due' });
      assert.equal(list.statusCode, 200, list.body);
      const item = list.json().items.find((i: { id: number }) => i.id === cb.id);
      assert.ok(item, 'in the due list');
      assert.equal(item.callerPhone, '138****8000', 'masked before it is claimed');
      assert.equal((await s.request('agent', { method: 'GET', url: '/api/callbacks' })).statusCode, 403, 'agents may not');
    });

    test('a restricted window: due at the next window start on a working day', async () => {
      // The scheduler's own policy with the real calendar, checked against the row it writes.
      const settings = {
        ...service.settings,
        windows: [[9 * 60, 12 * 60] as [number, number], [14 * 60, 20 * 60] as [number, number]],
        workdaysOnly: true,
      };
      const saved = service.deps.settings;
      service.deps.settings = settings;
      try {
        const t0 = Date.now();
        const wo = await acceptedReply(s);
        const cb = await callbackOf(s, wo);
        const due = new Date(cb.due_at).getTime();
        const cal = await loadCalendar(s.db, dispatchSettingsFrom({}));
        const local = new Date(due + cal.utcOffsetMinutes * 60_000);
        const minutes = local.getUTCHours() * 60 + local.getUTCMinutes();
        assert.ok(
          (minutes >= 540 && minutes < 720) || (minutes >= 840 && minutes < 1200),
          `due ${local.toISOString()} (local) is in a window`,
        );
        assert.ok(isWorkday(cal, Math.floor((due + cal.utcOffsetMinutes * 60_000) / 86_400_000)), 'on a working day');
        assert.ok(due >= t0 - 1000, 'not in the past');
        assert.ok(due - t0 < 5 * 86_400_000, 'within the next working day (no long holiday in the test dates)');
      } finally {
        service.deps.settings = saved;
      }
    });

    test('anonymous callers who declined contact are not called: the case closes with the reason', async () => {
      const wo = await acceptedReply(s, { anonymous: true, contactAllowed: false });
      const st = await until(async () => {
        const c = await caseState(s, wo);
        return c?.state === 'closed' ? c : undefined;
      });
      assert.equal(st.state, 'closed');
      const n = await s.db.query('SELECT 1 FROM callbacks WHERE work_order_id = $1', [wo]);
      assert.equal(n.rowCount, 0);
    });

    test('two staff claim the same callback at once: exactly one wins, the other gets 409', async () => {
      const cb = await callbackOf(s, await acceptedReply(s));
      const [a, b] = await Promise.all([claim('callback', cb.id), claim('callback2', cb.id)]);
      const codes = [a.statusCode, b.statusCode].sort();
      assert.deepEqual(codes, [200, 409], `${a.body} / ${b.body}`);
      const winner = a.statusCode === 200 ? a : b;
      assert.equal(winner.json().callerPhone, '13812348000', 'the claimer sees the whole number');
      const loser = a.statusCode === 200 ? b : a;
      assert.equal(loser.json().code, 'CALLBACK_CLAIMED_BY_OTHER');
      const row = (await s.db.query<{ claimed_by: number }>('SELECT claimed_by FROM callbacks WHERE id = $1', [cb.id])).rows[0];
      assert.equal(row?.claimed_by, winner.json().claimedBy);
      // The loser may not record the winner's result.
      const who = a.statusCode === 200 ? 'callback2' : 'callback';
      assert.equal((await result(who, cb.id, { outcome: 'satisfied' })).statusCode, 403);
      const mine = await s.request(a.statusCode === 200 ? 'callback' : 'callback2', { method: 'GET', url: '/api/callbacks?view=mine' });
      assert.ok(mine.json().items.some((i: { id: number }) => i.id === cb.id));
    });

    test('满意 closes the case with the outcome recorded', async () => {
      const wo = await acceptedReply(s);
      const cb = await callbackOf(s, wo);
      assert.equal((await claim('callback', cb.id)).statusCode, 200);
      const r = await result('callback', cb.id, { outcome: 'satisfied', note: '市民表示满意' });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().state, 'done');
      assert.equal(r.json().outcome, 'satisfied');
      const c = await caseState(s, wo);
      assert.equal(c?.state, 'closed');
      assert.equal(c?.callback_outcome, 'satisfied');
      assert.equal((await result('callback', cb.id, { outcome: 'satisfied' })).statusCode, 409, 'recorded once');
    });

    test('不满意 reopens the case to the same department with a new deadline', async () => {
      const wo = await acceptedReply(s);
      const before = await caseState(s, wo);
      const cb = await callbackOf(s, wo);
      await claim('callback', cb.id);
      const r = await result('callback', cb.id, { outcome: 'unsatisfied', note: '井盖仍未补装' });
      assert.equal(r.statusCode, 200, r.body);
      const c = await caseState(s, wo);
      assert.equal(c?.state, 'dispatched');
      assert.equal(c?.department_id, before?.department_id);
      assert.equal(c?.callback_outcome, 'unsatisfied');
      assert.ok(c?.deadline_at && Date.parse(c.deadline_at) > Date.now(), 'a new deadline');
    });

    test('bad input: unknown outcome 400, unknown callback 404, result before claim 409; nothing changes', async () => {
      const cb = await callbackOf(s, await acceptedReply(s));
      assert.equal((await result('callback', cb.id, { outcome: 'happy' })).statusCode, 400);
      assert.equal((await result('callback', cb.id, { outcome: 'satisfied' })).statusCode, 409);
      assert.equal((await claim('callback', 999999)).json().code, 'CALLBACK_NOT_FOUND');
      const row = (await s.db.query<{ state: string }>('SELECT state FROM callbacks WHERE id = $1', [cb.id])).rows[0];
      assert.equal(row?.state, 'scheduled');
    });

    test('联系不上 retries until the last attempt, then unreachable and the case closes', async () => {
      const wo = await acceptedReply(s);
      const cb = await callbackOf(s, wo);
      for (let i = 1; i <= 3; i++) {
        assert.equal((await claim('callback', cb.id)).statusCode, 200, `claim ${i}`);
        const r = await result('callback', cb.id, { outcome: 'unreachable', note: `第${i}次未接` });
        assert.equal(r.statusCode, 200, r.body);
        assert.equal(r.json().attempts, i);
        assert.equal(r.json().state, i < 3 ? 'scheduled' : 'unreachable');
      }
      const c = await caseState(s, wo);
      assert.equal(c?.state, 'closed');
      assert.equal(c?.callback_outcome, 'unreachable');
    });

    test('automated survey: unanswered attempts are retried by the scheduler, then unreachable', async () => {
      service.deps.settings = { ...service.deps.settings, mode: 'auto' };
      try {
        const wo = await acceptedReply(s);
        const cb = await callbackOf(s, wo);
        assert.equal(cb.mode, 'auto');
        script.push({ answered: false }, { answered: true }, { answered: false });
        for (let i = 0; i < 3; i++) await service.runner.sweep();
        const row = (
          await s.db.query<{ state: string; attempts: number; attempt_log: unknown[] }>('SELECT * FROM callbacks WHERE id = $1', [cb.id])
        ).rows[0];
        assert.equal(row?.state, 'unreachable');
        assert.equal(row?.attempts, 3);
        assert.equal((await caseState(s, wo))?.state, 'closed');
        assert.ok(dialled.length >= 3);

        const wo2 = await acceptedReply(s);
        const cb2 = await callbackOf(s, wo2);
        script.push({ answered: false }, { answered: true, digit: '2' });
        await service.runner.sweep();
        await service.runner.sweep();
        const r2 = (
          await s.db.query<{ state: string; outcome: string; attempts: number }>('SELECT * FROM callbacks WHERE id = $1', [cb2.id])
        ).rows[0];
        assert.deepEqual([r2?.state, r2?.outcome, r2?.attempts], ['done', 'basically_satisfied', 2]);
        assert.equal((await caseState(s, wo2))?.callback_outcome, 'basically_satisfied');
      } finally {
        service.deps.settings = { ...service.deps.settings, mode: 'manual' };
      }
    });

    test('a case accepted while the module was not listening is scheduled on catch-up', async () => {
      const wo = await acceptedReply(s);
      await callbackOf(s, wo);
      await s.db.query('DELETE FROM callbacks WHERE work_order_id = $1', [wo]);
      assert.ok((await service.catchUp()) >= 1);
      assert.equal((await callbackOf(s, wo)).state, 'scheduled');
    });
  });
}
