/**
 * Calls a crashed process left live (queued, answered, …) are ended when telephony starts,
 * and the wallboard stops counting them. On both database engines: the rows are written
 * straight into the database the server then starts on, as a previous run would have left them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../app/config.js';
import { seed } from '../app/seed.js';
import { buildServer } from '../app/server.js';
import { createLocalBus } from '../core/events.js';
import { createTestDb, ENGINES } from '../db/testing.js';
import { DEMO_PASSWORD } from '../org/index.js';

for (const engine of ENGINES) {
  test(`${engine}: calls left live by a previous run are ended as lost_on_restart at start`, async () => {
    const db = await createTestDb(engine);
    await seed(db, { demo: true });
    const stale = await db.query<{ id: number }>(
      `INSERT INTO calls (channel, direction, sip_call_id, caller_number, state, arrived_at, answered_at)
       VALUES ('sip', 'inbound', 'phantom-1', '13800138000', 'queued', now() - interval '569 seconds', NULL),
              ('sip', 'inbound', 'phantom-2', '13800138001', 'answered', now() - interval '300 seconds', now() - interval '290 seconds')
       RETURNING id`,
    );
    const done = await db.query<{ id: number }>(
      `INSERT INTO calls (channel, state, ended_at, end_reason) VALUES ('sip', 'ended', now(), 'answered') RETURNING id`,
    );
    const bus = createLocalBus();
    const config = loadConfig({ LOG_LEVEL: 'silent', LOGIN_RATE_LIMIT: '1000', SIP_ENABLED: 'false', ASR_ENGINE: 'none' });
    const app = await buildServer({ config, ctx: { db, bus }, logger: false });
    try {
      await app.ready();
      const rows = await db.query<{ id: number; state: string; end_reason: string; ended_at: unknown; details: Record<string, unknown> }>(
        'SELECT id, state, end_reason, ended_at, details FROM calls ORDER BY id',
      );
      const byId = new Map(rows.rows.map((r) => [Number(r.id), r]));
      const [q, a] = stale.rows.map((r) => byId.get(Number(r.id)));
      assert.equal(q?.state, 'ended');
      assert.equal(q?.end_reason, 'lost_on_restart');
      assert.ok(q?.ended_at);
      assert.equal(q?.details.stateAtRestart, 'queued');
      assert.equal(a?.end_reason, 'lost_on_restart');
      assert.equal(a?.details.stateAtRestart, 'answered');
      assert.equal(byId.get(Number(done.rows[0]?.id))?.end_reason, 'answered', 'ended calls are left as they were');

      const login = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'supervisor', password: DEMO_PASSWORD },
      });
      const cookie = login.cookies.find((c) => c.name === 'hotline_sid');
      assert.ok(cookie, login.body);
      const w = await app.inject({ method: 'GET', url: '/api/metrics/wallboard', headers: { cookie: `hotline_sid=${cookie.value}` } });
      assert.equal(w.statusCode, 200, w.body);
      assert.deepEqual(w.json().queue, { waiting: 0, longestWaitSeconds: 0, inProgress: 0 });
    } finally {
      await app.close();
      await bus.close();
      await db.destroy();
    }
  });
}
