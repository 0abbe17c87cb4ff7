import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import { ENGINES } from '../db/testing.js';
import { startTestServer, type TestServer } from '../test/helpers/server.js';
import { trackAgents } from './agents.js';
import { MetricsErrors } from './errors.js';
import { parseAllowList } from './routes.js';
import type { Wallboard } from './wallboard.js';

for (const engine of ENGINES) {
  describe(`metrics routes on ${engine}`, () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer(engine, { env: { METRICS_REFRESH_MS: '0', METRICS_TOKEN: 'scrape-me' } });
    });
    after(() => s.close());

    test('the wallboard is for supervisors (and admins) only', async () => {
      const ok = await s.request('supervisor', { method: 'GET', url: '/api/metrics/wallboard' });
      assert.equal(ok.statusCode, 200);
      assert.equal(ok.json().timezone, 'Asia/Shanghai');
      assert.equal((await s.request('admin', { method: 'GET', url: '/api/metrics/wallboard' })).statusCode, 200);
      const agent = await s.request('agent', { method: 'GET', url: '/api/metrics/wallboard' });
      assert.equal(agent.statusCode, 403);
      assert.equal(agent.json().code, 'ROLE_REFUSED');
      assert.equal(agent.json().params.route, '/api/metrics/wallboard');
      assert.equal((await s.request(null, { method: 'GET', url: '/api/metrics/wallboard' })).statusCode, 401);
    });

    test('a reversed period is a 400 with the reason', async () => {
      const r = await s.request('supervisor', { method: 'GET', url: '/api/metrics/report?from=2026-03-05&to=2026-03-01' });
      assert.equal(r.statusCode, 400);
      assert.equal(r.json().code, 'REPORT_PERIOD_REVERSED');
      const missing = await s.request('supervisor', { method: 'GET', url: '/api/metrics/report.csv?from=2026-03-05' });
      assert.equal(missing.statusCode, 400);
      assert.equal(missing.json().code, 'VALIDATION');
      assert.match(missing.json().params.reason, /to/);
    });

    test('reports export as CSV with a BOM and as an XLSX workbook with the figures', async () => {
      await s.db.query(
        `INSERT INTO work_orders (number, channel, description, state, created_at) VALUES ('R1', 'hotline', 'x', 'pending_dispatch', '2026-03-02 10:00+08')`,
      );
      const csv = await s.request('supervisor', { method: 'GET', url: '/api/metrics/report.csv?from=2026-03-01&to=2026-03-31' });
      assert.equal(csv.statusCode, 200);
      assert.match(csv.headers['content-type'] as string, /^text\/csv/);
      assert.match(csv.headers['content-disposition'] as string, /hotline-report-2026-03-01-2026-03-31\.csv/);
      assert.ok(csv.body.startsWith('\uFEFF指标,数值'));
      assert.match(csv.body, /\r\n新建工单,1\r\n/);
      assert.match(csv.body, /\r\n2026-03-02,1,0,0,,\r\n/);

      const xlsx = await s.request('supervisor', { method: 'GET', url: '/api/metrics/report.xlsx?from=2026-03-01&to=2026-03-31' });
      assert.equal(xlsx.statusCode, 200);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
      assert.deepEqual(
        wb.worksheets.map((w) => w.name),
        ['汇总', '按日', '按类别', '按部门'],
      );
      const created = wb
        .getWorksheet('汇总')!
        .getRows(1, 20)!
        .find((r) => r.getCell(1).value === '新建工单');
      assert.equal(created?.getCell(2).value, 1);
    });

    test('/metrics speaks Prometheus text and honours METRICS_TOKEN', async () => {
      const away = { remoteAddress: '203.0.113.9' };
      const refused = await s.request(null, { method: 'GET', url: '/metrics', ...away });
      assert.equal(refused.statusCode, 401, 'another host without the token');
      assert.equal(refused.json().code, 'METRICS_TOKEN_REQUIRED');
      const wrong = await s.request(null, { method: 'GET', url: '/metrics', ...away, headers: { authorization: 'Bearer scrape-mE' } });
      assert.equal(wrong.statusCode, 401, 'a wrong token');
      assert.equal((await s.request(null, { method: 'GET', url: '/metrics' })).statusCode, 200, 'this host may scrape (METRICS_ALLOW)');
      const r = await s.request(null, { method: 'GET', url: '/metrics', ...away, headers: { authorization: 'Bearer scrape-me' } });
      assert.equal(r.statusCode, 200);
      assert.match(r.headers['content-type'] as string, /^text\/plain; version=0\.0\.4/);
      assert.match(r.body, /^# HELP hotline_calls_waiting /m);
      assert.match(r.body, /^hotline_work_orders_overdue \d+$/m);
      for (const processMetric of [
        'process_cpu_seconds_total',
        'process_resident_memory_bytes',
        'nodejs_eventloop_lag_seconds',
        'nodejs_gc_duration_seconds',
      ]) {
        assert.match(r.body, new RegExp(`^# TYPE ${processMetric} `, 'm'), processMetric);
      }
    });

    test('agent states reported on the bus show on the wallboard', async () => {
      s.bus.publish('agent.state' as never, { agentId: 7, state: 'idle' } as never);
      s.bus.publish('agent.state' as never, { agentId: 8, state: 'talking' } as never);
      s.bus.publish('agent.state' as never, { agentId: 7, state: 'break' } as never);
      const w = (await s.request('supervisor', { method: 'GET', url: '/api/metrics/wallboard' })).json() as Wallboard;
      assert.deepEqual(w.agents, { available: 0, busy: 1, wrap_up: 0, break: 1, offline: 0 });
    });

    test('stored agent states count from the start; later events win', async () => {
      const agent = await s.db.query<{ id: number }>(`SELECT id FROM users WHERE username = 'agent'`);
      const id = agent.rows[0]!.id;
      await s.db.query(
        `INSERT INTO agent_states (user_id, state) VALUES ($1, 'paused') ON CONFLICT (user_id) DO UPDATE SET state = 'paused'`,
        [id],
      );
      const tracker = trackAgents(s.bus);
      try {
        assert.equal(tracker.known(), false);
        await tracker.load(s.db);
        assert.equal(tracker.known(), true);
        assert.equal(tracker.counts().break, 1);
        s.bus.publish('agent.state' as never, { agentId: id, state: 'available' } as never);
        await tracker.load(s.db);
        assert.equal(tracker.counts().available, 1, 'an event is newer than the stored row');
        assert.equal(tracker.counts().break, 0);
      } finally {
        tracker.stop();
      }
    });

    test('a work-order event on the bus publishes a fresh wallboard', async () => {
      const before = (await s.request('supervisor', { method: 'GET', url: '/api/metrics/wallboard' })).json() as Wallboard;
      const next = new Promise<Wallboard>((resolve) => {
        const stop = s.bus.subscribe('metrics.wallboard', (w) => {
          stop();
          resolve(w);
        });
      });
      await s.db.query(
        `INSERT INTO work_orders (number, channel, description, state) VALUES ('LIVE1', 'hotline', 'x', 'pending_dispatch')`,
      );
      s.bus.publish('workorder.changed', {
        id: 1,
        number: 'LIVE1',
        action: 'create',
        fromState: null,
        toState: 'intake',
        departmentId: null,
        actorId: null,
        eventId: 1,
      });
      const w = await Promise.race([next, new Promise<never>((_, rej) => setTimeout(() => rej(new Error('no wallboard in 5 s')), 5000))]);
      assert.equal(w.cases.created, before.cases.created + 1);
    });
  });
}

describe('/metrics without a token', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer('pglite', { env: { METRICS_REFRESH_MS: '0', METRICS_ALLOW: '10.1.0.0/16, 192.0.2.7, ::1' } });
  });
  after(() => s.close());
  const scrape = (remoteAddress: string) => s.request(null, { method: 'GET', url: '/metrics', remoteAddress });

  test('is closed to the network: only the addresses of METRICS_ALLOW may scrape', async () => {
    assert.equal((await scrape('10.1.2.3')).statusCode, 200, 'inside the range');
    assert.equal((await scrape('192.0.2.7')).statusCode, 200, 'a listed address');
    assert.equal((await scrape('::ffff:192.0.2.7')).statusCode, 200, 'the same address on a dual-stack socket');
    assert.equal((await scrape('::1')).statusCode, 200);
    const r = await scrape('10.2.0.1');
    assert.equal(r.statusCode, 403, 'outside the range');
    assert.equal(r.json().code, 'METRICS_ADDRESS_REFUSED');
    assert.equal((await scrape('127.0.0.1')).statusCode, 403, 'this host is not listed here');
  });

  test('by default only this host, and a bad entry stops the start with its value', async () => {
    const d = await startTestServer('pglite', { env: { METRICS_REFRESH_MS: '0' } });
    try {
      assert.equal((await d.request(null, { method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' })).statusCode, 200);
      assert.equal((await d.request(null, { method: 'GET', url: '/metrics', remoteAddress: '198.51.100.4' })).statusCode, 403);
    } finally {
      await d.close();
    }
    for (const bad of ['10.0.0.0/33', 'localhost', '10.0.0.1/8/1', '::1/129']) {
      assert.throws(
        () => parseAllowList(bad),
        (e) => MetricsErrors.METRICS_ALLOW_INVALID.is(e) && e.params.entry === bad,
        bad,
      );
    }
    assert.equal(parseAllowList('none').check('127.0.0.1'), false, 'none: the token only');
  });
});

describe('metrics live wallboard without bus events', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer('pglite', { env: { METRICS_REFRESH_MS: '100' } });
  });
  after(() => s.close());

  test('rows written by another process are noticed by the fingerprint poll', async () => {
    // Let the poll take its first fingerprint before the change.
    await new Promise((r) => setTimeout(r, 300));
    const next = new Promise<Wallboard>((resolve) => {
      const stop = s.bus.subscribe('metrics.wallboard', (w) => {
        stop();
        resolve(w);
      });
    });
    await s.db.query(`INSERT INTO work_orders (number, channel, description, state) VALUES ('POLL1', 'hotline', 'x', 'pending_dispatch')`);
    const w = await Promise.race([next, new Promise<never>((_, rej) => setTimeout(() => rej(new Error('no wallboard in 5 s')), 5000))]);
    assert.equal(w.cases.created, 1);
  });
});
