/**
 * How long the wallboard and a month's report take on a busy history: N calls and work
 * orders (with events and callback outcomes) spread over 30 days, on both engines.
 * Run: node --import tsx bench/metrics-wallboard.ts [calls=50000] [orders=20000]
 */
import { createTestDb, ENGINES } from '../db/testing.js';
import { report, wallboard } from '../metrics/index.js';

const CALLS = Number(process.argv[2] ?? 50_000);
const ORDERS = Number(process.argv[3] ?? 20_000);
const TZ = 'Asia/Shanghai';

async function time<T>(fn: () => Promise<T>, runs = 5): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  return ms.sort((a, b) => a - b);
}

for (const engine of ENGINES) {
  const db = await createTestDb(engine);
  const t0 = performance.now();
  await db.exec(`
    INSERT INTO org_units (code, name, kind) SELECT 'd' || g, '部门' || g, 'department' FROM generate_series(1, 30) g;
    INSERT INTO categories (code, name, level) SELECT 'c' || g, '类别' || g, 1 FROM generate_series(1, 60) g;
    INSERT INTO calls (state, arrived_at, answered_at, ended_at, end_reason)
      SELECT 'ended', t, CASE WHEN g % 10 <> 0 THEN t + (g % 40) * interval '1 second' END,
             t + interval '4 minutes', CASE WHEN g % 10 <> 0 THEN 'answered' ELSE 'abandoned' END
        FROM (SELECT g, now() - (g % 43200) * interval '1 minute' AS t FROM generate_series(1, ${CALLS}) g) s;
    INSERT INTO work_orders (number, channel, description, category_id, department_id, state, created_at, deadline_at, closed_at)
      SELECT 'B' || g, 'hotline', '测试工单', 1 + g % 60, 1 + g % 30, CASE WHEN g % 3 = 0 THEN 'dispatched' ELSE 'closed' END,
             t, t + interval '3 days', CASE WHEN g % 3 <> 0 THEN t + interval '2 days' END
        FROM (SELECT g, now() - (g % 43200) * interval '1 minute' AS t FROM generate_series(1, ${ORDERS}) g) s;
    INSERT INTO work_order_events (work_order_id, action, to_state, created_at)
      SELECT id, 'dispatch', 'dispatched', created_at + interval '1 hour' FROM work_orders;
    INSERT INTO work_order_events (work_order_id, action, to_state, created_at)
      SELECT id, 'reply', 'replied', closed_at - interval '1 hour' FROM work_orders WHERE closed_at IS NOT NULL;
    INSERT INTO work_order_events (work_order_id, action, to_state, data, created_at)
      SELECT id, 'close', 'closed', jsonb_build_object('callbackOutcome', CASE WHEN id % 5 = 0 THEN 'unsatisfied' ELSE 'satisfied' END), closed_at
        FROM work_orders WHERE closed_at IS NOT NULL;
    ANALYZE;
  `);
  const load = performance.now() - t0;
  const day = new Date().toISOString().slice(0, 10);
  const from = new Date(Date.now() - 29 * 86400_000).toISOString().slice(0, 10);
  const wb = await time(() => wallboard(db, TZ, null));
  const rp = await time(() => report(db, from, day, TZ), 3);
  const fmt = (a: number[]) => `median ${a[Math.floor(a.length / 2)]!.toFixed(0)} ms, best ${a[0]!.toFixed(0)} ms`;
  console.log(`${engine}: ${CALLS} calls, ${ORDERS} work orders over 30 days (loaded in ${(load / 1000).toFixed(1)} s)`);
  console.log(`  wallboard (today + 14 days by day): ${fmt(wb)}`);
  console.log(`  30-day report (by day, category, department): ${fmt(rp)}`);
  await db.destroy();
}
