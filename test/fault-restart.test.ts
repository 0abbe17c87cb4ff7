/**
 * Fault test (#14): the product as its own process (`bin/hotline.js serve`) on a PostgreSQL
 * of its own (initdb + pg_ctl in a temporary folder, a random port; the machine's shared
 * server is left alone) and a redis-server of its own (random port, no persistence), with
 * automated survey calls over real SIP to a sipp UAS that stands in for the citizens and
 * presses 1. Under a bounded load of cases driven through HTTP (created, dispatched,
 * replied, reviewed), PostgreSQL is restarted (immediate shutdown: a crash and WAL
 * recovery), then Redis (losing its data), then the server is killed (SIGKILL) and started
 * again. Then it counts: every case answered 201 is stored, exactly one audit row per
 * transition, one callback per reviewed case, and every survey call sipp received is an
 * attempt the callback row counts (none beyond the limit, none twice for one attempt).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { keyringFrom, newDataKey, open, parseDataKey } from '../core/personal-data.js';
import { DEMO_PASSWORD } from '../org/index.js';

const DATA_KEY = newDataKey();

const ROOT = resolve(import.meta.dirname, '..');
const SHARED = resolve(ROOT, '../shared');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A port free on TCP and UDP at 127.0.0.1 (SIP listens on both). */
async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((res, rej) => {
      const srv = createServer();
      srv.once('error', rej);
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => res(p));
      });
    });
    const udp = await new Promise<boolean>((res) => {
      const s = createSocket('udp4');
      s.once('error', () => res(false));
      s.bind(port, '127.0.0.1', () => s.close(() => res(true)));
    });
    if (udp) return port;
  }
}

async function until<T>(fn: () => Promise<T | undefined | null | false>, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(200);
  }
}

const stopChild = (c: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGKILL') =>
  new Promise<void>((r) => {
    if (!c || c.exitCode !== null || c.signalCode) return r();
    c.once('exit', () => r());
    c.kill(signal);
  });

/** A PostgreSQL cluster of the test's own; as root its commands run as the postgres user. */
function ownPostgres(dir: string, port: number) {
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  const bin = join('/usr/lib/postgresql', versions[0] as string, 'bin');
  const root = process.getuid?.() === 0;
  if (root) {
    const uid = Number(spawnSync('id', ['-u', 'postgres']).stdout.toString().trim());
    const gid = Number(spawnSync('id', ['-g', 'postgres']).stdout.toString().trim());
    chownSync(dir, uid, gid);
  }
  const run = (tool: string, args: string[]) => {
    const cmd = root ? 'runuser' : join(bin, tool);
    const r = spawnSync(cmd, root ? ['-u', 'postgres', '--', join(bin, tool), ...args] : args, { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')}: ${r.stderr || r.stdout}`);
  };
  const data = join(dir, 'data');
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    init: () => run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-N']),
    start: () => run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-o', opts, 'start']),
    /** Immediate: no checkpoint, the next start recovers from the WAL, as after a crash. */
    stop: (mode: 'immediate' | 'fast' = 'immediate') => run('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']),
  };
}

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

/** The survey calls sipp received: distinct Call-IDs per dialled number. */
function surveyCalls(messageFile: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  if (!existsSync(messageFile)) return out;
  for (const block of readFileSync(messageFile, 'utf8').split(/message received/)) {
    const inv = /^\s*\[\d+\] bytes :\s*INVITE sip:(\+?\d+)@/m.exec(block) ?? /\n\s*INVITE sip:(\+?\d+)@/.exec(block);
    const callId = /^Call-ID:\s*(\S+)/im.exec(block);
    if (!inv || !callId) continue;
    const set = out.get(inv[1] as string) ?? new Set<string>();
    set.add(callId[1] as string);
    out.set(inv[1] as string, set);
  }
  return out;
}

interface Tracked {
  phone: string;
  id?: number;
  /** Actions the server answered 2xx. */
  answered: Set<string>;
}

describe('faults under load: PostgreSQL, Redis and the server restarted', { timeout: 150_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-fault-'));
  let pgPort: number;
  let redisPort: number;
  let httpPort: number;
  let sipPort: number;
  let uasPort: number;
  let postgres: ReturnType<typeof ownPostgres>;
  let redis: ChildProcess | undefined;
  let uas: ChildProcess | undefined;
  let server: ChildProcess | undefined;
  let serverOut = '';
  let env: NodeJS.ProcessEnv;
  let pool: pg.Pool;
  const messageFile = join(dir, 'uas-messages.log');

  const startServer = async () => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'hotline.js'), 'serve', '--demo'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d) => {
      serverOut = (serverOut + d).slice(-20_000);
    });
    child.stderr?.on('data', (d) => {
      serverOut = (serverOut + d).slice(-20_000);
    });
    server = child;
    const t0 = Date.now();
    await until(
      async () => {
        if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${serverOut}`);
        return (await fetch(`http://127.0.0.1:${httpPort}/healthz`)).ok;
      },
      60_000,
      `the server's /healthz (${serverOut.slice(-2000)})`,
    );
    return Date.now() - t0;
  };

  before(async () => {
    [pgPort, redisPort, httpPort, sipPort, uasPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    postgres = ownPostgres(dir, pgPort);
    postgres.init();
    postgres.start();
    redis = await startRedis(redisPort);
    const xml = readFileSync(join(ROOT, 'callback/sipp/uas-survey-key.xml'), 'utf8').replaceAll(
      '{{KEY_PCAP}}',
      join(SHARED, 'telephony/dtmf_2833_1.pcap'),
    );
    writeFileSync(join(dir, 'uas.xml'), xml);
    uas = spawn(
      'sipp',
      [
        '-sf',
        join(dir, 'uas.xml'),
        '-i',
        '127.0.0.1',
        '-p',
        String(uasPort),
        '-mp',
        String(20000 + Math.floor(Math.random() * 8000) * 2),
        '-nostdin',
        '-trace_msg',
        '-message_file',
        messageFile,
      ],
      { cwd: dir, stdio: 'ignore' },
    );
    const rtp = 30000 + Math.floor(Math.random() * 100) * 200;
    env = {
      ...process.env,
      PORT: String(httpPort),
      HOST: '127.0.0.1',
      DATA_DIR: join(dir, 'hotline-data'),
      DATABASE_URL: postgres.url,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      LOG_LEVEL: 'warn',
      LOGIN_RATE_LIMIT: '10000',
      ASR_ENGINE: 'none',
      SIP_PORT: String(sipPort),
      SIP_HOST: '127.0.0.1',
      SIP_TRANSPORTS: 'udp',
      RTP_PORT_MIN: String(rtp),
      RTP_PORT_MAX: String(rtp + 198),
      DISPATCH_DEADLINE_CHECK_SECONDS: '0',
      CALLBACK_MODE: 'auto',
      CALLBACK_HOURS: '00:00-24:00',
      CALLBACK_WORKDAYS_ONLY: 'false',
      CALLBACK_POLL_MS: '300',
      CALLBACK_LEASE_SECONDS: '5',
      CALLBACK_RECONCILE_MS: '500',
      CALLBACK_RETRY_MINUTES: '0.02',
      CALLBACK_ANSWER_SECONDS: '8',
      CALLBACK_SURVEY_URI: `sip:{phone}@127.0.0.1:${uasPort}`,
      // Known here so the test can open the callers' numbers the server sealed.
      DATA_KEY: DATA_KEY,
    };
    await startServer();
    pool = new pg.Pool({ connectionString: postgres.url, max: 2 });
    pool.on('error', () => {});
  });

  after(async () => {
    await stopChild(server);
    await stopChild(uas, 'SIGTERM');
    await stopChild(redis);
    await pool?.end().catch(() => {});
    try {
      postgres?.stop('fast');
    } catch {
      // already down
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test('every answered case stored, one audit row per transition, one callback per reviewed case, survey calls only as counted attempts', async (t) => {
    const base = `http://127.0.0.1:${httpPort}`;
    const stats = { noAnswer: 0, status5xx: 0, requests: 0 };
    const request = async (method: string, path: string, cookie: string | null, body?: unknown) => {
      stats.requests++;
      try {
        const r = await fetch(base + path, {
          method,
          headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(cookie ? { cookie } : {}) },
          body: body ? JSON.stringify(body) : undefined,
          signal: AbortSignal.timeout(5000),
        });
        if (r.status >= 500) stats.status5xx++;
        return { status: r.status, json: (await r.json().catch(() => null)) as Record<string, unknown> | null, headers: r.headers };
      } catch {
        stats.noAnswer++;
        return null;
      }
    };
    const cookies: Record<string, string> = {};
    for (const user of ['agent', 'dispatcher', 'handler']) {
      const r = await request('POST', '/api/auth/login', null, { username: user, password: DEMO_PASSWORD });
      assert.equal(r?.status, 200, `login ${user}`);
      const c = r?.headers.getSetCookie().find((x) => x.startsWith('hotline_sid='));
      cookies[user] = (c as string).split(';')[0] as string;
    }
    const q = async <T>(sql: string, args: unknown[] = []) => (await pool.query(sql, args)).rows as T[];
    // bigint ids come back as text from a plain pg client.
    const dept = Number((await q<{ id: string }>("SELECT id FROM org_units WHERE code = 'dept.urban'"))[0]?.id);
    const cat = Number((await q<{ id: string }>("SELECT id FROM categories WHERE code = 'U07'"))[0]?.id);
    const steps: [string, string, Record<string, unknown>][] = [
      ['agent', 'submit', {}],
      ['dispatcher', 'dispatch', { departmentId: dept, categoryId: cat }],
      ['handler', 'accept', {}],
      ['handler', 'reply', { result: '已补装井盖' }],
      ['dispatcher', 'review', { decision: 'accept' }],
    ];

    const loadEnd = Date.now() + 60_000;
    /** Answers other than success, conflict or a server error: the flow itself is wrong. */
    const refusals: string[] = [];
    const cases: Tracked[] = [];
    /** One case through the flow; a request without an answer is sent again, a 409 after it checked against the audit trail. */
    const drive = async (c: Tracked) => {
      while (c.id === undefined) {
        if (Date.now() > loadEnd) return;
        const r = await request('POST', '/api/work-orders', cookies.agent as string, {
          callerPhone: c.phone,
          anonymous: false,
          contactAllowed: true,
          description: '小区门口道路井盖缺失，晚上很危险',
          categoryId: cat,
        });
        if (r?.status === 201) {
          c.id = Number((r.json?.workOrder as { id: number } | undefined)?.id);
          c.answered.add('create');
        } else {
          if (r && r.status < 500) return void refusals.push(`create ${r.status} ${JSON.stringify(r.json)}`);
          await sleep(300);
        }
      }
      for (const [as, action, body] of steps) {
        for (;;) {
          if (Date.now() > loadEnd) return;
          const r = await request('POST', `/api/work-orders/${c.id}/transitions`, cookies[as] as string, { action, ...body });
          if (r?.status === 200) {
            c.answered.add(action);
            break;
          }
          if (r && r.status !== 409 && r.status < 500) return void refusals.push(`${action} ${r.status} ${JSON.stringify(r.json)}`);
          if (r?.status === 409) {
            const done = await q('SELECT 1 FROM work_order_events WHERE work_order_id = $1 AND action = $2', [c.id, action]).catch(
              () => null,
            );
            if (done?.length) break; // an earlier try committed without its answer reaching us
          }
          await sleep(300);
        }
      }
    };

    // A case every 250 ms for 14 s; the faults fall inside.
    const faults: Record<string, number> = {};
    const t0 = Date.now();
    const injector = (async () => {
      await sleep(2500);
      let f = Date.now();
      postgres.stop('immediate');
      await sleep(500);
      postgres.start();
      faults.postgresDownMs = Date.now() - f;
      await sleep(2500);
      f = Date.now();
      await stopChild(redis);
      await sleep(500);
      redis = await startRedis(redisPort);
      faults.redisDownMs = Date.now() - f;
      await sleep(2500);
      f = Date.now();
      await stopChild(server, 'SIGKILL');
      faults.serverRestartMs = await startServer();
      faults.serverDownMs = Date.now() - f;
    })();
    const drivers: Promise<void>[] = [];
    for (let i = 0; i < 56; i++) {
      const c: Tracked = { phone: `1370000${String(i).padStart(4, '0')}`, answered: new Set() };
      cases.push(c);
      drivers.push(drive(c));
      await sleep(250);
    }
    await injector;
    await Promise.all(drivers);
    const loadMs = Date.now() - t0;

    const created = cases.filter((c) => c.answered.has('create'));
    assert.deepEqual(refusals.slice(0, 5), [], 'no request refused as bad input');
    assert.ok(created.length >= cases.length * 0.8, `${created.length} of ${cases.length} cases created`);
    const reviewed = cases.filter((c) => c.id !== undefined && c.answered.has('review'));
    // Every case whose review committed (answered or found in the audit trail) waits for its survey.
    const reviewedIds = (
      await q<{ id: number }>(`SELECT work_order_id AS id FROM work_order_events WHERE action = 'review' AND to_state = 'callback_pending'`)
    ).map((r) => Number(r.id));
    await until(
      async () => {
        const open = await q<{ n: number }>(`SELECT count(*)::int AS n FROM work_orders WHERE state = 'callback_pending'`);
        return open[0]?.n === 0;
      },
      45_000,
      'every reviewed case closed by its survey',
    );
    await sleep(1000);

    // Every case answered 201 is stored.
    const stored = new Set(
      (await q<{ id: number }>('SELECT id FROM work_orders WHERE id = ANY($1)', [created.map((c) => c.id)])).map((r) => Number(r.id)),
    );
    for (const c of created) assert.ok(stored.has(c.id as number), `case ${c.id} (answered 201) is stored`);

    // Exactly one audit row per transition: each action happens once per case here.
    const events = await q<{ id: number; action: string; n: number }>(
      'SELECT work_order_id AS id, action, count(*)::int AS n FROM work_order_events WHERE work_order_id = ANY($1) GROUP BY 1, 2',
      [created.map((c) => c.id)],
    );
    const count = new Map(events.map((e) => [`${e.id}:${e.action}`, e.n]));
    for (const c of created) {
      for (const action of ['create', ...steps.map((s) => s[1]), 'close']) {
        const n = count.get(`${c.id}:${action}`) ?? 0;
        assert.ok(n <= 1, `case ${c.id}: ${n} audit rows for ${action}`);
        if (c.answered.has(action)) assert.equal(n, 1, `case ${c.id}: the answered ${action} has its audit row`);
      }
      const [wo] = await q<{ version: number; n: number }>(
        'SELECT version, (SELECT count(*)::int FROM work_order_events e WHERE e.work_order_id = w.id) AS n FROM work_orders w WHERE id = $1',
        [c.id],
      );
      assert.equal(wo?.n, wo?.version, `case ${c.id}: one audit row per version`);
    }

    // One callback per reviewed case, and each survey call sipp took is an attempt of its row.
    const callbacks = await q<{ wo: number; id: number; state: string; attempts: number; max: number; phone: string; log: unknown }>(
      `SELECT cb.work_order_id AS wo, cb.id, cb.state, cb.attempts, cb.max_attempts AS max, w.caller_phone AS phone, cb.attempt_log AS log
         FROM callbacks cb JOIN work_orders w ON w.id = cb.work_order_id`,
    );
    const calls = surveyCalls(messageFile);
    const ring = keyringFrom(parseDataKey(DATA_KEY));
    const perCase = new Map<number, typeof callbacks>();
    for (const cb of callbacks) perCase.set(Number(cb.wo), [...(perCase.get(Number(cb.wo)) ?? []), cb]);
    const repeated: string[] = [];
    for (const id of reviewedIds) {
      const mine = perCase.get(id) ?? [];
      assert.equal(mine.length, 1, `case ${id}: ${mine.length} callbacks`);
      const cb = mine[0] as (typeof callbacks)[number];
      assert.equal(cb.state, 'done', `case ${id}: callback ${cb.id} ${cb.state}`);
      const n = calls.get(open(cb.phone, ring) as string)?.size ?? 0;
      assert.ok(n >= 1 && n <= cb.attempts, `case ${id}: ${n} survey calls for ${cb.attempts} attempts`);
      assert.ok(cb.attempts <= cb.max, `case ${id}: ${cb.attempts} attempts, limit ${cb.max}`);
      if (n > 1) repeated.push(`case ${id}: ${n} calls, attempts ${cb.attempts}, log ${JSON.stringify(cb.log)}`);
    }
    for (const c of reviewed) assert.ok(reviewedIds.includes(c.id as number));
    const surveyTotal = [...calls.values()].reduce((a, s) => a + s.size, 0);
    t.diagnostic(
      `${cases.length} cases started, ${created.length} answered 201, ${reviewedIds.length} reviewed; load ${loadMs} ms; ` +
        `${stats.requests} requests, ${stats.noAnswer} without answer, ${stats.status5xx} answered 5xx; ` +
        `PostgreSQL down ${faults.postgresDownMs} ms, Redis down ${faults.redisDownMs} ms, server down ${faults.serverDownMs} ms ` +
        `(start ${faults.serverRestartMs} ms); ${surveyTotal} survey calls, ${repeated.length} cases called more than once`,
    );
    for (const r of repeated) t.diagnostic(r);
    // Only the calls in flight when the server was killed are made again (its worker runs 4 at a time).
    assert.ok(repeated.length <= 4, `${repeated.length} cases called more than once:\n${repeated.join('\n')}`);
  });
});
