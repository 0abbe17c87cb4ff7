/**
 * Open311 GeoReport v2 on both engines: services are categories, requests become work
 * orders in the dispatch queue, validation and errors follow the standard.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MODULES } from '../app/modules.js';
import { ENGINES } from '../db/testing.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const modules = MODULES.filter((m) => ['auth', 'org', 'dispatch'].includes(m.name));
const form = (fields: Record<string, string>) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams(fields).toString(),
});

for (const engine of ENGINES) {
  describe(`Open311 GeoReport v2 on ${engine}`, () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer(engine, {
        modules,
        env: { DISPATCH_DEADLINE_CHECK_SECONDS: '0', OPEN311_API_KEYS: 'grid-app-key, photo-app-key' },
      });
    });
    after(async () => {
      await s?.close();
    });
    const post = (fields: Record<string, string>) => s.request(null, { method: 'POST', url: '/open311/v2/requests.json', ...form(fields) });
    const get = (url: string) => s.request(null, { method: 'GET', url });

    const expectError = (r: Awaited<ReturnType<typeof post>>, status: number, text: RegExp) => {
      assert.equal(r.statusCode, status, r.body);
      const body = r.json();
      assert.ok(Array.isArray(body), `errors are a list: ${r.body}`);
      assert.equal(body[0].code, status);
      assert.match(body[0].description, text);
    };

    test('services are the active categories, public', async () => {
      const r = await get('/open311/v2/services.json');
      assert.equal(r.statusCode, 200, r.body);
      const services = r.json();
      const lamp = services.find((x: { service_code: string }) => x.service_code === 'U07');
      assert.ok(lamp, 'category U07 is a service');
      assert.equal(lamp.metadata, false);
      assert.equal(lamp.type, 'realtime');
      assert.equal(typeof lamp.group, 'string');
      assert.equal((await get('/open311/v2/services/U07.json')).json().service_code, 'U07');
      expectError(await get('/open311/v2/services/NOPE.json'), 404, /NOPE/);
    });

    test('a valid request becomes a work order in the dispatch queue and reads back with its status', async () => {
      const r = await post({
        api_key: 'grid-app-key',
        service_code: 'U07',
        lat: '30.27',
        long: '120.15',
        address_string: '东湖街道湖滨社区3栋',
        description: '人行道地砖松动',
        first_name: '伟',
        last_name: '张',
        phone: '13700001234',
        email: 'zhang@example.org',
        media_url: 'https://photos.example.org/1.jpg',
      });
      assert.equal(r.statusCode, 201, r.body);
      const [created] = r.json();
      assert.match(created.service_request_id, /^\d{8}-\d{6}$/);
      const wo = (
        await s.db.query<{ id: number; channel: string; state: string; place_unit_id: number; lat: number; caller_phone: string }>(
          'SELECT * FROM work_orders WHERE number = $1',
          [created.service_request_id],
        )
      ).rows[0];
      assert.equal(wo?.channel, 'open311');
      assert.equal(wo?.state, 'pending_dispatch');
      assert.equal(wo?.lat, 30.27);
      assert.ok(wo?.place_unit_id, 'place resolved from address_string');

      const one = await get(`/open311/v2/requests/${created.service_request_id}.json?api_key=grid-app-key`);
      assert.equal(one.statusCode, 200, one.body);
      assert.equal(one.json()[0].status, 'open');
      assert.equal(one.json()[0].service_code, 'U07');
      assert.equal(one.json()[0].long, 120.15);
      assert.equal(one.json()[0].address, '东湖街道湖滨社区3栋');

      // The case closes in the desk; Open311 shows it closed with the reply as notes.
      const id = wo?.id as number;
      const act = (as: string, body: Record<string, unknown>) =>
        s.request(as, { method: 'POST', url: `/api/work-orders/${id}/transitions`, payload: body });
      for (const [as, body] of [
        [
          'dispatcher',
          {
            action: 'dispatch',
            departmentId: (await s.db.query<{ id: number }>(`SELECT id FROM org_units WHERE code = 'dept.urban'`)).rows[0]?.id,
          },
        ],
        ['handler', { action: 'accept' }],
        ['handler', { action: 'reply', result: '已重新铺设地砖' }],
        ['dispatcher', { action: 'review', decision: 'accept' }],
        ['callback', { action: 'close', callbackOutcome: 'satisfied' }],
      ] as const) {
        const x = await act(as, body);
        assert.equal(x.statusCode, 200, x.body);
      }
      const closed = (await get(`/open311/v2/requests/${created.service_request_id}.json?api_key=grid-app-key`)).json()[0];
      assert.equal(closed.status, 'closed');
      assert.equal(closed.status_notes, '已重新铺设地砖');
      assert.equal(closed.agency_responsible, '区城市管理和综合执法局');

      const list = (await get('/open311/v2/requests.json?status=closed&service_code=U07')).json();
      assert.ok(list.some((x: { service_request_id: string }) => x.service_request_id === created.service_request_id));
      const openOnly = (await get('/open311/v2/requests.json?status=open')).json();
      assert.ok(openOnly.every((x: { status: string }) => x.status === 'open'));
      const byId = (await get(`/open311/v2/requests.json?service_request_id=${created.service_request_id}`)).json();
      assert.equal(byId.length, 1);
    });

    test('JSON bodies work too; address_id names a place', async () => {
      const r = await s.request(null, {
        method: 'POST',
        url: '/open311/v2/requests.json',
        payload: { api_key: 'photo-app-key', service_code: 'U03', address_id: 'community.hubin', description: '垃圾桶满溢' },
      });
      assert.equal(r.statusCode, 201, r.body);
    });

    test('validation follows the standard, errors in its format, nothing stored', async () => {
      const count = async () => (await s.db.query<{ n: number }>('SELECT count(*) AS n FROM work_orders')).rows[0]?.n;
      const n = await count();
      const base = { api_key: 'grid-app-key', service_code: 'U07', address_string: '新华路1号' };
      const { api_key: _k, ...noKey } = base;
      expectError(await post(noKey), 403, /api_key/);
      expectError(await post({ ...base, api_key: 'wrong' }), 403, /api_key/);
      const { service_code: _c, ...noCode } = base;
      expectError(await post(noCode), 400, /service_code is required/);
      expectError(await post({ ...base, service_code: 'NOPE' }), 404, /service_code NOPE not found/);
      expectError(await post({ api_key: 'grid-app-key', service_code: 'U07', description: '无位置' }), 400, /location is required/);
      expectError(await post({ api_key: 'grid-app-key', service_code: 'U07', lat: '30.2' }), 400, /lat and long/);
      expectError(await post({ ...base, lat: '91', long: '120' }), 400, /lat must be/);
      expectError(await post({ ...base, long: 'east', lat: '30' }), 400, /long must be/);
      expectError(await post({ ...base, address_id: 'nowhere' }), 400, /address_id/);
      expectError(await post({ ...base, media_url: 'ftp://x' }), 400, /media_url/);
      expectError(await post({ ...base, email: 'not-an-email' }), 400, /email/);
      expectError(await post({ ...base, description: 'x'.repeat(4001) }), 400, /invalid request/);
      const badJson = await s.request(null, {
        method: 'POST',
        url: '/open311/v2/requests.json',
        headers: { 'content-type': 'application/json' },
        payload: '{',
      });
      assert.equal(badJson.statusCode, 400);
      assert.ok(Array.isArray(badJson.json()));
      const xml = await s.request(null, {
        method: 'POST',
        url: '/open311/v2/requests.json',
        headers: { 'content-type': 'text/xml' },
        payload: '<a/>',
      });
      expectError(xml, 415, /form-urlencoded/);
      assert.equal(await count(), n, 'no refused request left a work order');

      expectError(await get('/open311/v2/requests/20000101-000000.json'), 404, /not found/);
      expectError(await get('/open311/v2/requests.json?status=pending'), 400, /status/);
      expectError(await get('/open311/v2/requests.json?start_date=yesterday'), 400, /start_date/);
      expectError(await get('/open311/v2/requests.json?start_date=2026-02-01&end_date=2026-01-01'), 400, /after end_date/);
      expectError(await get('/open311/v2/discovery.xml'), 404, /no such Open311 resource/);
    });

    test('/readyz says ok per component; the deadline check detail is for supervisors', async () => {
      const r = (await get('/readyz')).json();
      assert.deepEqual(r, { status: 'ready', components: { database: { ok: true }, dispatch: { ok: true } } });
      const anonymous = await get('/readyz/details');
      assert.equal(anonymous.statusCode, 401);
      assert.equal((await s.request('agent', { method: 'GET', url: '/readyz/details' })).statusCode, 403);
      const d = (await s.request('supervisor', { method: 'GET', url: '/readyz/details' })).json();
      assert.equal(d.components.database.detail, engine);
      assert.deepEqual(d.components.dispatch, { ok: true, detail: 'scheduled deadline check off (DISPATCH_DEADLINE_CHECK_SECONDS=0)' });
    });

    test('the Open311 routes are in the OpenAPI document', async () => {
      const doc = (await get('/docs/json')).json();
      for (const path of ['/open311/v2/services.json', '/open311/v2/requests.json', '/open311/v2/requests/{service_request_id}.json']) {
        assert.ok(doc.paths[path], path);
      }
      assert.ok(doc.paths['/api/work-orders/{id}/transitions'].post);
    });

    test('hotline cases are not published through Open311', async () => {
      const r = await s.request('agent', {
        method: 'POST',
        url: '/api/work-orders',
        payload: { description: '私密来电内容', callerPhone: '13812348000' },
      });
      const number = r.json().workOrder.number;
      expectError(await get(`/open311/v2/requests/${number}.json`), 404, /not found/);
    });

    test('without an api_key the list shows no address, place, coordinates, photo, notes or description', async () => {
      const r = await post({
        api_key: 'grid-app-key',
        service_code: 'U07',
        lat: '30.28',
        long: '120.16',
        address_string: '湖滨社区5栋2单元301室',
        description: '路灯不亮，联系人电话13912345678，身份证330106199001011234',
        media_url: 'https://photos.example.org/2.jpg',
      });
      assert.equal(r.statusCode, 201, r.body);
      const id = r.json()[0].service_request_id;
      for (const url of [`/open311/v2/requests/${id}.json`, `/open311/v2/requests.json?service_request_id=${id}`]) {
        const [pub] = (await get(url)).json();
        assert.equal(pub.service_request_id, id);
        assert.equal(pub.service_code, 'U07');
        assert.equal(pub.status, 'open');
        assert.ok(pub.requested_datetime);
        for (const field of ['address', 'address_id', 'lat', 'long', 'media_url', 'description', 'status_notes']) {
          assert.equal(pub[field], null, `${url}: ${field} hidden`);
        }
      }
      const [full] = (await get(`/open311/v2/requests/${id}.json?api_key=photo-app-key`)).json();
      assert.equal(full.address, '湖滨社区5栋2单元301室');
      assert.equal(full.lat, 30.28);
      assert.equal(full.description, '路灯不亮，联系人电话139****5678，身份证330106********1234', 'masked even with a key');
      expectError(await get(`/open311/v2/requests.json?api_key=stolen`), 403, /api_key is not valid/);
    });

    test('a desk user cannot make an open311 case, and one made behind its back is not published', async () => {
      for (const as of ['agent', 'dispatcher']) {
        const r = await s.request(as, {
          method: 'POST',
          url: '/api/work-orders',
          payload: { channel: 'open311', description: '伪装成随手拍的来电', callerPhone: '13812348000', address: '新华路8号' },
        });
        assert.equal(r.statusCode, 403, `${as}: ${r.body}`);
        assert.equal(r.json().code, 'OPEN311_CHANNEL_RESERVED');
      }
      const agent = (await s.db.query<{ id: number }>(`SELECT id FROM users WHERE username = 'agent'`)).rows[0]?.id;
      await s.db.query(
        `INSERT INTO work_orders (number, channel, description, state, address, created_by) VALUES ('29990101-000001', 'open311', '旧数据', 'pending_dispatch', '新华路8号', $1)`,
        [agent],
      );
      expectError(await get('/open311/v2/requests/29990101-000001.json?api_key=grid-app-key'), 404, /not found/);
    });

    test('without configured keys, submission is disabled; a site may publish the details', async () => {
      const bare = await startTestServer(engine, {
        modules,
        env: { DISPATCH_DEADLINE_CHECK_SECONDS: '0', OPEN311_PUBLIC_DETAILS: 'true' },
        seedDemo: true,
      });
      try {
        const r = await bare.request(null, {
          method: 'POST',
          url: '/open311/v2/requests.json',
          ...form({ api_key: 'x', service_code: 'U07', address_string: 'x' }),
        });
        expectError(r, 403, /not enabled/);
        await bare.db.query(
          `INSERT INTO work_orders (number, channel, description, state, address) VALUES ('29990101-000002', 'open311', '井盖破损，电话13812348000', 'pending_dispatch', '新华路9号')`,
        );
        const [pub] = (await bare.request(null, { method: 'GET', url: '/open311/v2/requests/29990101-000002.json' })).json();
        assert.equal(pub.address, '新华路9号', 'OPEN311_PUBLIC_DETAILS=true');
        assert.equal(pub.description, '井盖破损，电话138****8000');
      } finally {
        await bare.close();
      }
    });
  });
}
