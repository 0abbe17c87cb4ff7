import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestDb, ENGINES, type TestDb } from '../db/testing.js';
import { MetricsErrors } from './errors.js';
import { report } from './report.js';
import { wallboard } from './wallboard.js';

const TZ = 'Asia/Shanghai';
const at = (s: string) => `2026-03-0${s}+08`;

/** A small, hand-checked history on 2 and 3 March 2026 (see the expected figures below). */
async function insertHistory(db: TestDb) {
  const unit = async (code: string) =>
    (await db.query<{ id: number }>(`INSERT INTO org_units (code, name, kind) VALUES ($1, $1, 'department') RETURNING id`, [code])).rows[0]!
      .id;
  const d1 = await unit('部门一');
  const d2 = await unit('部门二');
  const cat = async (code: string) =>
    (await db.query<{ id: number }>(`INSERT INTO categories (code, name, level) VALUES ($1, $1, 1) RETURNING id`, [code])).rows[0]!.id;
  const x = await cat('噪音');
  const y = await cat('道路');

  const call = (arrived: string, answeredAfter: number | null, talk: number | null, reason: string, direction = 'inbound') =>
    db.query(
      `INSERT INTO calls (direction, state, arrived_at, answered_at, ended_at, end_reason)
       VALUES ($1, 'ended', $2::timestamptz, $2::timestamptz + make_interval(secs => $3),
               $2::timestamptz + make_interval(secs => coalesce($3, 0) + coalesce($4, 5)), $5)`,
      [direction, arrived, answeredAfter, talk, reason],
    );
  await call(at('2 10:00'), 10, 60, 'answered');
  await call(at('2 10:05'), 30, 120, 'answered');
  await call(at('2 11:00'), null, null, 'abandoned');
  await call(at('4 10:00'), 5, 60, 'answered');
  await call(at('2 12:00'), 5, 60, 'answered', 'outbound');

  const order = async (n: string, created: string, catId: number, dept: number | null, deadline: string | null, closed: string | null) =>
    (
      await db.query<{ id: number }>(
        `INSERT INTO work_orders (number, channel, description, category_id, department_id, state, created_at, deadline_at, closed_at)
         VALUES ($1, 'hotline', '测试', $2, $3, $4, $5, $6, $7) RETURNING id`,
        [n, catId, dept, closed ? 'closed' : 'dispatched', created, deadline, closed],
      )
    ).rows[0]!.id;
  const w1 = await order('W1', at('2 09:00'), x, d1, at('3 09:00'), at('3 10:00'));
  const w2 = await order('W2', at('2 09:30'), x, d2, at('2 12:00'), at('2 16:00'));
  await order('W3', at('3 08:00'), y, null, at('3 10:00'), null);
  const w4 = await order('W4', at('1 09:00'), y, d1, null, at('2 10:00'));

  const event = (id: number, action: string, to: string, when: string) =>
    db.query(`INSERT INTO work_order_events (work_order_id, action, to_state, created_at) VALUES ($1, $2, $3, $4)`, [id, action, to, when]);
  await event(w1, 'dispatch', 'dispatched', at('2 10:00'));
  await event(w1, 'reply', 'replied', at('2 20:00'));
  await event(w2, 'reply', 'replied', at('2 15:00'));

  // Callback outcomes arrive with the close or reopen they lead to; a close without one is no survey.
  const outcome = (id: number, action: string, value: string | null, when: string) =>
    db.query(`INSERT INTO work_order_events (work_order_id, action, to_state, data, created_at) VALUES ($1, $2, 'closed', $3::jsonb, $4)`, [
      id,
      action,
      JSON.stringify({ callbackOutcome: value }),
      when,
    ]);
  await outcome(w1, 'close', 'satisfied', at('3 09:00'));
  await outcome(w2, 'reopen', 'unsatisfied', at('3 09:30'));
  await outcome(w4, 'close', 'unreachable', at('3 10:00'));
  await outcome(w4, 'close', null, at('3 10:00'));
  await outcome(w4, 'supervise', 'satisfied', at('3 10:00'));
}

for (const engine of ENGINES) {
  describe(`metrics figures on ${engine}`, () => {
    let db: TestDb;
    before(async () => {
      db = await createTestDb(engine);
      await insertHistory(db);
    });
    after(() => db.destroy());

    test('a period report counts calls, work orders and callbacks by the documented definitions', async () => {
      const r = await report(db, '2026-03-02', '2026-03-03', TZ);
      assert.deepEqual(r.calls, {
        offered: 3,
        answered: 2,
        abandoned: 1,
        answeredWithin15s: 1,
        answerRate: 0.6667,
        serviceLevel15s: 0.3333,
        avgHandlingSeconds: 90,
      });
      assert.deepEqual(r.cases, {
        created: 3,
        dispatched: 1,
        closed: 3,
        overdueNow: 1,
        completed: 2,
        completedOnTime: 1,
        onTimeRate: 0.5,
        createdClosed: 2,
        resolutionRate: 0.6667,
        surveyed: 2,
        satisfied: 1,
        satisfactionRate: 0.5,
        reopened: 1,
        reopenRate: 0.5,
      });
      assert.deepEqual(
        r.byDay.map((d) => [d.key, d.created, d.closed]),
        [
          ['2026-03-02', 2, 2],
          ['2026-03-03', 1, 0],
        ],
      );
      const noise = r.byCategory.find((c) => c.name === '噪音');
      assert.deepEqual(noise && [noise.created, noise.closed, noise.onTimeRate, noise.satisfactionRate], [2, 2, 0.5, 0.5]);
      const road = r.byCategory.find((c) => c.name === '道路');
      assert.deepEqual(road && [road.created, road.overdueNow, road.onTimeRate], [1, 1, null]);
      assert.deepEqual(r.byDepartment.map((d) => d.name).sort(), ['未派发', '部门一', '部门二']);
    });

    test('days are calendar days of the configured time zone', async () => {
      // 10:00 on the 4th in Shanghai is 02:00 UTC: in the 4th in both zones; the 2nd 09:00 +08 is the 2nd 01:00 UTC.
      const shanghai = await report(db, '2026-03-04', '2026-03-04', TZ);
      assert.equal(shanghai.calls.offered, 1);
      const newYork = await report(db, '2026-03-01', '2026-03-01', 'America/New_York');
      // Evening of the 1st in New York holds the 2nd's morning calls of Shanghai.
      assert.equal(newYork.calls.offered, 3);
    });

    test('an empty period gives zeros and null rates, never a false 0 %', async () => {
      const r = await report(db, '2026-03-05', '2026-03-05', TZ);
      assert.equal(r.calls.offered, 0);
      assert.equal(r.calls.answerRate, null);
      assert.equal(r.cases.created, 0);
      assert.equal(r.cases.resolutionRate, null);
      assert.equal(r.cases.satisfactionRate, null);
      assert.deepEqual(r.byDay, []);
    });

    test('the wallboard shows the queue now and today', async () => {
      await db.query(
        `INSERT INTO calls (state, arrived_at) VALUES ('queued', now() - interval '42 seconds'), ('offered', now() - interval '5 seconds')`,
      );
      await db.query(
        `INSERT INTO calls (state, arrived_at, answered_at) VALUES ('answered', now() - interval '20 seconds', now() - interval '12 seconds')`,
      );
      const w = await wallboard(db, TZ, null);
      assert.equal(w.queue.waiting, 2);
      assert.ok(w.queue.longestWaitSeconds >= 42 && w.queue.longestWaitSeconds < 60, `longest wait ${w.queue.longestWaitSeconds}`);
      assert.equal(w.queue.inProgress, 1);
      assert.equal(w.calls.offered, 3);
      assert.equal(w.calls.answered, 1);
      assert.equal(w.calls.answeredWithin15s, 1);
      assert.equal(w.callsByHour.length, 24);
      assert.equal(
        w.callsByHour.reduce((s, h) => s + h.offered, 0),
        3,
      );
      assert.equal(w.cases.overdueNow, 1);
      assert.equal(w.agents, null);
    });

    test('bad periods are refused with a message that says what to do', async () => {
      const badDay = (e: unknown) => MetricsErrors.REPORT_DAY_INVALID.is(e) && e.params.name === 'from';
      await assert.rejects(report(db, '2026-3-1', '2026-03-02', TZ), badDay);
      await assert.rejects(report(db, '2026-02-30', '2026-03-02', TZ), badDay);
      await assert.rejects(report(db, '2026-03-02', '2026-03-01', TZ), (e) => MetricsErrors.REPORT_PERIOD_REVERSED.is(e));
      await assert.rejects(
        report(db, '2024-01-01', '2026-03-01', TZ),
        (e) => MetricsErrors.REPORT_PERIOD_TOO_LONG.is(e) && e.params.max === 366,
      );
    });
  });
}
