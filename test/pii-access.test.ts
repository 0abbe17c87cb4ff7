/**
 * Who sees a caller's personal data (issue #14): a case's name, number, address, location,
 * description and transcript are in clear only for those working on it, masked for everyone
 * else and in lists; a call's number and transcript only for its agent and supervisors.
 * Every read in clear is in the access log that supervisors read. The narrower role rules of
 * the case flow (callback staff close only after a callback, agents refer only their own
 * cases before dispatch) refuse with 403 and say who may.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MODULES } from '../app/modules.js';
import { createUser } from '../auth/index.js';
import { ENGINES } from '../db/testing.js';
import type { WorkOrder } from '../dispatch/index.js';
import { DEMO_PASSWORD } from '../org/index.js';
import { acceptedReply, callbackOf, until } from './helpers/cases.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const PHONE = '13812348000';
const CASE = {
  callerName: '赵明',
  callerPhone: PHONE,
  address: '东湖街道湖滨社区12栋3单元501',
  lat: 30.27412,
  lng: 120.15531,
  description: '楼下路灯不亮，我的电话138-1234-8000，身份证330106199001011234',
};

interface Detail extends WorkOrder {
  piiMasked: boolean;
  transcript: string | null;
  allowedActions: string[];
}

for (const engine of ENGINES) {
  describe(`personal data of cases on ${engine}`, () => {
    let s: TestServer;
    const unit: Record<string, number> = {};
    const user: Record<string, number> = {};
    let lamp: number;
    before(async () => {
      s = await startTestServer(engine, {
        modules: MODULES.filter((m) => ['auth', 'audit', 'org', 'dispatch'].includes(m.name)),
        env: { DISPATCH_DEADLINE_CHECK_SECONDS: '0' },
      });
      for (const r of (await s.db.query<{ id: number; code: string }>('SELECT id, code FROM org_units')).rows) unit[r.code] = r.id;
      lamp = (await s.db.query<{ id: number }>(`SELECT id FROM categories WHERE code = 'U07'`)).rows[0]?.id as number;
      for (const [username, role] of [
        ['agent2', 'agent'],
        ['dispatcher2', 'dispatcher'],
        ['callback2', 'callback'],
      ] as const) {
        await createUser(s.db, { username, password: DEMO_PASSWORD, role, orgUnitCode: 'centre' });
      }
      await createUser(s.db, { username: 'greening', password: DEMO_PASSWORD, role: 'handler', orgUnitCode: 'dept.greening' });
      for (const r of (await s.db.query<{ id: number; username: string }>('SELECT id, username FROM users')).rows) user[r.username] = r.id;
    });
    after(async () => {
      await s?.close();
    });

    const create = async (body: Record<string, unknown>, as = 'agent') => {
      const r = await s.request(as, { method: 'POST', url: '/api/work-orders', payload: { ...CASE, categoryId: lamp, ...body } });
      assert.equal(r.statusCode, 201, r.body);
      return r.json().workOrder as WorkOrder;
    };
    const detail = async (as: string, id: number) => {
      const r = await s.request(as, { method: 'GET', url: `/api/work-orders/${id}` });
      assert.equal(r.statusCode, 200, `${as}: ${r.body}`);
      return r.json() as Detail;
    };
    const act = (as: string, id: number, body: Record<string, unknown>) =>
      s.request(as, { method: 'POST', url: `/api/work-orders/${id}/transitions`, payload: body });
    const ok = async (as: string, id: number, body: Record<string, unknown>) => {
      const r = await act(as, id, body);
      assert.equal(r.statusCode, 200, `${as} ${body.action}: ${r.body}`);
      return r.json().workOrder as WorkOrder;
    };
    const logOf = async (id: number) =>
      (
        await s.db.query<{ username: string; fields: string[]; ip: string; route: string; record_ref: string }>(
          `SELECT username, fields, ip, route, record_ref FROM pii_access_log WHERE record_type = 'work_order' AND record_id = $1 ORDER BY id`,
          [id],
        )
      ).rows;
    const assertClear = (d: Detail, who: string) => {
      assert.equal(d.piiMasked, false, who);
      assert.equal(d.callerPhone, PHONE, who);
      assert.equal(d.callerName, CASE.callerName, who);
      assert.equal(d.address, CASE.address, who);
      assert.equal(d.description, CASE.description, who);
    };
    const assertMasked = (d: Detail, who: string) => {
      assert.equal(d.piiMasked, true, who);
      assert.equal(d.callerPhone, '138****8000', who);
      assert.equal(d.callerName, '赵*', who);
      assert.equal(d.address, '东湖街道湖滨***', who);
      assert.equal(d.lat, 30.27, `${who}: coordinates coarse`);
      assert.equal(d.description, '楼下路灯不亮，我的电话138****8000，身份证330106********1234', who);
      assert.equal(d.transcript, null, `${who}: no transcript`);
    };

    test('the agent who took a case reads it in clear, another agent masked; only the clear read is logged', async () => {
      const call = (
        await s.db.query<{ id: number }>(`INSERT INTO calls (channel, agent_id) VALUES ('test', $1) RETURNING id`, [user.agent])
      ).rows[0]?.id;
      await s.db.query(
        `INSERT INTO transcript_segments (call_id, leg, seq, text, start_ms) VALUES ($1, 'caller', 1, '我住在湖滨社区12栋', 0)`,
        [call],
      );
      const wo = await create({ callId: call });
      const mine = await detail('agent', wo.id);
      assertClear(mine, 'the agent who took it');
      assert.equal(mine.transcript, '我住在湖滨社区12栋');
      assertMasked(await detail('agent2', wo.id), 'another agent');
      const log = await logOf(wo.id);
      assert.equal(log.length, 1, 'one read in clear, one row; the masked read is not logged');
      assert.equal(log[0]?.username, 'agent');
      assert.deepEqual(log[0]?.fields, ['callerName', 'callerPhone', 'address', 'location', 'description', 'transcript']);
      assert.equal(log[0]?.ip, '127.0.0.1');
      assert.equal(log[0]?.route, 'GET /api/work-orders/:id');
      assert.equal(log[0]?.record_ref, wo.number);
      // An agent on the call sees it too, also when someone else typed the case in.
      const other = await create({ callId: call }, 'dispatcher');
      assert.equal((await detail('agent', other.id)).piiMasked, false, "the case came from the agent's call");
    });

    test("the history's notes and replies: in clear for those working on the case, masked for others", async () => {
      const wo = await create({ submit: true });
      await ok('dispatcher', wo.id, { action: 'dispatch', departmentId: unit['dept.urban'], instructions: '请联系13812348000' });
      const history = async (as: string) => {
        const r = await s.request(as, { method: 'GET', url: `/api/work-orders/${wo.id}/history` });
        assert.equal(r.statusCode, 200, r.body);
        return JSON.stringify(r.json());
      };
      assert.match(await history('supervisor'), /13812348000/);
      assert.match(await history('handler'), /13812348000/, 'the handling unit');
      const other = await history('agent2');
      assert.doesNotMatch(other, /13812348000/);
      assert.match(other, /138\*\*\*\*8000/);
      // The same free text on the case itself.
      assert.equal((await detail('agent2', wo.id)).instructions, '请联系138****8000');
      assert.equal((await detail('supervisor', wo.id)).instructions, '请联系13812348000');
    });

    test('lists and transition answers mask name, number, address and numbers in the text for everyone', async () => {
      const wo = await create({ submit: true });
      const list = (await s.request('supervisor', { method: 'GET', url: `/api/work-orders?q=${wo.number}` })).json();
      const item = list.items[0] as WorkOrder;
      assert.equal(item.callerPhone, '138****8000');
      assert.equal(item.callerName, '赵*');
      assert.equal(item.address, '东湖街道湖滨***');
      assert.equal(item.description, '楼下路灯不亮，我的电话138****8000，身份证330106********1234');
      const moved = await ok('dispatcher', wo.id, { action: 'dispatch', departmentId: unit['dept.urban'] });
      assert.equal(moved.callerPhone, '138****8000', 'the desk reloads the case to see it in clear');
      assert.equal(moved.address, '东湖街道湖滨***');
    });

    test('dispatchers: in clear while queued and for the one who dispatched it; the handling unit; supervisors', async () => {
      const wo = await create({ submit: true });
      assertClear(await detail('dispatcher2', wo.id), 'any dispatcher while it waits for dispatch');
      await ok('dispatcher2', wo.id, { action: 'dispatch', departmentId: unit['dept.urban'] });
      assertClear(await detail('dispatcher2', wo.id), 'the dispatcher who dispatched it');
      assertMasked(await detail('dispatcher', wo.id), 'another dispatcher once it left the queue');
      assertClear(await detail('handler', wo.id), 'a handler of the unit (contact allowed)');
      assertClear(await detail('supervisor', wo.id), 'supervisor');
      assertClear(await detail('admin', wo.id), 'admin');
      assert.equal(
        (await s.request('greening', { method: 'GET', url: `/api/work-orders/${wo.id}` })).statusCode,
        403,
        'another unit does not see it at all',
      );
      const readers = (await logOf(wo.id)).map((r) => r.username);
      assert.deepEqual(readers, ['dispatcher2', 'dispatcher2', 'handler', 'supervisor', 'admin']);
    });

    test('callback staff: masked until they claim the callback, then in clear; not after it is done', async () => {
      const wo = await create({ submit: true });
      await ok('dispatcher', wo.id, { action: 'dispatch', departmentId: unit['dept.urban'] });
      await ok('handler', wo.id, { action: 'accept' });
      await ok('handler', wo.id, { action: 'reply', result: '已修复' });
      await ok('dispatcher', wo.id, { action: 'review', decision: 'accept' });
      const cb = (
        await s.db.query<{ id: number }>(`INSERT INTO callbacks (work_order_id, due_at) VALUES ($1, now()) RETURNING id`, [wo.id])
      ).rows[0]?.id;
      assertMasked(await detail('callback', wo.id), 'before the claim');
      await s.db.query(`UPDATE callbacks SET state = 'claimed', claimed_by = $2, claimed_at = now() WHERE id = $1`, [cb, user.callback]);
      assertClear(await detail('callback', wo.id), 'the staff member who claimed it');
      assertMasked(await detail('callback2', wo.id), 'another callback staff member');
      await s.db.query(`UPDATE callbacks SET state = 'done' WHERE id = $1`, [cb]);
      assertMasked(await detail('callback', wo.id), 'after the callback is done');
    });

    test('an anonymous case: the department sees neither name, number nor numbers in the text', async () => {
      const wo = await create({ anonymous: true, contactAllowed: false, submit: true });
      await ok('dispatcher', wo.id, { action: 'dispatch', departmentId: unit['dept.urban'] });
      const d = await detail('handler', wo.id);
      assert.equal(d.callerName, null);
      assert.equal(d.callerPhone, '138****8000');
      assert.equal(d.description, '楼下路灯不亮，我的电话138****8000，身份证330106********1234');
      assert.equal(d.address, CASE.address, 'the place of the problem stays: the department goes there');
      assert.deepEqual((await logOf(wo.id)).at(-1)?.fields, ['address', 'location']);
    });

    test('the access log is for supervisors and admins, filters, and cannot be changed', async () => {
      const wo = await create({});
      await detail('agent', wo.id);
      await detail('supervisor', wo.id);
      const get = (as: string | null, qs: string) => s.request(as, { method: 'GET', url: `/api/audit/pii-access${qs}` });
      const r = await get('supervisor', `?recordType=work_order&recordId=${wo.id}`);
      assert.equal(r.statusCode, 200, r.body);
      const body = r.json();
      assert.equal(body.total, 2);
      assert.deepEqual(
        body.items.map((x: { username: string }) => x.username),
        ['supervisor', 'agent'],
        'newest first',
      );
      const row = body.items[1];
      assert.equal(row.userId, user.agent);
      assert.equal(row.role, 'agent');
      assert.equal(row.recordRef, wo.number);
      assert.equal(row.ip, '127.0.0.1');
      assert.ok(Math.abs(Date.parse(row.at) - Date.now()) < 60_000);
      assert.ok(row.fields.includes('callerPhone'));
      const byUser = (await get('admin', `?userId=${user.agent}&limit=500`)).json();
      assert.ok(byUser.items.every((x: { userId: number }) => x.userId === user.agent) && byUser.total >= 2);
      assert.equal((await get('supervisor', '?from=2100-01-01')).json().total, 0);
      assert.equal((await get('supervisor', `?recordId=${wo.id}`)).json().code, 'AUDIT_RECORD_TYPE_REQUIRED', 'an id needs its kind');
      assert.equal((await get('supervisor', '?from=yesterday')).statusCode, 400);
      for (const role of ['agent', 'dispatcher', 'handler', 'callback']) {
        const refused = await get(role, '');
        assert.equal(refused.statusCode, 403, role);
        assert.equal(refused.json().code, 'ROLE_REFUSED');
        assert.match(refused.json().params.allowed, /^supervisor/);
      }
      assert.equal((await get(null, '')).statusCode, 401);
      await assert.rejects(s.db.query(`UPDATE pii_access_log SET username = 'nobody'`), /cannot be changed/);
      await assert.rejects(s.db.query(`DELETE FROM pii_access_log`), /kept 180 days/);
      const doc = (await s.request(null, { method: 'GET', url: '/docs/json' })).json();
      assert.ok(doc.paths['/api/audit/pii-access'].get, 'documented in OpenAPI');
    });

    test('callback staff close only cases waiting for their callback; the allowed paths still work', async () => {
      const queued = await create({ submit: true });
      const r = await act('callback', queued.id, { action: 'close', reason: '重复诉求' });
      assert.equal(r.statusCode, 403, r.body);
      assert.equal(r.json().code, 'ACTION_LIMITED_FOR_ROLE');
      assert.deepEqual(r.json().params, {
        role: 'callback',
        roleZh: '回访员',
        action: 'close',
        actionZh: '结案',
        limit: 'a case that is 待回访',
        why: 'this one is 待派单',
        allowed: 'dispatcher (派单员), supervisor (值班长), admin (管理员)',
      });
      await ok('dispatcher', queued.id, { action: 'dispatch', departmentId: unit['dept.urban'] });
      await ok('handler', queued.id, { action: 'return', reason: '非本单位' });
      const returned = await act('callback', queued.id, { action: 'close', reason: '重复诉求' });
      assert.equal(returned.statusCode, 403);
      assert.equal(returned.json().code, 'ACTION_LIMITED_FOR_ROLE');
      assert.equal(returned.json().params.why, 'this one is 已退单');
      assert.equal(
        (await s.db.query<{ state: string }>('SELECT state FROM work_orders WHERE id = $1', [queued.id])).rows[0]?.state,
        'returned',
      );
      assert.equal(
        (await ok('dispatcher', queued.id, { action: 'close', reason: '重复诉求' })).state,
        'closed',
        'dispatchers still close it',
      );
      const other = await create({ submit: true });
      assert.equal((await ok('supervisor', other.id, { action: 'close', reason: '非12345受理范围' })).state, 'closed');
      // After the callback the callback staff close it.
      const done = await create({ submit: true });
      await ok('dispatcher', done.id, { action: 'dispatch', departmentId: unit['dept.urban'] });
      await ok('handler', done.id, { action: 'accept' });
      await ok('handler', done.id, { action: 'reply', result: '已修复' });
      await ok('dispatcher', done.id, { action: 'review', decision: 'accept' });
      assert.ok((await detail('callback', done.id)).allowedActions.includes('close'));
      assert.equal((await ok('callback', done.id, { action: 'close', callbackOutcome: 'satisfied' })).state, 'closed');
    });

    test('agents refer to 110 only cases they took, before dispatch; dispatchers keep the wider right', async () => {
      const wo = await create({});
      const notMine = await act('agent2', wo.id, { action: 'refer_110', reason: '持刀' });
      assert.equal(notMine.statusCode, 403, notMine.body);
      assert.equal(notMine.json().code, 'ACTION_LIMITED_FOR_ROLE');
      assert.equal(notMine.json().params.why, 'you did not take this case');
      assert.match(notMine.json().params.limit, /^a case they took /);
      assert.equal(notMine.json().params.allowed, 'dispatcher (派单员), supervisor (值班长), admin (管理员)');
      assert.ok(!(await detail('agent2', wo.id)).allowedActions.includes('refer_110'), 'no button for it either');
      assert.ok((await detail('agent', wo.id)).allowedActions.includes('refer_110'));
      assert.equal((await ok('agent', wo.id, { action: 'refer_110', reason: '持刀' })).state, 'referred_110');

      const worked = await create({ submit: true });
      await ok('dispatcher', worked.id, { action: 'dispatch', departmentId: unit['dept.urban'] });
      await ok('handler', worked.id, { action: 'accept' });
      const late = await act('agent', worked.id, { action: 'refer_110' });
      assert.equal(late.statusCode, 403, 'a department works on it');
      assert.equal(late.json().code, 'ACTION_LIMITED_FOR_ROLE');
      assert.equal(late.json().params.why, 'this one is 办理中');
      assert.match(late.json().params.allowed, /^dispatcher/);
      assert.equal(
        (await s.db.query<{ state: string }>('SELECT state FROM work_orders WHERE id = $1', [worked.id])).rows[0]?.state,
        'in_progress',
      );
      assert.equal((await ok('dispatcher', worked.id, { action: 'refer_110', reason: '现场冲突' })).state, 'referred_110');
    });
  });
}

describe('personal data of calls', () => {
  let s: TestServer;
  const user: Record<string, number> = {};
  before(async () => {
    s = await startTestServer('pglite', {
      modules: MODULES.filter((m) => ['auth', 'audit', 'org', 'dispatch', 'asr', 'telephony'].includes(m.name)),
      env: { SIP_ENABLED: 'false', ASR_ENGINE: 'none', DISPATCH_DEADLINE_CHECK_SECONDS: '0' },
    });
    for (const r of (await s.db.query<{ id: number; username: string }>('SELECT id, username FROM users')).rows) user[r.username] = r.id;
  });
  after(async () => {
    await s?.close();
  });

  test("a call's number and transcript: in clear for its agent and supervisors (logged), masked for other roles", async () => {
    const call = (
      await s.db.query<{ id: number }>(
        `INSERT INTO calls (channel, direction, caller_number, called_number, state, agent_id, details)
         VALUES ('sip', 'inbound', $1, '12345', 'ended', $2, $3) RETURNING id`,
        [PHONE, user.agent, JSON.stringify({ dtmf: '330106199001011234' })],
      )
    ).rows[0]?.id as number;
    await s.db.query(
      `INSERT INTO transcript_segments (call_id, leg, seq, text, start_ms, is_final) VALUES ($1, 'caller', 1, '我的电话是13812348000', 0, true)`,
      [call],
    );
    const get = (as: string) => s.request(as, { method: 'GET', url: `/api/calls/${call}` });
    for (const as of ['agent', 'supervisor']) {
      const r = await get(as);
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().callerNumber, PHONE, as);
      assert.equal(r.json().transcript[0]?.text, '我的电话是13812348000', as);
      assert.equal(r.json().piiMasked, false);
    }
    await createUser(s.db, { username: 'agent2', password: DEMO_PASSWORD, role: 'agent', orgUnitCode: 'centre' });
    for (const as of ['agent2', 'dispatcher', 'callback']) {
      const r = await get(as);
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().callerNumber, '138****8000', as);
      assert.deepEqual(r.json().transcript, [], `${as}: no transcript`);
      assert.equal(r.json().details.dtmf, '330106********1234', `${as}: keyed-in numbers masked`);
      assert.equal(r.json().piiMasked, true);
    }
    const log = await s.db.query<{ username: string; fields: string[]; route: string }>(
      `SELECT username, fields, route FROM pii_access_log WHERE record_type = 'call' AND record_id = $1 ORDER BY id`,
      [call],
    );
    assert.deepEqual(
      log.rows.map((r) => [r.username, r.fields, r.route]),
      [
        ['agent', ['callerNumber', 'transcript'], 'GET /api/calls/:id'],
        ['supervisor', ['callerNumber', 'transcript'], 'GET /api/calls/:id'],
      ],
    );
  });

  test('an outbound callback call masks the citizen it called, in the list and for others', async () => {
    const call = (
      await s.db.query<{ id: number }>(
        `INSERT INTO calls (channel, direction, caller_number, called_number, state, agent_id) VALUES ('outbound', 'outbound', '12345', $1, 'ended', $2) RETURNING id`,
        [PHONE, user.callback],
      )
    ).rows[0]?.id as number;
    const list = (await s.request('agent', { method: 'GET', url: '/api/calls?limit=500' })).json() as {
      id: number;
      calledNumber: string;
    }[];
    assert.equal(list.find((c) => c.id === call)?.calledNumber, '138****8000');
    assert.equal((await s.request('agent', { method: 'GET', url: `/api/calls/${call}` })).json().calledNumber, '138****8000');
    assert.equal(
      (await s.request('callback', { method: 'GET', url: `/api/calls/${call}` })).json().calledNumber,
      PHONE,
      'the staff member who placed it',
    );
  });
});

describe('descriptions in the callback queue', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer('pglite', {
      modules: MODULES.filter((m) => ['auth', 'audit', 'org', 'dispatch', 'callback'].includes(m.name)),
      env: {
        DISPATCH_DEADLINE_CHECK_SECONDS: '0',
        CALLBACK_HOURS: '00:00-24:00',
        CALLBACK_WORKDAYS_ONLY: 'false',
        CALLBACK_POLL_MS: '100000',
      },
    });
  });
  after(async () => {
    await s?.close();
  });

  test('are shown with phone and ID numbers masked, in the list and after a claim', async () => {
    const wo = await acceptedReply(s);
    await s.db.query('UPDATE work_orders SET description = $2 WHERE id = $1', [
      wo,
      '井盖缺失，回电0571-88886666或13912345678，身份证330106199001011234',
    ]);
    const masked = '井盖缺失，回电0571****6666或139****5678，身份证330106********1234';
    const cb = await until(() => callbackOf(s, wo), 10_000, 'the callback');
    const list = (await s.request('callback', { method: 'GET', url: '/api/callbacks?view=all&limit=500' })).json();
    assert.equal(list.items.find((i: { id: number }) => i.id === cb.id)?.description, masked);
    const claimed = await s.request('callback', { method: 'POST', url: `/api/callbacks/${cb.id}/claim` });
    assert.equal(claimed.statusCode, 200, claimed.body);
    assert.equal(claimed.json().description, masked);
    // The claimer sees the caller's number in clear, and that read is in the access log;
    // the list before the claim showed it masked and logged nothing.
    assert.doesNotMatch(String(claimed.json().callerPhone), /\*/);
    const logged = await s.db.query<{ fields: string[]; record_type: string }>(
      "SELECT fields, record_type FROM pii_access_log WHERE record_type = 'callback' AND record_id = $1",
      [cb.id],
    );
    assert.equal(logged.rows.length, 1, 'one logged read: the claim');
    assert.ok(logged.rows[0]?.fields.includes('callerPhone'));
  });
});
