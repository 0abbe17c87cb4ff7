/**
 * The case flow end to end through HTTP on both engines: every path of a work order, the
 * refusals (role 403, state 409, concurrent dispatchers), routing, deadlines, knowledge.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MODULES } from '../app/modules.js';
import { createUser } from '../auth/index.js';
import type { BusEvent } from '../core/events.js';
import { ENGINES } from '../db/testing.js';
import { applyTransition, checkDeadlines, dispatchSettingsFrom, type WorkOrder } from '../dispatch/index.js';
import { DEMO_PASSWORD } from '../org/index.js';
import { startTestServer, type TestServer } from './helpers/server.js';

// Only the modules this flow needs, so work in progress elsewhere cannot break these tests.
const modules = MODULES.filter((m) => ['auth', 'org', 'dispatch'].includes(m.name));
const env = { DISPATCH_DEADLINE_CHECK_SECONDS: '0' };

for (const engine of ENGINES) {
  describe(`work-order flow on ${engine}`, () => {
    let s: TestServer;
    const unit: Record<string, number> = {};
    const cat: Record<string, number> = {};
    const events: BusEvent[] = [];

    before(async () => {
      s = await startTestServer(engine, { modules, env });
      for (const r of (await s.db.query<{ id: number; code: string }>('SELECT id, code FROM org_units')).rows) unit[r.code] = r.id;
      for (const r of (await s.db.query<{ id: number; code: string }>('SELECT id, code FROM categories')).rows) cat[r.code] = r.id;
      await createUser(s.db, { username: 'greening', password: DEMO_PASSWORD, role: 'handler', orgUnitCode: 'dept.greening' });
      await createUser(s.db, { username: 'street', password: DEMO_PASSWORD, role: 'handler', orgUnitCode: 'street.donghu' });
      await createUser(s.db, { username: 'community', password: DEMO_PASSWORD, role: 'handler', orgUnitCode: 'community.hubin' });
      await createUser(s.db, { username: 'dispatcher2', password: DEMO_PASSWORD, role: 'dispatcher', orgUnitCode: 'centre' });
      s.bus.subscribeAll((e) => {
        events.push(e);
      });
    });
    after(async () => {
      await s?.close();
    });

    const create = async (body: Record<string, unknown>, as = 'agent') => {
      const r = await s.request(as, { method: 'POST', url: '/api/work-orders', payload: { callerPhone: '13812348000', ...body } });
      assert.equal(r.statusCode, 201, r.body);
      return r.json() as { workOrder: WorkOrder; related: { id: number; reason: string }[] };
    };
    const act = (as: string, id: number, body: Record<string, unknown>) =>
      s.request(as, { method: 'POST', url: `/api/work-orders/${id}/transitions`, payload: body });
    const ok = async (as: string, id: number, body: Record<string, unknown>) => {
      const r = await act(as, id, body);
      assert.equal(r.statusCode, 200, `${as} ${body.action}: ${r.body}`);
      return r.json().workOrder as WorkOrder;
    };
    const history = async (id: number) => {
      const r = await s.request('dispatcher', { method: 'GET', url: `/api/work-orders/${id}/history` });
      assert.equal(r.statusCode, 200, r.body);
      return r.json() as {
        action: string;
        fromState: string | null;
        toState: string | null;
        actorName: string | null;
        data: Record<string, unknown>;
      }[];
    };
    const snapshot = async (id: number) => {
      const wo = (await s.db.query('SELECT * FROM work_orders WHERE id = $1', [id])).rows[0];
      const n = (await s.db.query<{ n: number }>('SELECT count(*) AS n FROM work_order_events WHERE work_order_id = $1', [id])).rows[0]?.n;
      return { wo, n };
    };

    test('dispatch, accept, reply, review, callback, close: each step audited, the correction recorded for the classifier', async () => {
      const { workOrder: wo } = await create({
        callerName: '赵先生',
        address: '东湖街道湖滨社区12栋',
        description: '小区门口道路井盖缺失，晚上很危险',
        proposal: { categoryId: cat.U04, departmentId: unit['dept.greening'], modelVersion: 'clf-test-1' },
      });
      assert.match(wo.number, /^\d{8}-\d{6}$/);
      assert.equal(wo.state, 'intake');
      assert.equal(wo.placeName, '湖滨社区', 'place resolved from the address');
      assert.equal(wo.categoryId, cat.U04, 'the proposal pre-fills the category');
      assert.equal(wo.callerPhone, '13812348000', 'the creating agent sees the whole number');

      await ok('agent', wo.id, { action: 'submit' });
      const dispatched = await ok('dispatcher', wo.id, {
        action: 'dispatch',
        categoryId: cat.U07,
        departmentId: unit['dept.urban'],
        instructions: '请尽快处置',
      });
      assert.equal(dispatched.state, 'dispatched');
      assert.equal(dispatched.departmentName, '区城市管理和综合执法局');
      assert.ok(dispatched.deadlineAt && Date.parse(dispatched.deadlineAt) > Date.now(), 'deadline set from the catalogue');
      const fb = await s.db.query<{
        proposed_category_id: number;
        final_category_id: number;
        final_department_id: number;
        model_version: string;
      }>('SELECT * FROM classifier_feedback WHERE work_order_id = $1', [wo.id]);
      assert.equal(fb.rowCount, 1);
      assert.equal(fb.rows[0]?.proposed_category_id, cat.U04);
      assert.equal(fb.rows[0]?.final_category_id, cat.U07);
      assert.equal(fb.rows[0]?.final_department_id, unit['dept.urban']);
      assert.equal(fb.rows[0]?.model_version, 'clf-test-1');

      // The handler of the department sees its case, with the phone (the caller allowed contact).
      const seen = await s.request('handler', { method: 'GET', url: `/api/work-orders/${wo.id}` });
      assert.equal(seen.statusCode, 200, seen.body);
      assert.equal(seen.json().callerPhone, '13812348000');
      assert.deepEqual(seen.json().allowedActions, ['accept', 'return', 'request_extension', 'forward']);

      await ok('handler', wo.id, { action: 'accept' });
      const replied = await ok('handler', wo.id, { action: 'reply', result: '已补装井盖' });
      assert.equal(replied.state, 'replied');
      const reviewed = await ok('dispatcher', wo.id, { action: 'review', decision: 'accept' });
      assert.equal(reviewed.state, 'callback_pending');
      const closed = await ok('callback', wo.id, { action: 'close', callbackOutcome: 'satisfied' });
      assert.equal(closed.state, 'closed');
      assert.equal(closed.callbackOutcome, 'satisfied');
      assert.ok(closed.closedAt);

      const h = await history(wo.id);
      assert.deepEqual(
        h.map((e) => `${e.action}:${e.fromState ?? '-'}>${e.toState}`),
        [
          'create:->intake',
          'submit:intake>pending_dispatch',
          'dispatch:pending_dispatch>dispatched',
          'accept:dispatched>in_progress',
          'reply:in_progress>replied',
          'review:replied>callback_pending',
          'close:callback_pending>closed',
        ],
      );
      assert.equal(h[2]?.data.routeSource, 'dispatcher');
      assert.deepEqual(h[2]?.data.corrected, { category: true, department: true });
      assert.equal(h[6]?.actorName, '回访员 刘洋');
      const changed = events.filter((e) => e.type === 'workorder.changed' && (e.payload as { id: number }).id === wo.id);
      assert.equal(changed.length, 7, 'one bus event per change');
      const last = changed.at(-1)?.payload;
      assert.deepEqual(last, {
        id: wo.id,
        number: wo.number,
        action: 'close',
        fromState: 'callback_pending',
        toState: 'closed',
        departmentId: unit['dept.urban'],
        actorId: (await s.db.query<{ id: number }>(`SELECT id FROM users WHERE username = 'callback'`)).rows[0]?.id,
        eventId: (await s.db.query<{ id: number }>(`SELECT max(id) AS id FROM work_order_events WHERE work_order_id = $1`, [wo.id])).rows[0]
          ?.id,
      });
    });

    test('return and re-dispatch; a review that sends the reply back', async () => {
      const { workOrder: wo } = await create({ description: '公园树枝折断挡路', categoryId: cat.U04, submit: true }, 'dispatcher');
      assert.equal(wo.state, 'pending_dispatch');
      await ok('dispatcher', wo.id, { action: 'dispatch', departmentId: unit['dept.urban'] });
      const bad = await act('handler', wo.id, { action: 'return' });
      assert.equal(bad.statusCode, 400, 'a return needs a reason');
      assert.equal(bad.json().code, 'ACTION_FIELD_REQUIRED');
      assert.equal(bad.json().params.field, 'reason');
      const returned = await ok('handler', wo.id, { action: 'return', reason: '属园林绿化职责' });
      assert.equal(returned.state, 'returned');
      // No department given: the catalogue's default for U04 (greening) is used.
      const again = await ok('dispatcher', wo.id, { action: 'dispatch' });
      assert.equal(again.departmentId, unit['dept.greening']);
      const refused = await act('handler', wo.id, { action: 'accept' });
      assert.equal(refused.statusCode, 403, 'the first department no longer has the case');
      await ok('greening', wo.id, { action: 'accept' });
      await ok('greening', wo.id, { action: 'reply', result: '已清理' });
      const sentBack = await act('dispatcher', wo.id, { action: 'review', decision: 'reject' });
      assert.equal(sentBack.statusCode, 400, 'sending back needs a note');
      const back = await ok('dispatcher', wo.id, { action: 'review', decision: 'reject', note: '请附现场照片' });
      assert.equal(back.state, 'in_progress');
      const h = await history(wo.id);
      assert.deepEqual(
        h.map((e) => e.action),
        ['create', 'dispatch', 'return', 'dispatch', 'accept', 'reply', 'review'],
      );
      assert.equal(h[2]?.data.reason, '属园林绿化职责');
      // A returned case the dispatcher closes needs a reason.
      const { workOrder: other } = await create({ description: '咨询事项', categoryId: cat.U04, submit: true }, 'dispatcher');
      await ok('dispatcher', other.id, { action: 'dispatch', departmentId: unit['dept.urban'] });
      await ok('handler', other.id, { action: 'return', reason: '非本单位' });
      assert.equal((await act('dispatcher', other.id, { action: 'close' })).statusCode, 400);
      assert.equal((await ok('dispatcher', other.id, { action: 'close', reason: '重复诉求' })).state, 'closed');
    });

    test('extension approved moves the deadline; rejected gives back the paused time', async () => {
      const { workOrder: wo } = await create({ description: '路面塌陷', categoryId: cat.U07, submit: true });
      const d = await ok('dispatcher', wo.id, { action: 'dispatch', departmentId: unit['dept.urban'] });
      const first = Date.parse(d.deadlineAt as string);
      await ok('handler', wo.id, { action: 'accept' });
      assert.equal((await act('handler', wo.id, { action: 'request_extension', reason: '需协调' })).statusCode, 400, 'new date needed');
      const tooEarly = await act('handler', wo.id, {
        action: 'request_extension',
        reason: '需协调',
        deadlineAt: new Date(first - 1000).toISOString(),
      });
      assert.equal(tooEarly.statusCode, 400, 'the new date must be later');
      const wanted = new Date(first + 5 * 86_400_000).toISOString();
      const paused = await ok('handler', wo.id, { action: 'request_extension', reason: '需协调燃气公司', deadlineAt: wanted });
      assert.equal(paused.deadlinePaused, true);
      assert.equal(paused.deadlineAt, d.deadlineAt, 'the deadline does not move before approval');
      const pending = (await s.request('dispatcher', { method: 'GET', url: `/api/work-orders/${wo.id}` })).json().pendingExtension;
      assert.deepEqual(pending && { ...pending, requestedAt: 'x' }, {
        requestedDeadline: wanted,
        reason: '需协调燃气公司',
        requestedAt: 'x',
      });
      const twice = await act('handler', wo.id, { action: 'request_extension', reason: 'x', deadlineAt: wanted });
      assert.equal(twice.statusCode, 409, 'one pending request at a time');
      assert.equal((await act('handler', wo.id, { action: 'approve_extension' })).statusCode, 403, 'only a dispatcher decides');
      const approved = await ok('dispatcher', wo.id, { action: 'approve_extension', note: '同意' });
      assert.equal(approved.deadlineAt, wanted);
      assert.equal(approved.deadlinePaused, false);
      assert.equal((await act('dispatcher', wo.id, { action: 'approve_extension' })).statusCode, 409, 'nothing pending');

      await ok('handler', wo.id, {
        action: 'request_extension',
        reason: '再次申请',
        deadlineAt: new Date(Date.parse(wanted) + 86_400_000).toISOString(),
      });
      assert.equal((await act('dispatcher', wo.id, { action: 'reject_extension' })).statusCode, 400, 'a rejection says why');
      const rejected = await ok('dispatcher', wo.id, { action: 'reject_extension', note: '时限充足' });
      assert.equal(rejected.deadlinePaused, false);
      assert.ok(Date.parse(rejected.deadlineAt as string) >= Date.parse(wanted), 'the deadline resumes, never earlier');
      assert.ok(Date.parse(rejected.deadlineAt as string) < Date.parse(wanted) + 86_400_000, 'and the requested date was not granted');
      const ext = await s.db.query<{ state: string }>('SELECT state FROM extension_requests WHERE work_order_id = $1 ORDER BY id', [wo.id]);
      assert.deepEqual(
        ext.rows.map((r) => r.state),
        ['approved', 'rejected'],
      );
      const h = await history(wo.id);
      assert.deepEqual(
        h.slice(-4).map((e) => e.action),
        ['request_extension', 'approve_extension', 'request_extension', 'reject_extension'],
      );
    });

    test('an unsatisfied callback reopens the case to the same department with a new deadline', async () => {
      const { workOrder: wo } = await create({ description: '噪音扰民', categoryId: cat.U07, submit: true });
      const d = await ok('dispatcher', wo.id, { action: 'dispatch', departmentId: unit['dept.urban'] });
      await ok('handler', wo.id, { action: 'accept' });
      await ok('handler', wo.id, { action: 'reply', result: '已劝导' });
      await ok('dispatcher', wo.id, { action: 'review', decision: 'accept' });
      const noReason = await act('callback', wo.id, { action: 'close', callbackOutcome: 'unsatisfied' });
      assert.equal(noReason.statusCode, 400, 'an unsatisfied citizen: reopen, or explain');
      assert.equal((await act('callback', wo.id, { action: 'close' })).statusCode, 400, 'no callback and no reason');
      const reopened = await ok('callback', wo.id, { action: 'reopen', reason: '噪音仍在', callbackOutcome: 'unsatisfied' });
      assert.equal(reopened.state, 'dispatched');
      assert.equal(reopened.departmentId, unit['dept.urban']);
      assert.equal(reopened.reopenCount, 1);
      assert.equal(reopened.callbackOutcome, 'unsatisfied');
      assert.equal(reopened.closedAt, null);
      assert.ok(Date.parse(reopened.deadlineAt as string) >= Date.parse(d.deadlineAt as string), 'the clock restarted');
      await ok('handler', wo.id, { action: 'accept' });
      const h = await history(wo.id);
      assert.equal(h.at(-2)?.action, 'reopen');
      assert.equal(h.at(-2)?.data.reason, '噪音仍在');
    });

    test('callback/ can close or reopen through applyTransition as the system', async () => {
      const { workOrder: wo } = await create({ description: '垃圾未清运', categoryId: cat.U03, submit: true });
      await ok('dispatcher', wo.id, { action: 'dispatch', departmentId: unit['dept.urban'] });
      await ok('handler', wo.id, { action: 'accept' });
      await ok('handler', wo.id, { action: 'reply', result: '已清运' });
      await ok('dispatcher', wo.id, { action: 'review', decision: 'accept' });
      const r = await applyTransition(s.db, s.bus, {
        workOrderId: wo.id,
        action: 'close',
        actor: { id: null, role: 'system', orgUnitId: null },
        callbackOutcome: 'basically_satisfied',
      });
      assert.equal(r.toState, 'closed');
      assert.equal(r.workOrder.callbackOutcome, 'basically_satisfied');
      assert.equal((await history(wo.id)).at(-1)?.actorName, null);
    });

    test('supervise sends a notice and is recorded; forward moves a case down the tree only', async () => {
      const { workOrder: wo } = await create({ description: '占道经营', categoryId: cat.U07, address: '东湖街道湖滨社区', submit: true });
      await ok('dispatcher', wo.id, { action: 'dispatch', departmentId: unit['street.donghu'] });
      assert.equal((await act('supervisor', wo.id, { action: 'supervise' })).statusCode, 400, 'a notice needs a message');
      const sup = await ok('supervisor', wo.id, { action: 'supervise', message: '请于今日内处置并反馈' });
      assert.equal(sup.supervisionCount, 1);
      const notices = await s.db.query<{ message: string; department_id: number }>(
        'SELECT * FROM supervision_notices WHERE work_order_id = $1',
        [wo.id],
      );
      assert.equal(notices.rows[0]?.message, '请于今日内处置并反馈');
      assert.equal(notices.rows[0]?.department_id, unit['street.donghu']);
      const up = await act('street', wo.id, { action: 'forward', unitId: unit['dept.urban'] });
      assert.equal(up.statusCode, 403, 'not below the street');
      const down = await ok('street', wo.id, { action: 'forward', unitId: unit['community.hubin'] });
      assert.equal(down.departmentId, unit['community.hubin']);
      assert.equal(down.state, 'dispatched');
      await ok('community', wo.id, { action: 'accept' });
      // The street still sees the case of its community.
      assert.equal((await s.request('street', { method: 'GET', url: `/api/work-orders/${wo.id}` })).statusCode, 200);
      assert.equal((await s.request('greening', { method: 'GET', url: `/api/work-orders/${wo.id}` })).statusCode, 403);
      const h = await history(wo.id);
      assert.deepEqual(
        h.map((e) => e.action),
        ['create', 'dispatch', 'supervise', 'forward', 'accept'],
      );
    });

    test('related cases are offered at creation, and merge joins them with audit rows on both', async () => {
      const phone = '13900001111';
      const { workOrder: a } = await create({
        description: '东湖新村5栋门口路灯坏了，晚上很黑',
        address: '东湖新村5栋',
        callerPhone: phone,
        submit: true,
      });
      const { workOrder: b, related } = await create({
        description: '东湖新村5栋门口的路灯不亮了',
        address: '东湖新村5栋',
        callerPhone: '13900002222',
        submit: true,
      });
      assert.ok(
        related.some((r) => r.id === a.id && r.reason === 'similar_text'),
        JSON.stringify(related),
      );
      const { related: samePhone } = await create({ description: '另一个问题：楼道堆物', callerPhone: phone });
      assert.ok(samePhone.some((r) => r.id === a.id && r.reason === 'same_phone'));
      assert.equal((await act('dispatcher', b.id, { action: 'merge' })).statusCode, 400);
      assert.equal((await act('dispatcher', b.id, { action: 'merge', targetId: b.id })).statusCode, 400);
      const merged = await ok('dispatcher', b.id, { action: 'merge', targetId: a.id });
      assert.equal(merged.state, 'merged');
      assert.equal(merged.mergedIntoId, a.id);
      assert.equal((await history(a.id)).at(-1)?.data.mergedFromId, b.id);
      const { workOrder: c } = await create({ description: '重复', submit: true });
      assert.equal((await act('dispatcher', c.id, { action: 'merge', targetId: b.id })).statusCode, 409, 'not into a merged case');
    });

    test('refer_110 records the referral; resolve_on_call closes with the knowledge article', async () => {
      const { workOrder: wo } = await create({ description: '有人持刀打架', address: '新华路' });
      const referred = await ok('agent', wo.id, { action: 'refer_110', reason: '治安警情' });
      assert.equal(referred.state, 'referred_110');
      assert.equal(referred.emergency, true);
      const ref = await s.db.query<{ line: string; mode: string; reason: string }>('SELECT * FROM referrals WHERE work_order_id = $1', [
        wo.id,
      ]);
      assert.deepEqual([ref.rows[0]?.line, ref.rows[0]?.mode, ref.rows[0]?.reason], ['110', 'record_only', '治安警情']);
      assert.equal((await act('dispatcher', wo.id, { action: 'dispatch' })).statusCode, 409, 'stays on record, no dispatch');

      const art = await s.request('supervisor', {
        method: 'POST',
        url: '/api/knowledge',
        payload: { title: '居住证办理指南', body: '携带身份证到所在社区服务中心办理，工作日9:00-17:00。', tags: ['居住证', '户籍'] },
      });
      assert.equal(art.statusCode, 201, art.body);
      assert.equal(
        (await s.request('agent', { method: 'POST', url: '/api/knowledge', payload: { title: 'x', body: 'y' } })).statusCode,
        403,
      );
      const found = await s.request('agent', { method: 'GET', url: `/api/knowledge?q=${encodeURIComponent('居住证怎么办')}` });
      assert.equal(found.json()[0]?.id, art.json().id);
      const { workOrder: q } = await create({ description: '咨询居住证办理' });
      const done = await ok('agent', q.id, { action: 'resolve_on_call', result: '已告知办理地点和材料', articleId: art.json().id });
      assert.equal(done.state, 'closed');
      assert.equal(done.kbArticleId, art.json().id);
      assert.equal(done.closeReason, 'resolved_on_call');
    });

    test('wrong role is 403, wrong state is 409, and neither changes anything', async () => {
      const { workOrder: wo } = await create({ description: '违章搭建', categoryId: cat.U07, submit: true });
      const before = await snapshot(wo.id);
      const cases: [string, Record<string, unknown>, number, string, Record<string, unknown>][] = [
        ['handler', { action: 'dispatch', departmentId: unit['dept.urban'] }, 403, 'ACTION_NOT_ALLOWED', { action: 'dispatch' }],
        ['agent', { action: 'review', decision: 'accept' }, 403, 'ACTION_NOT_ALLOWED', { action: 'review' }],
        ['callback', { action: 'merge', targetId: 1 }, 403, 'ACTION_NOT_ALLOWED', { action: 'merge' }],
        ['handler', { action: 'accept' }, 403, 'WORK_ORDER_OTHER_UNIT', { department: 'no unit' }],
        ['dispatcher', { action: 'review', decision: 'accept' }, 409, 'ACTION_NOT_POSSIBLE_IN_STATE', { stateZh: '待派单' }],
        ['dispatcher', { action: 'reopen', reason: 'x' }, 409, 'ACTION_NOT_POSSIBLE_IN_STATE', { action: 'reopen' }],
        [
          'callback',
          { action: 'close', callbackOutcome: 'satisfied' },
          403,
          'ACTION_LIMITED_FOR_ROLE',
          {
            limit: 'a case that is 待回访',
            why: 'this one is 待派单',
            allowed: 'dispatcher (派单员), supervisor (值班长), admin (管理员)',
          },
        ],
      ];
      for (const [as, body, status, code, params] of cases) {
        const r = await act(as, wo.id, body);
        assert.equal(r.statusCode, status, `${as} ${body.action}: ${r.body}`);
        assert.equal(r.json().code, code, r.body);
        for (const [k, v] of Object.entries(params)) assert.equal(r.json().params[k], v, `${as} ${body.action} ${k}: ${r.body}`);
      }
      assert.deepEqual(await snapshot(wo.id), before, 'the case and its history are unchanged');
      assert.equal((await act('dispatcher', wo.id, { action: 'fly' })).statusCode, 400, 'unknown action');
      assert.equal((await act('dispatcher', 999999, { action: 'submit' })).statusCode, 404);
      assert.equal((await act(null as unknown as string, wo.id, { action: 'submit' })).statusCode, 401);
    });

    test('two dispatchers acting at once: one wins, the other gets a clear 409', async () => {
      for (let round = 0; round < 3; round++) {
        const { workOrder: wo } = await create({ description: `并发派单 ${round}`, categoryId: cat.U07, submit: true });
        const [r1, r2] = await Promise.all([
          act('dispatcher', wo.id, { action: 'dispatch', departmentId: unit['dept.urban'], version: wo.version }),
          act('dispatcher2', wo.id, { action: 'dispatch', departmentId: unit['dept.greening'], version: wo.version }),
        ]);
        const codes = [r1.statusCode, r2.statusCode].sort();
        assert.deepEqual(codes, [200, 409], `${r1.body} | ${r2.body}`);
        const loser = r1.statusCode === 409 ? r1 : r2;
        assert.ok(
          ['VERSION_CONFLICT', 'WORK_ORDER_CHANGED_CONCURRENTLY', 'WORK_ORDER_BUSY', 'ACTION_NOT_POSSIBLE_IN_STATE'].includes(
            loser.json().code,
          ),
          loser.body,
        );
        const h = await history(wo.id);
        assert.equal(h.filter((e) => e.action === 'dispatch').length, 1, 'exactly one dispatch recorded');
        const winner = (r1.statusCode === 200 ? r1 : r2).json().workOrder as WorkOrder;
        const now = (await s.request('dispatcher', { method: 'GET', url: `/api/work-orders/${wo.id}` })).json();
        assert.equal(now.departmentId, winner.departmentId);
        assert.equal(now.version, wo.version + 1);
      }
    });

    test('lists filter, page, sort and mask; handlers see their unit only; anonymous callers stay hidden', async () => {
      const { workOrder: anon } = await create({
        description: '匿名举报13812345678',
        anonymous: true,
        callerName: '不留名',
        contactAllowed: false,
        categoryId: cat.U07,
        submit: true,
      });
      assert.equal(anon.callerName, null);
      await ok('dispatcher', anon.id, { action: 'dispatch', departmentId: unit['dept.urban'] });
      const list = await s.request('dispatcher', { method: 'GET', url: '/api/work-orders?pageSize=3&sort=number&order=asc' });
      assert.equal(list.statusCode, 200, list.body);
      const body = list.json();
      assert.equal(body.items.length, 3);
      assert.ok(body.total > 3);
      assert.deepEqual(
        body.items.map((w: WorkOrder) => w.number),
        [...body.items.map((w: WorkOrder) => w.number)].sort(),
      );
      for (const w of body.items) assert.ok(!w.callerPhone || w.callerPhone.includes('****'), 'phones masked in lists');
      const page2 = (
        await s.request('dispatcher', { method: 'GET', url: '/api/work-orders?pageSize=3&page=2&sort=number&order=asc' })
      ).json();
      assert.ok(page2.items[0].number > body.items[2].number);
      const search = (await s.request('dispatcher', { method: 'GET', url: `/api/work-orders?q=${encodeURIComponent('匿名举报')}` })).json();
      assert.equal(search.total, 1);
      assert.equal(search.items[0].description, '匿名举报138****5678', 'numbers inside text are masked in lists');
      const byPhone = (
        await s.request('agent', { method: 'GET', url: `/api/work-orders?q=${encodeURIComponent('138-1234-8000')}&pageSize=200` })
      ).json();
      assert.ok(
        byPhone.items.some((w: WorkOrder) => w.id === anon.id),
        'a phone number finds its caller however it is typed',
      );
      assert.ok(byPhone.items.every((w: WorkOrder) => w.callerPhone === '138****8000'));
      const byNumber = (await s.request('agent', { method: 'GET', url: `/api/work-orders?q=${anon.number}` })).json();
      assert.deepEqual(
        byNumber.items.map((w: WorkOrder) => w.id),
        [anon.id],
      );
      const nulls = await act('dispatcher', anon.id, {
        action: 'supervise',
        message: '请加快',
        reason: null,
        deadlineAt: null,
        categoryId: null,
      });
      assert.equal(nulls.statusCode, 200, `empty form fields sent as null are ignored: ${nulls.body}`);
      const byState = (await s.request('dispatcher', { method: 'GET', url: '/api/work-orders?state=merged,referred_110' })).json();
      assert.ok(byState.items.length >= 2 && byState.items.every((w: WorkOrder) => ['merged', 'referred_110'].includes(w.state)));
      assert.equal((await s.request('dispatcher', { method: 'GET', url: '/api/work-orders?state=lost' })).statusCode, 400);
      assert.equal((await s.request('dispatcher', { method: 'GET', url: '/api/work-orders?from=yesterday' })).statusCode, 400);
      const future = (await s.request('dispatcher', { method: 'GET', url: '/api/work-orders?from=2100-01-01' })).json();
      assert.equal(future.total, 0);

      const call = (
        await s.db.query<{ id: number }>(`INSERT INTO calls (channel, caller_number) VALUES ('test', '13812348000') RETURNING id`)
      ).rows[0]?.id;
      const { workOrder: fromCall } = await create({ description: '来电工单', callId: call });
      await s.db.query(
        `INSERT INTO transcript_segments (call_id, leg, seq, text, start_ms) VALUES ($1, 'caller', 1, '我家楼下路灯坏了', 0), ($1, 'agent', 1, '好的请说地址', 900)`,
        [call],
      );
      const detailWithCall = (await s.request('dispatcher', { method: 'GET', url: `/api/work-orders/${fromCall.id}` })).json();
      assert.equal(detailWithCall.transcript, '我家楼下路灯坏了\n坐席：好的请说地址');
      assert.equal(detailWithCall.pendingExtension, null);
      const byCall = (await s.request('agent', { method: 'GET', url: `/api/work-orders?callId=${call}` })).json();
      assert.deepEqual(
        byCall.items.map((w: WorkOrder) => w.id),
        [fromCall.id],
      );
      const mine = (await s.request('handler', { method: 'GET', url: '/api/work-orders?pageSize=200' })).json();
      assert.ok(mine.items.length > 0);
      assert.ok(
        mine.items.every((w: WorkOrder) => w.departmentId === unit['dept.urban']),
        'handlers see their unit only',
      );
      const detail = (await s.request('handler', { method: 'GET', url: `/api/work-orders/${anon.id}` })).json();
      assert.equal(detail.callerPhone, '138****8000', 'no contact allowed: the department sees a masked number');
      const notMine = (await s.request('callback', { method: 'GET', url: `/api/work-orders/${anon.id}` })).json();
      assert.equal(notMine.callerPhone, '138****8000', 'callback staff who did not claim its callback');
      assert.equal(notMine.piiMasked, true);
      const full = (await s.request('supervisor', { method: 'GET', url: `/api/work-orders/${anon.id}` })).json();
      assert.equal(full.callerPhone, '13812348000');
    });

    test('bad creation input is refused with a message and stores nothing', async () => {
      const count = async () => (await s.db.query<{ n: number }>('SELECT count(*) AS n FROM work_orders')).rows[0]?.n;
      const n = await count();
      const bad: [Record<string, unknown>, number][] = [
        [{ description: '' }, 400],
        [{ description: '   ' }, 400],
        [{ description: 'x', callerPhone: 'call me' }, 400],
        [{ description: 'x', categoryId: 999999 }, 404],
        [{ description: 'x', departmentId: unit.centre }, 400],
        [{ description: 'x', placeUnitId: unit['dept.urban'] }, 400],
        [{ description: 'x', callId: 999999 }, 400],
        [{ description: 'x', priority: 'whenever' }, 400],
      ];
      for (const [body, status] of bad) {
        const r = await s.request('agent', { method: 'POST', url: '/api/work-orders', payload: body });
        assert.equal(r.statusCode, status, `${JSON.stringify(body)}: ${r.body}`);
        assert.ok(r.json().message.length > 10);
      }
      assert.equal(
        (await s.request('handler', { method: 'POST', url: '/api/work-orders', payload: { description: 'x' } })).statusCode,
        403,
      );
      assert.equal(await count(), n);
    });

    test('routing catalogue: place overrides win over the category default, the dispatcher over both', async () => {
      const noAdmin = await s.request('dispatcher', {
        method: 'POST',
        url: '/api/routing/overrides',
        payload: { categoryId: cat.U07, placeUnitId: unit['street.donghu'], departmentId: unit['street.donghu'] },
      });
      assert.equal(noAdmin.statusCode, 403);
      const o = await s.request('admin', {
        method: 'POST',
        url: '/api/routing/overrides',
        payload: {
          categoryId: cat.U,
          placeUnitId: unit['street.donghu'],
          departmentId: unit['street.donghu'],
          deadline: { value: 8, unit: 'hours' },
        },
      });
      assert.equal(o.statusCode, 201, o.body);
      const dup = await s.request('admin', {
        method: 'POST',
        url: '/api/routing/overrides',
        payload: { categoryId: cat.U, placeUnitId: unit['street.donghu'], departmentId: unit['dept.urban'] },
      });
      assert.equal(dup.statusCode, 409);
      const resolved = await s.request('dispatcher', {
        method: 'GET',
        url: `/api/routing/resolve?categoryId=${cat.U07}&address=${encodeURIComponent('东湖新村3栋楼下')}`,
      });
      assert.equal(resolved.statusCode, 200, resolved.body);
      assert.equal(resolved.json().place.name, '东湖新村社区');
      assert.equal(resolved.json().departmentId, unit['street.donghu'], 'a child category at a community of the street');
      assert.deepEqual(resolved.json().deadline, { value: 8, unit: 'hours' });
      assert.equal(resolved.json().source, 'override');
      const elsewhere = (
        await s.request('dispatcher', {
          method: 'GET',
          url: `/api/routing/resolve?categoryId=${cat.U07}&address=${encodeURIComponent('新华路社区')}`,
        })
      ).json();
      assert.equal(elsewhere.departmentId, unit['dept.urban']);
      assert.deepEqual(elsewhere.deadline, { value: 3, unit: 'workdays' });

      const { workOrder: wo } = await create({
        description: '东湖新村人行道破损',
        address: '东湖新村3栋',
        categoryId: cat.U07,
        submit: true,
      });
      const d = await ok('dispatcher', wo.id, { action: 'dispatch' });
      assert.equal(d.departmentId, unit['street.donghu']);
      assert.equal((await history(wo.id)).at(-1)?.data.routeSource, 'override');
      const { workOrder: wo2 } = await create({
        description: '东湖新村人行道破损2',
        address: '东湖新村3栋',
        categoryId: cat.U07,
        submit: true,
      });
      assert.equal(
        (await ok('dispatcher', wo2.id, { action: 'dispatch', departmentId: unit['dept.urban'] })).departmentId,
        unit['dept.urban'],
      );

      const setCat = await s.request('admin', {
        method: 'PUT',
        url: `/api/routing/categories/${cat.U07}`,
        payload: { departmentId: unit['dept.municipal'], deadline: null },
      });
      assert.equal(setCat.statusCode, 204, setCat.body);
      const after = (await s.request('dispatcher', { method: 'GET', url: `/api/routing/resolve?categoryId=${cat.U07}` })).json();
      assert.equal(after.departmentId, unit['dept.municipal']);
      assert.deepEqual(after.deadline, { value: 3, unit: 'workdays' }, 'the deadline is inherited from the parent');
      assert.equal((await s.request('admin', { method: 'DELETE', url: `/api/routing/overrides/${o.json().id}` })).statusCode, 204);
      assert.equal((await s.request('admin', { method: 'DELETE', url: `/api/routing/overrides/${o.json().id}` })).statusCode, 404);
    });

    test('the calendar is seeded for 2026 and edited by year', async () => {
      const y = (await s.request('agent', { method: 'GET', url: '/api/calendar/2026' })).json();
      assert.equal(y.filter((d: { kind: string }) => d.kind === 'holiday').length, 33);
      assert.deepEqual(
        y.filter((d: { kind: string }) => d.kind === 'workday').map((d: { day: string }) => d.day),
        ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'],
      );
      const put = (payload: Record<string, unknown>, as = 'admin') => s.request(as, { method: 'PUT', url: '/api/calendar/2027', payload });
      assert.equal((await put({ days: [{ day: '2027-01-01', kind: 'holiday' }] }, 'supervisor')).statusCode, 403);
      assert.equal((await put({ days: [{ day: '2027-02-30', kind: 'holiday' }] })).statusCode, 400);
      assert.equal((await put({ days: [{ day: '2026-01-01', kind: 'holiday' }] })).statusCode, 400);
      assert.equal((await put({ days: [{ day: '2027-01-01', kind: 'sometimes' }] })).statusCode, 400);
      const okPut = await put({ days: [{ day: '2027-01-01', kind: 'holiday', name: '元旦' }] });
      assert.equal(okPut.statusCode, 200, okPut.body);
      assert.deepEqual(okPut.json(), [{ day: '2027-01-01', kind: 'holiday', name: '元旦' }]);
    });

    test('the scheduled check flags near-deadline and overdue cases for supervision', async () => {
      const settings = dispatchSettingsFrom(s.config.values);
      const { workOrder: wo } = await create({ description: '超期测试', categoryId: cat.U07, submit: true });
      const dispatcher = (await s.db.query<{ id: number }>(`SELECT id FROM users WHERE username = 'dispatcher'`)).rows[0]?.id as number;
      // Dispatched three weeks ago: any 3-workday deadline has passed.
      const past = new Date(Date.now() - 21 * 86_400_000);
      await applyTransition(
        s.db,
        s.bus,
        {
          workOrderId: wo.id,
          action: 'dispatch',
          departmentId: unit['dept.urban'],
          actor: { id: dispatcher, role: 'dispatcher', orgUnitId: null },
          now: past,
        },
        settings,
      );
      const flagged: BusEvent[] = [];
      const off = s.bus.subscribe('workorder.deadline', (_p, e) => {
        flagged.push(e);
      });
      const result = await checkDeadlines(s.db, s.bus, settings);
      off();
      assert.ok(result.overdue >= 1);
      assert.ok(flagged.some((e) => (e.payload as { id: number }).id === wo.id));
      const again = await checkDeadlines(s.db, s.bus, settings);
      assert.equal(again.overdue, 0, 'flagged once');
      const list = (await s.request('supervisor', { method: 'GET', url: '/api/supervision/overdue' })).json();
      assert.ok(list.items.some((w: WorkOrder) => w.id === wo.id && w.overdue));
      assert.equal((await s.request('agent', { method: 'GET', url: '/api/supervision/overdue' })).statusCode, 403);
      assert.equal((await history(wo.id)).at(-1)?.action, 'overdue');
      const od = (await s.request('dispatcher', { method: 'GET', url: '/api/work-orders?overdue=true' })).json();
      assert.ok(od.items.some((w: WorkOrder) => w.id === wo.id));
      // Approving an extension clears the flag.
      await ok('handler', wo.id, {
        action: 'request_extension',
        reason: '补办',
        deadlineAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
      });
      assert.equal((await ok('dispatcher', wo.id, { action: 'approve_extension' })).overdue, false);
    });

    test('near-deadline is flagged at the configured share of working time; a paused clock is never late', async () => {
      const settings = dispatchSettingsFrom(s.config.values);
      const actor = { id: null, role: 'system' as const, orgUnitId: null };
      const t = (x: string) => Date.parse(`${x}:00+08:00`);
      const { workOrder: wo } = await create({ description: '临期测试', categoryId: cat.U07, submit: true });
      // Three workdays from Monday 09:00 is Thursday 17:30: 28 working hours.
      const d = await applyTransition(
        s.db,
        s.bus,
        { workOrderId: wo.id, action: 'dispatch', departmentId: unit['dept.urban'], actor, now: new Date(t('2026-11-23T09:00')) },
        settings,
      );
      assert.equal(d.workOrder.deadlineAt, new Date(t('2026-11-26T17:30')).toISOString());
      const flags = async () =>
        (
          await s.db.query<{ near_deadline: boolean; overdue: boolean }>('SELECT near_deadline, overdue FROM work_orders WHERE id = $1', [
            wo.id,
          ])
        ).rows[0];
      await checkDeadlines(s.db, s.bus, settings, t('2026-11-25T12:00')); // 17 of 28 h: 61%
      assert.deepEqual(await flags(), { near_deadline: false, overdue: false });
      await checkDeadlines(s.db, s.bus, settings, t('2026-11-26T12:00')); // 24 of 28 h: 86%
      assert.deepEqual(await flags(), { near_deadline: true, overdue: false });
      assert.equal((await history(wo.id)).at(-1)?.action, 'near_deadline');

      // A case whose clock is paused by a pending extension is not flagged late.
      const { workOrder: p } = await create({ description: '暂停测试', categoryId: cat.U07, submit: true });
      await applyTransition(
        s.db,
        s.bus,
        { workOrderId: p.id, action: 'dispatch', departmentId: unit['dept.urban'], actor, now: new Date(t('2026-11-23T09:00')) },
        settings,
      );
      await applyTransition(
        s.db,
        s.bus,
        {
          workOrderId: p.id,
          action: 'request_extension',
          actor,
          reason: '等待',
          deadlineAt: '2026-12-31T17:30:00+08:00',
          now: new Date(t('2026-11-24T09:00')),
        },
        settings,
      );
      await checkDeadlines(s.db, s.bus, settings, t('2026-12-10T09:00'));
      const paused = (await s.db.query<{ overdue: boolean }>('SELECT overdue FROM work_orders WHERE id = $1', [p.id])).rows[0];
      assert.equal(paused?.overdue, false);

      // Deadlines written by other tools carry microseconds; the check still flags them.
      const { workOrder: m } = await create({ description: '微秒测试', categoryId: cat.U07, submit: true });
      await applyTransition(s.db, s.bus, { workOrderId: m.id, action: 'dispatch', departmentId: unit['dept.urban'], actor }, settings);
      await s.db.query(`UPDATE work_orders SET deadline_at = now() - interval '1 hour' + interval '123 microseconds' WHERE id = $1`, [
        m.id,
      ]);
      await checkDeadlines(s.db, s.bus, settings);
      assert.equal(
        (await s.db.query<{ overdue: boolean }>('SELECT overdue FROM work_orders WHERE id = $1', [m.id])).rows[0]?.overdue,
        true,
      );
    });

    test('numbers stay unique and sequential under concurrent intake', async () => {
      const made = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          s.request(i % 2 ? 'agent' : 'dispatcher', { method: 'POST', url: '/api/work-orders', payload: { description: `并发受理 ${i}` } }),
        ),
      );
      const numbers = made.map((r) => {
        assert.equal(r.statusCode, 201, r.body);
        return r.json().workOrder.number as string;
      });
      assert.equal(new Set(numbers).size, numbers.length);
      const seqs = numbers.map((n) => Number(n.slice(9))).sort((a, b) => a - b);
      assert.deepEqual(
        seqs,
        seqs.map((_, i) => (seqs[0] as number) + i),
        'no gaps, no repeats',
      );
    });
  });
}
