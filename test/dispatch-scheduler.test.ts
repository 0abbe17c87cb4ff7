/** The scheduled deadline check runs by itself in a started server and stops with it. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { MODULES } from '../app/modules.js';
import { ENGINES } from '../db/testing.js';
import { applyTransition, createWorkOrder } from '../dispatch/index.js';
import { startTestServer } from './helpers/server.js';

const modules = MODULES.filter((m) => ['auth', 'org', 'dispatch'].includes(m.name));

for (const engine of ENGINES) {
  describe(`scheduled deadline check on ${engine}`, () => {
    test('an overdue case is flagged within a few intervals, and /readyz reports the run', async () => {
      const s = await startTestServer(engine, { modules, env: { DISPATCH_DEADLINE_CHECK_SECONDS: '1' } });
      try {
        const system = { id: null, role: 'system' as const, orgUnitId: null };
        const urban = (await s.db.query<{ id: number }>(`SELECT id FROM org_units WHERE code = 'dept.urban'`)).rows[0]?.id;
        const cat = (await s.db.query<{ id: number }>(`SELECT id FROM categories WHERE code = 'U07'`)).rows[0]?.id;
        const { workOrder } = await createWorkOrder(s.db, s.bus, { description: '定时检查', categoryId: cat, submit: true }, system);
        await applyTransition(s.db, s.bus, {
          workOrderId: workOrder.id,
          action: 'dispatch',
          departmentId: urban,
          actor: system,
          now: new Date(Date.now() - 30 * 86_400_000),
        });
        let overdue = false;
        for (let i = 0; i < 50 && !overdue; i++) {
          await sleep(200);
          overdue =
            (await s.db.query<{ overdue: boolean }>('SELECT overdue FROM work_orders WHERE id = $1', [workOrder.id])).rows[0]?.overdue ===
            true;
        }
        assert.ok(overdue, 'flagged by the scheduled check within 10 s');
        const ready = (await s.request('supervisor', { method: 'GET', url: '/readyz/details' })).json();
        assert.equal(ready.components.dispatch.ok, true);
        assert.match(ready.components.dispatch.detail, /checked \d+ running cases/);
      } finally {
        await s.close();
      }
    });
  });
}
