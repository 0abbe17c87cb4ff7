/**
 * Survey jobs that loop or vanish (#14). On both database engines, with the embedded
 * scheduler and with BullMQ on the machine's Redis (127.0.0.1:6379, a key prefix of its own
 * per suite, removed after):
 * - a survey result whose write fails once is recorded on a retry without a second call;
 *   one that cannot be written ends in the dead letter (failed) after one call, where the
 *   callback staff see the reason and retry it or take it over;
 * - attempts stop at CALLBACK_MAX_ATTEMPTS also for a row a dead worker left behind and a
 *   fresh runner (a restart) or a stray queue job;
 * - a scheduling that fails after the review committed is made good by the reconcile;
 * - under load with two runners (two processes) every case has one callback and every
 *   citizen is called exactly as often as the script says.
 * Faults are injected by triggers in the test database (a sequence makes "once" survive
 * the rolled-back transaction). The survey dialer is a stand-in for the citizen's phone
 * (the SIP path is callback-survey-sip.test.ts) and the logger a stand-in that keeps the
 * lines; the queue, Redis and the database are real.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Queue } from 'bullmq';
import type { FastifyBaseLogger } from 'fastify';
import { MODULES } from '../app/modules.js';
import {
  type CallbackService,
  type Runner,
  registerCallback,
  runSurveyJob,
  type SurveyAnswer,
  type SurveyDialer,
  startBullRunner,
  startEmbeddedRunner,
} from '../callback/index.js';
import { phoneHash } from '../core/personal-data.js';
import { ENGINES } from '../db/testing.js';
import { acceptedReply, caseState, until } from './helpers/cases.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const base = MODULES.filter((m) => ['auth', 'org', 'dispatch'].includes(m.name));
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Row = {
  id: number;
  state: string;
  mode: string;
  attempts: number;
  max_attempts: number;
  outcome: string | null;
  failure_reason: string | null;
  attempt_log: { result: string }[];
};

/** Keeps what the callback module logs, at every level. */
function recordingLogger(lines: string[]): FastifyBaseLogger {
  const keep =
    () =>
    (...args: unknown[]) => {
      lines.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    };
  const log = { level: 'info', error: keep(), warn: keep(), info: keep(), debug: keep(), trace: keep(), fatal: keep(), silent: () => {} };
  return { ...log, child: () => recordingLogger(lines) } as unknown as FastifyBaseLogger;
}

for (const engine of ENGINES) {
  for (const queue of ['embedded', 'bullmq'] as const) {
    describe(`survey jobs on ${engine} with the ${queue === 'bullmq' ? 'BullMQ queue on Redis' : 'embedded scheduler'}`, {
      timeout: 120_000,
    }, () => {
      let s: TestServer;
      let service: CallbackService;
      const prefix = `hotline-test-jobs-${process.pid}-${randomBytes(3).toString('hex')}`;
      const lines: string[] = [];
      /** Survey calls placed, per callback id. */
      const calls = new Map<number, number>();
      /** What the citizen of a phone number does on the next calls, in order; then key 1. */
      const script = new Map<string, SurveyAnswer[]>();
      const dial: SurveyDialer = async (phone, id) => {
        calls.set(id, (calls.get(id) ?? 0) + 1);
        await sleep(30);
        return script.get(phone)?.shift() ?? { answered: true, digit: '1' };
      };
      const env = {
        ...(queue === 'bullmq' ? { REDIS_URL } : {}),
        DISPATCH_DEADLINE_CHECK_SECONDS: '0',
        CALLBACK_MODE: 'auto',
        CALLBACK_HOURS: '00:00-24:00',
        CALLBACK_WORKDAYS_ONLY: 'false',
        CALLBACK_RETRY_MINUTES: '0.005',
        CALLBACK_POLL_MS: '100',
        CALLBACK_LEASE_SECONDS: '1',
        CALLBACK_RECONCILE_MS: '200',
        CALLBACK_QUEUE_PREFIX: prefix,
      };
      /** A second runner over the same database and queue: another process, or this one after a restart. */
      const secondRunner = (): Runner => {
        const o = { deps: service.deps, dial, log: (m: string) => lines.push(`second runner: ${m}`) };
        return queue === 'bullmq' ? startBullRunner({ ...o, redisUrl: REDIS_URL }) : startEmbeddedRunner(o);
      };
      const rowsOf = async (wo: number) =>
        (await s.db.query<Row>('SELECT * FROM callbacks WHERE work_order_id = $1 ORDER BY id', [wo])).rows;
      const rowWhen = (wo: number, ok: (r: Row) => boolean, ms: number, what: string) =>
        until(
          async () => {
            const r = (await rowsOf(wo)).at(-1);
            return r && ok(r) ? r : undefined;
          },
          ms,
          what,
        );
      const events = async (wo: number, action: string) =>
        (await s.db.query('SELECT 1 FROM work_order_events WHERE work_order_id = $1 AND action = $2', [wo, action])).rowCount;

      before(async () => {
        s = await startTestServer(engine, {
          env,
          modules: [
            ...base,
            {
              name: 'callback',
              register: async (app, ctx, config) => {
                service = await registerCallback(app, { ...ctx, log: recordingLogger(lines) }, config.values, { dial });
              },
            },
          ],
        });
        assert.equal(service.runner.mode, queue);
      });
      after(async () => {
        await s?.close();
        if (queue === 'bullmq') {
          const url = new URL(REDIS_URL);
          const q = new Queue('callbacks', { connection: { host: url.hostname, port: Number(url.port || 6379) }, prefix });
          await q.obliterate({ force: true }).catch(() => {});
          await q.close();
        }
      });

      test('the write after a survey result fails once: recorded on the retry, one call, one close', async () => {
        await s.db.exec(`
          CREATE SEQUENCE fault_result_once;
          CREATE FUNCTION fault_result_once() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            IF NEW.state IN ('done', 'unreachable') AND OLD.state <> NEW.state THEN
              IF (SELECT caller_phone_hash FROM work_orders WHERE id = NEW.work_order_id) = '${phoneHash('13900000001')}' THEN
                IF nextval('fault_result_once') = 1 THEN
                  RAISE EXCEPTION 'injected fault: the write after a survey result fails once';
                END IF;
              END IF;
            END IF;
            RETURN NEW;
          END $$;
          CREATE TRIGGER fault_result_once BEFORE UPDATE ON callbacks FOR EACH ROW EXECUTE FUNCTION fault_result_once();`);
        try {
          const wo = await acceptedReply(s, { phone: '13900000001' });
          const row = await rowWhen(wo, (r) => r.state !== 'scheduled', 10_000, 'the survey result recorded');
          // Longer than the lease: a callback left scheduled beside a closed case would be called again now.
          await sleep(1500);
          assert.equal(calls.get(row.id), 1, 'the citizen was called once');
          const now = (await rowsOf(wo))[0] as Row;
          assert.deepEqual([now.state, now.outcome, now.attempts], ['done', 'satisfied', 1]);
          assert.equal((await caseState(s, wo))?.state, 'closed');
          assert.equal(await events(wo, 'close'), 1, 'one close in the audit trail');
          assert.ok(
            lines.some((l) => l.includes(`callback ${row.id}: the survey result could not be written`)),
            'the failed write is in the log',
          );
        } finally {
          await s.db.exec(
            'DROP TRIGGER fault_result_once ON callbacks; DROP FUNCTION fault_result_once(); DROP SEQUENCE fault_result_once;',
          );
        }
      });

      test('a result that cannot be written ends in 失败/需人工 after one call; staff take it over or requeue it', async () => {
        await s.db.exec(`
          CREATE TABLE fault_result_on (phone text PRIMARY KEY);
          INSERT INTO fault_result_on VALUES ('${phoneHash('13900000002')}'), ('${phoneHash('13900000003')}');
          CREATE FUNCTION fault_result_always() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            IF NEW.state IN ('done', 'unreachable') AND OLD.state <> NEW.state THEN
              IF EXISTS (SELECT 1 FROM fault_result_on f JOIN work_orders w ON w.caller_phone_hash = f.phone WHERE w.id = NEW.work_order_id) THEN
                RAISE EXCEPTION 'injected fault: the database refuses the result';
              END IF;
            END IF;
            RETURN NEW;
          END $$;
          CREATE TRIGGER fault_result_always BEFORE UPDATE ON callbacks FOR EACH ROW EXECUTE FUNCTION fault_result_always();`);
        try {
          const [woA, woB] = await Promise.all([acceptedReply(s, { phone: '13900000002' }), acceptedReply(s, { phone: '13900000003' })]);
          const a = await rowWhen(woA as number, (r) => r.state === 'failed', 15_000, 'callback A in the dead letter');
          const b = await rowWhen(woB as number, (r) => r.state === 'failed', 15_000, 'callback B in the dead letter');
          await sleep(1500);
          await service.catchUp();
          for (const [wo, r] of [
            [woA, a],
            [woB, b],
          ] as [number, Row][]) {
            assert.equal(calls.get(r.id), 1, 'called once, not again after the lease ran out');
            assert.equal(r.attempts, 1);
            assert.match(r.failure_reason ?? '', /满意.*未能写入.*injected fault/);
            assert.ok(
              r.attempt_log.some((x) => x.result === 'satisfied'),
              'what the citizen pressed is kept',
            );
            assert.equal((await caseState(s, wo))?.state, 'callback_pending', 'the case still waits for its callback');
            assert.equal((await rowsOf(wo)).length, 1, 'the reconcile adds no second callback beside a failed one');
          }
          assert.ok(lines.some((l) => l.includes(`callback ${a.id} (work order`) && l.includes('moved to 失败/需人工')));

          // The callback staff's view of the dead letter.
          const list = await s.request('callback', { method: 'GET', url: '/api/callbacks?view=all&state=failed' });
          assert.equal(list.statusCode, 200, list.body);
          const item = list.json().items.find((i: { id: number }) => i.id === a.id);
          assert.match(item?.failureReason ?? '', /未能写入/);
          assert.equal(item?.callerPhone, '139****0002', 'masked in the list');

          await s.db.exec('DELETE FROM fault_result_on');
          // A: 转人工回访, the staff member records what the citizen says.
          const took = await s.request('callback', { method: 'POST', url: `/api/callbacks/${a.id}/take-over` });
          assert.equal(took.statusCode, 200, took.body);
          assert.deepEqual([took.json().state, took.json().mode, took.json().callerPhone], ['claimed', 'manual', '13900000002']);
          assert.equal((await s.request('callback', { method: 'POST', url: `/api/callbacks/${a.id}/take-over` })).statusCode, 409);
          const res = await s.request('callback', {
            method: 'POST',
            url: `/api/callbacks/${a.id}/result`,
            payload: { outcome: 'satisfied' },
          });
          assert.equal(res.statusCode, 200, res.body);
          assert.equal((await caseState(s, woA as number))?.state, 'closed');
          // B: 重新排队, the survey calls again and completes.
          const again = await s.request('callback', { method: 'POST', url: `/api/callbacks/${b.id}/retry` });
          assert.equal(again.statusCode, 200, again.body);
          assert.equal(again.json().state, 'scheduled');
          const doneB = await rowWhen(woB as number, (r) => r.state === 'done', 10_000, 'the requeued survey');
          assert.equal(calls.get(b.id), 2);
          assert.equal(doneB.outcome, 'satisfied');
          assert.equal((await caseState(s, woB as number))?.state, 'closed');
          assert.equal(calls.get(a.id), 1, 'the taken-over callback is not called by the survey');
          // A closed case's callback cannot be requeued.
          assert.equal((await s.request('callback', { method: 'POST', url: `/api/callbacks/${a.id}/retry` })).statusCode, 409);
        } finally {
          await s.db.exec(
            'DROP TRIGGER fault_result_always ON callbacks; DROP FUNCTION fault_result_always(); DROP TABLE fault_result_on;',
          );
        }
      });

      test('attempts stop at the limit for a row a dead worker left, after a restart and for a stray queue job', async () => {
        const phone = '13900000004';
        // Scheduled as a manual callback first, so that no runner calls before the row is set up.
        service.deps.settings = { ...service.deps.settings, mode: 'manual' };
        let wo: number;
        try {
          wo = await acceptedReply(s, { phone });
        } finally {
          service.deps.settings = { ...service.deps.settings, mode: 'auto' };
        }
        const first = await rowWhen(wo, () => true, 5000, 'the callback');
        // What a worker killed during the last allowed call leaves: attempts used up, lease run out.
        await s.db.query(
          `UPDATE callbacks SET mode = 'auto', attempts = max_attempts, due_at = now(), lease_until = now() - interval '1 second',
              last_attempt_at = now() WHERE id = $1`,
          [first.id],
        );
        // The job itself, as a stray queue entry would run it: the lease is refused.
        assert.equal(await runSurveyJob(service.deps, first.id, dial), 'not_due');
        const restarted = secondRunner();
        try {
          restarted.enqueue(first.id, first.max_attempts, new Date());
          service.runner.enqueue(first.id, first.max_attempts, new Date());
          const failed = await rowWhen(wo, (r) => r.state === 'failed', 5000, 'the dead letter');
          await sleep(1000);
          assert.equal(calls.get(first.id), undefined, 'no call beyond the limit');
          assert.equal(failed.attempts, failed.max_attempts);
          assert.match(failed.failure_reason ?? '', /已拨打 3 次（上限 3 次）/);
          assert.equal((await caseState(s, wo))?.state, 'callback_pending');
        } finally {
          await restarted.stop();
        }
      });

      test('a scheduling that fails after the review committed: the reconcile schedules exactly one callback', async (t) => {
        await s.db.exec(`
          CREATE SEQUENCE fault_schedule_once;
          CREATE FUNCTION fault_schedule_once() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            IF (SELECT caller_phone_hash FROM work_orders WHERE id = NEW.work_order_id) = '${phoneHash('13900000005')}' THEN
              IF nextval('fault_schedule_once') = 1 THEN
                RAISE EXCEPTION 'injected fault: scheduling the callback fails once';
              END IF;
            END IF;
            RETURN NEW;
          END $$;
          CREATE TRIGGER fault_schedule_once BEFORE INSERT ON callbacks FOR EACH ROW EXECUTE FUNCTION fault_schedule_once();`);
        try {
          const wo = await acceptedReply(s, { phone: '13900000005' });
          const t0 = Date.now();
          const row = await rowWhen(wo, () => true, 3000, 'a callback within the reconcile period');
          const waited = Date.now() - t0;
          assert.ok(
            lines.some((l) => l.includes(`could not schedule the callback of work order ${wo}`)),
            'the scheduling did fail after the review',
          );
          await rowWhen(wo, (r) => r.state === 'done', 10_000, 'the survey');
          await sleep(500);
          assert.equal((await rowsOf(wo)).length, 1, 'exactly one callback');
          assert.equal(calls.get(row.id), 1);
          assert.ok(waited < 3000, `scheduled ${waited} ms after the review`);
          t.diagnostic(`callback scheduled by the reconcile ${waited} ms after the review (period 200 ms)`);
        } finally {
          await s.db.exec(
            'DROP TRIGGER fault_schedule_once ON callbacks; DROP FUNCTION fault_schedule_once(); DROP SEQUENCE fault_schedule_once;',
          );
        }
      });

      test('under load with two runners: one callback per case, each citizen called exactly as scripted', async (t) => {
        const other = secondRunner();
        const t0 = Date.now();
        try {
          const phones = Array.from({ length: 12 }, (_, i) => `139000011${String(i).padStart(2, '0')}`);
          // Every second citizen misses the first call: one retry each.
          for (const [i, p] of phones.entries()) script.set(p, i % 2 ? [{ answered: false }] : []);
          const cases = await Promise.all(phones.map((phone) => acceptedReply(s, { phone })));
          const rows = await until(
            async () => {
              const r = await Promise.all(cases.map(async (wo) => rowsOf(wo)));
              return r.every((x) => x.at(-1)?.state === 'done') ? r : undefined;
            },
            // About 3 s on an idle machine; generous for a CI machine running other suites.
            90_000,
            'every survey done',
          );
          const took = Date.now() - t0;
          await sleep(1500);
          for (const [i, wo] of cases.entries()) {
            const mine = rows[i] as Row[];
            assert.equal(mine.length, 1, `one callback for case ${wo}`);
            const cb = mine[0] as Row;
            const expected = i % 2 ? 2 : 1;
            assert.equal(calls.get(cb.id), expected, `callback ${cb.id} called ${expected}×`);
            assert.equal(cb.attempts, expected);
            assert.equal(await events(wo, 'close'), 1);
          }
          const total = cases.reduce((n, _, i) => n + (calls.get((rows[i] as Row[])[0]?.id as number) ?? 0), 0);
          t.diagnostic(`${cases.length} cases, ${total} survey calls (${cases.length / 2} scripted retries), all done in ${took} ms`);
        } finally {
          await other.stop();
        }
      });
    });
  }
}
