/**
 * Callers' numbers and names are sealed in the database on both engines: nothing in the
 * tables reads as the number, the API still shows it to those working on the case and
 * finds the caller's cases by number, rows from before sealing are resealed by
 * `hotline data rekey`, and a key rotation keeps every case readable.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keyringFrom, newDataKey, parseDataKey, setDataKeyring } from '../core/personal-data.js';
import { ENGINES } from '../db/testing.js';
import { resealCases } from '../dispatch/index.js';
import { resealCalls } from '../telephony/index.js';
import { insertCall } from '../telephony/store.js';
import { startTestServer } from './helpers/server.js';

for (const engine of ENGINES) {
  test(`${engine}: phone numbers and names are sealed at rest and found by number`, async () => {
    const k1 = newDataKey();
    const k2 = newDataKey();
    setDataKeyring(keyringFrom(parseDataKey(k1)));
    const s = await startTestServer(engine);
    try {
      const made = await s.request('agent', {
        method: 'POST',
        url: '/api/work-orders',
        payload: { description: '楼下烧烤油烟很大', callerName: '王小明', callerPhone: '138-0013-8000', submit: true },
      });
      assert.equal(made.statusCode, 201, made.body);
      const id = made.json().workOrder.id as number;
      const raw = await s.db.query<{ caller_name: string; caller_phone: string; caller_phone_hash: string }>(
        'SELECT caller_name, caller_phone, caller_phone_hash FROM work_orders WHERE id = $1',
        [id],
      );
      const row = raw.rows[0];
      assert.match(row?.caller_phone ?? '', /^enc1:/);
      assert.match(row?.caller_name ?? '', /^enc1:/);
      assert.doesNotMatch(JSON.stringify(row), /138|8000|王小明/);
      const detail = await s.request('supervisor', { method: 'GET', url: `/api/work-orders/${id}` });
      assert.equal(detail.json().callerPhone, '138-0013-8000');
      assert.equal(detail.json().callerName, '王小明');
      // Found by the number however it is typed.
      for (const q of ['13800138000', '138 0013 8000', '+86 138 0013 8000']) {
        const list = await s.request('dispatcher', { method: 'GET', url: `/api/work-orders?q=${encodeURIComponent(q)}` });
        assert.deepEqual(
          list.json().items.map((w: { id: number }) => w.id),
          [id],
          q,
        );
      }
      // A second case of the same caller shows the first as related.
      const second = await s.request('agent', {
        method: 'POST',
        url: '/api/work-orders',
        payload: { description: '烧烤油烟还是很大', callerPhone: '13800138000', submit: true },
      });
      const related = await s.request('dispatcher', { method: 'GET', url: `/api/work-orders/${second.json().workOrder.id}/related` });
      assert.ok(
        related.json().some((r: { id: number; reason: string }) => r.id === id && r.reason === 'same_phone'),
        related.body,
      );
      // Calls too.
      const call = await insertCall(s.db, {
        channel: 'sip',
        direction: 'inbound',
        callerNumber: '13900139000',
        calledNumber: '12345',
        state: 'ended',
      });
      assert.equal(call.callerNumber, '13900139000');
      const rawCall = await s.db.query<{ caller_number: string }>('SELECT caller_number FROM calls WHERE id = $1', [call.id]);
      assert.match(rawCall.rows[0]?.caller_number ?? '', /^enc1:/);

      // Rows from before sealing, and a key rotation.
      await s.db.query(
        `INSERT INTO work_orders (number, channel, caller_name, caller_phone, description, state) VALUES ('20200101-000001', 'hotline', '李四', '13700137000', '旧案件', 'closed')`,
      );
      const plainFound = await s.request('dispatcher', { method: 'GET', url: '/api/work-orders?q=13700137000' });
      assert.equal(plainFound.json().total, 1, 'a row not sealed yet is still found');
      const rotated = keyringFrom(parseDataKey(k2), [parseDataKey(k1)]);
      setDataKeyring(rotated);
      {
        assert.ok((await resealCases(s.db)) >= 3);
        assert.ok((await resealCalls(s.db)) >= 1);
        const all = await s.db.query<{ caller_phone: string }>('SELECT caller_phone FROM work_orders WHERE caller_phone IS NOT NULL');
        for (const r of all.rows) assert.ok(r.caller_phone.startsWith(`enc1:${rotated.current.id}:`), r.caller_phone);
        // The new key alone now opens everything.
        setDataKeyring(keyringFrom(parseDataKey(k2)));
        const again = await s.request('supervisor', { method: 'GET', url: `/api/work-orders/${id}` });
        assert.equal(again.json().callerPhone, '138-0013-8000');
        const oldFound = await s.request('dispatcher', { method: 'GET', url: '/api/work-orders?q=13700137000' });
        assert.equal(oldFound.json().total, 1);
      }
    } finally {
      await s.close();
    }
  });
}
