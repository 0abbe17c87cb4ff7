/**
 * The callback queue on BullMQ with a real Redis: a private redis-server on its own port
 * (the machine's Redis at 6379 is left alone), so the test can kill and restart it.
 * The survey dialer is a stand-in for the citizen's phone (the SIP path is covered by
 * callback-survey-sip.test.ts); the queue, Redis and the database are real.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { MODULES } from '../app/modules.js';
import { registerCallback, type SurveyAnswer, startBullRunner } from '../callback/index.js';
import { keyringFrom, newDataKey, parseDataKey, setDataKeyring } from '../core/personal-data.js';
import { ENGINES } from '../db/testing.js';
import { acceptedReply, callbackOf, caseState, until } from './helpers/cases.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const base = MODULES.filter((m) => ['auth', 'org', 'dispatch'].includes(m.name));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A throwaway redis-server without persistence: a restart loses every key, as a crash of a cache-only Redis would. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'pipe',
  });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  await until(async () => out.includes('Ready to accept connections'), 10_000, `redis-server on ${port}`);
  return child;
}

const stopProcess = (c: ChildProcess, signal: NodeJS.Signals = 'SIGKILL') =>
  new Promise<void>((r) => {
    if (c.exitCode !== null || c.signalCode) return r();
    c.once('exit', () => r());
    c.kill(signal);
  });

type Row = { state: string; attempts: number; outcome: string | null; attempt_log: { at: string; result: string }[] };
const rowOf = async (s: TestServer, id: number) => (await s.db.query<Row>('SELECT * FROM callbacks WHERE id = $1', [id])).rows[0] as Row;

for (const engine of ENGINES) {
  describe(`callback queue on BullMQ (${engine})`, () => {
    let s: TestServer;
    let redis: ChildProcess;
    let redisPort: number;
    const script: SurveyAnswer[] = [];
    let fallback: SurveyAnswer = { answered: false };
    let service: Awaited<ReturnType<typeof registerCallback>>;
    const prefix = `hotline-test-${process.pid}-${engine}`;

    before(async () => {
      redisPort = await freePort();
      redis = await startRedis(redisPort);
      s = await startTestServer(engine, {
        env: {
          REDIS_URL: `redis://127.0.0.1:${redisPort}`,
          DISPATCH_DEADLINE_CHECK_SECONDS: '0',
          CALLBACK_MODE: 'auto',
          CALLBACK_HOURS: '00:00-24:00',
          CALLBACK_WORKDAYS_ONLY: 'false',
          CALLBACK_RETRY_MINUTES: '0.01',
          CALLBACK_POLL_MS: '300',
          CALLBACK_LEASE_SECONDS: '2',
          CALLBACK_QUEUE_PREFIX: prefix,
        },
        modules: [
          ...base,
          {
            name: 'callback',
            register: async (app, ctx, config) => {
              service = await registerCallback(app, ctx, config.values, { dial: async () => script.shift() ?? fallback });
            },
          },
        ],
      });
      assert.equal(service.runner.mode, 'bullmq');
    });
    after(async () => {
      await s?.close();
      if (redis) await stopProcess(redis);
    });

    test('unanswered survey calls are retried after the interval, then unreachable', async () => {
      fallback = { answered: false };
      const wo = await acceptedReply(s);
      const cb = await callbackOf(s, wo);
      const row = await until(async () => {
        const r = await rowOf(s, cb.id);
        return r.state === 'unreachable' ? r : undefined;
      }, 20_000);
      assert.equal(row.attempts, 3);
      const at = row.attempt_log.map((a) => Date.parse(a.at));
      for (let i = 1; i < at.length; i++)
        assert.ok((at[i] as number) - (at[i - 1] as number) >= 550, `attempts ${i} and ${i + 1} at least the retry interval apart`);
      assert.equal((await caseState(s, wo))?.callback_outcome, 'unreachable');
    });

    test('key 1 on the survey records 满意 and closes the case', async () => {
      fallback = { answered: true, digit: '1' };
      const wo = await acceptedReply(s);
      const cb = await callbackOf(s, wo);
      const row = await until(async () => {
        const r = await rowOf(s, cb.id);
        return r.state === 'done' ? r : undefined;
      }, 20_000);
      assert.equal(row.outcome, 'satisfied');
      assert.equal((await caseState(s, wo))?.state, 'closed');
    });

    test('Redis restarted (losing its data) while jobs wait: every job still runs', async () => {
      // First attempts go unanswered, so each callback waits 4 s in Redis as a delayed job.
      service.deps.settings = { ...service.deps.settings, retryMs: 4000 };
      try {
        fallback = { answered: true, digit: '1' };
        const ids: number[] = [];
        for (let i = 0; i < 4; i++) {
          script.push({ answered: false });
          const cb = await callbackOf(s, await acceptedReply(s));
          ids.push(cb.id);
        }
        await until(
          async () => {
            const rows = await Promise.all(ids.map((id) => rowOf(s, id)));
            return rows.every((r) => r.attempts === 1 && r.state === 'scheduled');
          },
          10_000,
          'first attempts',
        );
        const { Queue } = await import('bullmq');
        const q = new Queue('callbacks', { connection: { host: '127.0.0.1', port: redisPort }, prefix });
        assert.ok(((await q.getJobCounts('delayed')).delayed ?? 0) >= 1, 'retries wait in Redis');
        await q.close();

        await stopProcess(redis);
        await new Promise((r) => setTimeout(r, 500));
        redis = await startRedis(redisPort);

        const rows = await until(
          async () => {
            const r = await Promise.all(ids.map((id) => rowOf(s, id)));
            return r.every((x) => x.state === 'done') ? r : undefined;
          },
          25_000,
          'every callback done after the restart',
        );
        for (const r of rows) {
          assert.equal(r.outcome, 'satisfied');
          assert.equal(r.attempts, 2);
        }
      } finally {
        service.deps.settings = { ...service.deps.settings, retryMs: 600 };
      }
    });
  });
}

describe('a survey worker killed mid-call (postgres, separate process)', () => {
  // The worker processes open the callers' numbers this process seals: one key for both.
  const dataKey = newDataKey();
  setDataKeyring(keyringFrom(parseDataKey(dataKey)));
  let s: TestServer;
  let redis: ChildProcess;
  let redisPort: number;
  const prefix = `hotline-test-${process.pid}-kill`;
  let env: Record<string, string>;

  before(async () => {
    redisPort = await freePort();
    redis = await startRedis(redisPort);
    env = {
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      DISPATCH_DEADLINE_CHECK_SECONDS: '0',
      CALLBACK_MODE: 'auto',
      CALLBACK_HOURS: '00:00-24:00',
      CALLBACK_WORKDAYS_ONLY: 'false',
      CALLBACK_RETRY_MINUTES: '0.01',
      CALLBACK_POLL_MS: '300',
      CALLBACK_LEASE_SECONDS: '2',
      CALLBACK_QUEUE_PREFIX: prefix,
    };
    s = await startTestServer('postgres', {
      env,
      modules: [
        ...base,
        // This server only enqueues (an API process); the workers are below.
        { name: 'callback', register: async (app, ctx, config) => void (await registerCallback(app, ctx, config.values, { work: false })) },
      ],
    });
  });
  after(async () => {
    await s?.close();
    if (redis) await stopProcess(redis);
  });

  test('the job is retried by another worker and completes', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'callback/worker-process.ts'], {
      env: { ...process.env, ...env, DATABASE_URL: s.db.url as string, CALLBACK_TEST_HANG: '1', DATA_KEY: dataKey },
      stdio: 'pipe',
    });
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
    });
    child.stderr?.on('data', (d) => {
      out += d;
    });
    try {
      await until(async () => out.includes('worker ready'), 30_000, `the worker process (${out})`);
      const wo = await acceptedReply(s);
      const cb = await callbackOf(s, wo);
      await until(async () => out.includes(`dialing ${cb.id}`), 15_000, 'the worker taking the job');
    } finally {
      await stopProcess(child, 'SIGKILL');
    }
    const cbId = Number(/dialing (\d+)/.exec(out)?.[1]);
    assert.equal((await rowOf(s, cbId)).attempts, 1, 'the killed attempt is counted');
    assert.equal((await rowOf(s, cbId)).state, 'scheduled', 'and the callback still waits');

    // A second worker: picks the job up once the dead worker's lease runs out.
    const { CALLBACK_SETTINGS, callbackSettingsFrom } = await import('../callback/index.js');
    const { DISPATCH_SETTINGS, dispatchSettingsFrom } = await import('../dispatch/index.js');
    const { readSettings } = await import('../core/index.js');
    const dispatchSettings = dispatchSettingsFrom(readSettings(DISPATCH_SETTINGS, {}));
    const runner = startBullRunner({
      deps: {
        db: s.db,
        bus: s.bus,
        settings: callbackSettingsFrom({ ...readSettings(CALLBACK_SETTINGS, env), REDIS_URL: env.REDIS_URL }),
        dispatch: dispatchSettings,
      },
      redisUrl: env.REDIS_URL as string,
      log: () => {},
      dial: async () => ({ answered: true, digit: '1' }),
    });
    try {
      const row = await until(
        async () => {
          const r = await rowOf(s, cbId);
          return r.state === 'done' ? r : undefined;
        },
        30_000,
        'the retried job',
      );
      assert.equal(row.outcome, 'satisfied');
      assert.equal(row.attempts, 2);
    } finally {
      await runner.stop();
    }
  });
});
