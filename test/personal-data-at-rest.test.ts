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
import { resealCalls, resealTranscripts } from '../telephony/index.js';
import { insertCall, insertSegment, listSegments } from '../telephony/store.js';
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

      // ID numbers in a description and in a transcript: sealed in the tables, in clear for
      // those working the case, masked for the others.
      const ID = '110101199003074578';
      await insertSegment(s.db, call.id, {
        leg: 'caller',
        seq: 1,
        text: `我的身份证是${ID}`,
        final: true,
        startMs: 0,
        endMs: 900,
        confidence: null,
      });
      const withId = await s.request('agent', {
        method: 'POST',
        url: '/api/work-orders',
        payload: { description: `社保卡补办，身份证${ID}`, callerPhone: '13600136000', callId: call.id, submit: true },
      });
      assert.equal(withId.statusCode, 201, withId.body);
      const idCase = withId.json().workOrder.id as number;
      const rawDesc = await s.db.query<{ description: string }>('SELECT description FROM work_orders WHERE id = $1', [idCase]);
      assert.doesNotMatch(rawDesc.rows[0]?.description ?? '', new RegExp(ID));
      assert.match(rawDesc.rows[0]?.description ?? '', /社保卡补办/);
      const rawSeg = await s.db.query<{ text: string }>('SELECT text FROM transcript_segments WHERE call_id = $1', [call.id]);
      assert.doesNotMatch(rawSeg.rows[0]?.text ?? '', new RegExp(ID));
      const clear = (await s.request('supervisor', { method: 'GET', url: `/api/work-orders/${idCase}` })).json();
      assert.equal(clear.description, `社保卡补办，身份证${ID}`);
      assert.match(clear.transcript ?? '', new RegExp(ID));
      assert.deepEqual(
        (await listSegments(s.db, call.id)).map((x) => x.text),
        [`我的身份证是${ID}`],
      );
      const listed = (await s.request('dispatcher', { method: 'GET', url: `/api/work-orders?q=${encodeURIComponent('社保卡')}` })).json();
      assert.equal(listed.items[0]?.description, '社保卡补办，身份证110101********4578');

      // Rows from before sealing, and a key rotation.
      await s.db.query(
        `INSERT INTO work_orders (number, channel, caller_name, caller_phone, description, state) VALUES ('20200101-000001', 'hotline', '李四', '13700137000', '旧案件，身份证${ID}', 'closed')`,
      );
      await s.db.query(`INSERT INTO transcript_segments (call_id, leg, seq, text) VALUES ($1, 'caller', 2, '卡号6222021234567890123')`, [
        call.id,
      ]);
      const plainFound = await s.request('dispatcher', { method: 'GET', url: '/api/work-orders?q=13700137000' });
      assert.equal(plainFound.json().total, 1, 'a row not sealed yet is still found');
      const rotated = keyringFrom(parseDataKey(k2), [parseDataKey(k1)]);
      setDataKeyring(rotated);
      {
        assert.ok((await resealCases(s.db)) >= 3);
        assert.ok((await resealCalls(s.db)) >= 1);
        assert.equal(await resealTranscripts(s.db), 2, 'the plaintext segment and the one of the old key');
        const texts = await s.db.query<{ description: string }>('SELECT description FROM work_orders');
        for (const r of texts.rows) assert.doesNotMatch(r.description, new RegExp(ID));
        const segs = await s.db.query<{ text: string }>('SELECT text FROM transcript_segments');
        for (const r of segs.rows) assert.doesNotMatch(r.text, /110101199003074578|6222021234567890123/);
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
