/**
 * Dispatch figures: deadline arithmetic, the full case flow per transition, list queries
 * and the deadline check over many running cases, on PGlite and PostgreSQL.
 *   node --import tsx bench/dispatch-flow.ts [cases=200] [bulk=5000]
 */
import { cpus, totalmem } from 'node:os';
import { seed } from '../app/seed.js';
import { createLocalBus } from '../core/events.js';
import { createTestDb, ENGINES } from '../db/testing.js';
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
const settings = { ...DEFAULT_DISPATCH_SETTINGS, deadlineCheckSeconds: 0 };

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};
const fmt = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(2)} ms, p95 ${pct(xs, 95).toFixed(2)} ms`;

console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);

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

    const create: number[] = [];
    const steps: number[] = [];
    const flowStart = performance.now();
    for (let i = 0; i < CASES; i++) {
      let t = performance.now();
      const { workOrder } = await createWorkOrder(
        db,
        bus,
        {
          description: `东湖新村${i}栋门口路灯不亮`,
          address: `东湖新村${i}栋`,
          callerPhone: `1380000${String(i).padStart(4, '0')}`,
          categoryId: category,
          submit: true,
        },
        agent as Actor,
        settings,
      );
      create.push(performance.now() - t);
      const plan: [Actor, Parameters<typeof applyTransition>[2]['action'], Record<string, unknown>][] = [
        [dispatcher as Actor, 'dispatch', { departmentId: urban }],
        [handler as Actor, 'accept', {}],
        [handler as Actor, 'reply', { result: '已修复' }],
        [dispatcher as Actor, 'review', { decision: 'accept' }],
        [callback as Actor, 'close', { callbackOutcome: 'satisfied' }],
      ];
      for (const [actor, action, extra] of plan) {
        t = performance.now();
        await applyTransition(db, bus, { workOrderId: workOrder.id, action, actor, ...extra }, settings);
        steps.push(performance.now() - t);
      }
    }
    const flowMs = performance.now() - flowStart;
    console.log(`[${engine}] create (with place and related lookup): ${fmt(create)}`);
    console.log(
      `[${engine}] one transition: ${fmt(steps)}; ${CASES} full cases in ${(flowMs / 1000).toFixed(1)} s (${((CASES / flowMs) * 1000).toFixed(1)} cases/s)`,
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
    await timeIt(`list page 1 of ${BULK + CASES}, newest first`, () => listWorkOrders(db, { pageSize: 20 }, viewer));
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
