/**
 * Dispatch figures: deadline arithmetic, the full case flow per transition (with a bare-SQL
 * baseline writing the same rows in the same run: bare `pg` on PostgreSQL), list queries and
 * the deadline check over many running cases, on PGlite and PostgreSQL (a fresh database each).
 *   node --import tsx bench/dispatch-flow.ts [cases=200] [bulk=5000]
 */
import { cpus, loadavg, totalmem } from 'node:os';
import pg from 'pg';
import { seed } from '../app/seed.js';
import { createLocalBus } from '../core/events.js';
import type { Db, Queryable } from '../db/index.js';
import { createTestDb, ENGINES, type TestDb } from '../db/testing.js';
import {
  type Actor,
  applyTransition,
  checkDeadlines,
  computeDeadline,
  createWorkOrder,
  DEFAULT_DISPATCH_SETTINGS,
  listWorkOrders,
  loadCalendar,
} from '../dispatch/index.js';

const CASES = Number(process.argv[2] ?? 200);
const BULK = Number(process.argv[3] ?? 5000);
const ROUNDS = 4;
const settings = { ...DEFAULT_DISPATCH_SETTINGS, deadlineCheckSeconds: 0 };

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};
const fmt = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(2)} ms, p95 ${pct(xs, 95).toFixed(2)} ms`;

console.log(
  `machine: ${cpus().length} cores (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);

/** The database with every statement and transaction counted (BEGIN and COMMIT are a round trip each). */
function countRoundTrips(db: Db) {
  const out = { db, roundTrips: 0, transactions: 0 };
  const wrap = (q: Queryable): Queryable => ({
    query: (sql, params) => {
      out.roundTrips++;
      return q.query(sql, params);
    },
    exec: (sql) => q.exec(sql),
  });
  out.db = {
    ...db,
    ...wrap(db),
    tx: (fn) => {
      out.transactions++;
      out.roundTrips += 2;
      return db.tx((q) => fn(wrap(q)));
    },
  };
  return out;
}

type Ids = { category: number; urban: number; agent?: Actor; dispatcher?: Actor; handler?: Actor; callback?: Actor };

/**
 * The baseline: the rows of one full case written with bare SQL, one transaction per step
 * (the case or its state change, and the audit row), no checks and no reads. On PostgreSQL
 * through its own `pg` client on the same database, as an application without the product's
 * layers would.
 */
async function bareWriter(db: TestDb) {
  let client: pg.Client | undefined;
  if (db.url) {
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  }
  const c = client;
  const tx = async (fn: (q: (sql: string, params: unknown[]) => Promise<{ rows: { id: number }[] }>) => Promise<void>) => {
    if (!c) return db.tx((q) => fn((sql, params) => q.query<{ id: number }>(sql, params)));
    await c.query('BEGIN');
    try {
      await fn((sql, params) => c.query<{ id: number }>(sql, params));
      await c.query('COMMIT');
    } catch (err) {
      await c.query('ROLLBACK');
      throw err;
    }
  };
  const event = (q: Parameters<Parameters<typeof tx>[0]>[0], id: number, action: string, from: string | null, to: string, actor?: Actor) =>
    q('INSERT INTO work_order_events (work_order_id, action, from_state, to_state, actor_id, data) VALUES ($1, $2, $3, $4, $5, $6)', [
      id,
      action,
      from,
      to,
      actor?.id ?? null,
      '{}',
    ]);
  return {
    label: client ? 'bare pg' : 'bare SQL',
    roundTripsPerCase: '24 (6 transactions)',
    async flow(i: number, ids: Ids) {
      let id = 0;
      await tx(async (q) => {
        const r = await q(
          `INSERT INTO work_orders (number, channel, description, caller_phone, address, category_id, state, created_by)
           VALUES ($1, 'hotline', $2, $3, $4, $5, 'pending_dispatch', $6) RETURNING id`,
          [
            `BARE-${i}`,
            `东湖新村${i}栋门口路灯不亮`,
            `1380000${String(i).padStart(4, '0')}`,
            `东湖新村${i}栋`,
            ids.category,
            ids.agent?.id ?? null,
          ],
        );
        id = r.rows[0]?.id as number;
        await event(q, id, 'create', null, 'pending_dispatch', ids.agent);
      });
      const steps: [string, string, string, string, unknown[], Actor | undefined][] = [
        [
          'dispatch',
          'pending_dispatch',
          'dispatched',
          "department_id = $2, deadline_at = now() + interval '5 days'",
          [ids.urban],
          ids.dispatcher,
        ],
        ['accept', 'dispatched', 'in_progress', '', [], ids.handler],
        ['reply', 'in_progress', 'replied', 'reply_text = $2, replied_at = now()', ['已修复'], ids.handler],
        ['review', 'replied', 'callback_pending', '', [], ids.dispatcher],
        [
          'close',
          'callback_pending',
          'closed',
          "closed_at = now(), close_reason = 'callback', callback_outcome = $2",
          ['satisfied'],
          ids.callback,
        ],
      ];
      for (const [action, from, to, set, params, actor] of steps) {
        await tx(async (q) => {
          await q(
            `UPDATE work_orders SET ${set ? `${set}, ` : ''}state = '${to}', version = version + 1, updated_at = now() WHERE id = $1`,
            [id, ...params],
          );
          await event(q, id, action, from, to, actor);
        });
      }
    },
    close: async () => {
      await client?.end();
    },
  };
}

for (const engine of ENGINES) {
  const db = await createTestDb(engine);
  const bus = createLocalBus();
  try {
    await seed(db, { demo: true });
    const ids = async (sql: string) => (await db.query<{ id: number }>(sql)).rows[0]?.id as number;
    const urban = await ids(`SELECT id FROM org_units WHERE code = 'dept.urban'`);
    const category = await ids(`SELECT id FROM categories WHERE code = 'U07'`);
    const user = async (name: string): Promise<Actor> => {
      const r = (
        await db.query<{ id: number; role: Actor['role']; org_unit_id: number }>(
          'SELECT id, role, org_unit_id FROM users WHERE username = $1',
          [name],
        )
      ).rows[0];
      return { id: r?.id ?? null, role: r?.role ?? 'system', orgUnitId: r?.org_unit_id ?? null };
    };
    const [agent, dispatcher, handler, callback] = await Promise.all(['agent', 'dispatcher', 'handler', 'callback'].map(user));

    if (engine === 'pglite') {
      const cal = await loadCalendar(db, settings);
      const start = Date.parse('2026-01-01T00:00:00+08:00');
      const n = 100_000;
      const t0 = performance.now();
      for (let i = 0; i < n; i++)
        computeDeadline(cal, start + i * 997_000, i % 2 ? { value: 5, unit: 'workdays' } : { value: 24, unit: 'hours' });
      const ms = performance.now() - t0;
      console.log(`deadline arithmetic: ${n} deadlines in ${ms.toFixed(0)} ms (${((n / ms) * 1000).toFixed(0)}/s)`);
    }

    // The product's case flow against a bare baseline on the same database, in alternating
    // rounds so that a busy machine slows both alike: the baseline writes the same rows
    // with bare SQL, one transaction per step holding the state change and its audit row.
    const counted = countRoundTrips(db);
    const create: number[] = [];
    const steps: number[] = [];
    let flowMs = 0;
    let bareMs = 0;
    let done = 0;
    const bare = await bareWriter(db);
    const productCase = async (on: Db, i: number, timed: boolean, place = '东湖新村') => {
      let t = performance.now();
      const { workOrder } = await createWorkOrder(
        on,
        bus,
        {
          description: `${place}${i}栋门口路灯不亮`,
          address: `${place}${i}栋`,
          callerPhone: `1380${String(i).padStart(7, '0')}`,
          categoryId: category,
          submit: true,
        },
        agent as Actor,
        settings,
      );
      if (timed) create.push(performance.now() - t);
      const plan: [Actor, Parameters<typeof applyTransition>[2]['action'], Record<string, unknown>][] = [
        [dispatcher as Actor, 'dispatch', { departmentId: urban }],
        [handler as Actor, 'accept', {}],
        [handler as Actor, 'reply', { result: '已修复' }],
        [dispatcher as Actor, 'review', { decision: 'accept' }],
        [callback as Actor, 'close', { callbackOutcome: 'satisfied' }],
      ];
      for (const [actor, action, extra] of plan) {
        t = performance.now();
        await applyTransition(on, bus, { workOrderId: workOrder.id, action, actor, ...extra }, settings);
        if (timed) steps.push(performance.now() - t);
      }
    };
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const n = Math.ceil(CASES / ROUNDS);
        let t0 = performance.now();
        for (let k = 0; k < n; k++, done++) await productCase(counted.db, done, true);
        flowMs += performance.now() - t0;
        t0 = performance.now();
        for (let k = 0; k < n; k++) await bare.flow(round * n + k, { category, urban, agent, dispatcher, handler, callback });
        bareMs += performance.now() - t0;
      }
    } finally {
      await bare.close();
    }
    const rate = (ms: number) => (done / ms) * 1000;
    console.log(`[${engine}] create (with place and related lookup): ${fmt(create)}`);
    console.log(`[${engine}] one transition: ${fmt(steps)}`);
    console.log(
      `[${engine}] full case (create, dispatch, accept, reply, review, close): product ${rate(flowMs).toFixed(1)} cases/s, ` +
        `${bare.label} ${rate(bareMs).toFixed(1)} cases/s (product at ${((rate(flowMs) / rate(bareMs)) * 100).toFixed(0)} %), ${done} cases each`,
    );
    console.log(
      `[${engine}] round trips per case: product ${(counted.roundTrips / done).toFixed(1)} (${(counted.transactions / done).toFixed(0)} transactions), ${bare.label} ${bare.roundTripsPerCase}`,
    );

    // Bulk running cases for list and deadline-check figures, inserted directly.
    await db.query(
      `INSERT INTO work_orders (number, channel, description, caller_phone, state, category_id, department_id, deadline_at, deadline_started_at,
                                deadline_value, deadline_unit, created_at)
       SELECT 'B' || g, 'hotline', '道路破损第' || g || '号，井盖缺失', '139' || lpad(g::text, 8, '0'), 'in_progress', $2, $3,
              now() + ((g % 10) - 3) * interval '1 day', now() - interval '5 days', 3, 'workdays', now() - (g % 60) * interval '1 day'
         FROM generate_series(1, $1) g`,
      [BULK, category, urban],
    );
    const viewer = dispatcher as Actor;
    const timeIt = async (label: string, fn: () => Promise<unknown>, runs = 10) => {
      await fn();
      const xs: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        await fn();
        xs.push(performance.now() - t);
      }
      console.log(`[${engine}] ${label}: ${fmt(xs)}`);
    };
    await timeIt(`list page 1 of ${BULK + 2 * CASES}, newest first`, () => listWorkOrders(db, { pageSize: 20 }, viewer));
    await timeIt('list filtered by state and department, sorted by deadline', () =>
      listWorkOrders(db, { state: ['in_progress'], departmentId: urban, sort: 'deadlineAt', order: 'asc' }, viewer),
    );
    await timeIt('list with text search', () => listWorkOrders(db, { q: '第4711号' }, viewer));
    await timeIt('list as a handler (unit subtree)', () => listWorkOrders(db, { pageSize: 20 }, handler as Actor));
    const t = performance.now();
    const check = await checkDeadlines(db, bus, settings);
    console.log(
      `[${engine}] deadline check over ${check.checked} running cases: ${(performance.now() - t).toFixed(0)} ms (flagged ${check.overdue} overdue, ${check.nearDeadline} near)`,
    );
    const t2 = performance.now();
    const again = await checkDeadlines(db, bus, settings);
    console.log(`[${engine}] second check (nothing new) over ${again.checked} cases: ${(performance.now() - t2).toFixed(0)} ms`);
  } finally {
    await db.destroy();
  }
}
