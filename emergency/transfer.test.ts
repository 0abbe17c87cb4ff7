/**
 * An emergency transfer from a call whose case a department already works on: the call has
 * gone to 110 (so the request succeeds), the referral names the case, and the case keeps its
 * state because an agent may not refer a dispatched case. The SIP transfer itself is covered
 * by test/emergency-call.test.ts; here the call centre is a stand-in that writes the referral
 * row as telephony's does, so only the case logic runs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MODULES } from '../app/modules.js';
import type { CallCenter } from '../telephony/index.js';
import { insertCall, insertReferral } from '../telephony/store.js';
import { startTestServer } from '../test/helpers/server.js';
import { EmergencyErrors } from './errors.js';
import { emergencyTransfer } from './transfer.js';

test('a transfer from a dispatched case succeeds, records the referral and leaves the case with its department', async () => {
  const s = await startTestServer('pglite', {
    modules: MODULES.filter((m) => ['auth', 'org', 'dispatch'].includes(m.name)),
    env: { DISPATCH_DEADLINE_CHECK_SECONDS: '0' },
  });
  try {
    const agent = (await s.db.query<{ id: number }>("SELECT id FROM users WHERE username = 'agent'")).rows[0]?.id as number;
    const call = await insertCall(s.db, {
      channel: 'sip',
      direction: 'inbound',
      callerNumber: '13800138000',
      calledNumber: '12345',
      state: 'answered',
      agentId: agent,
    });
    const made = await s.request('agent', {
      method: 'POST',
      url: '/api/work-orders',
      payload: { description: '燃气味很重', callId: call.id, submit: true },
    });
    const wo = made.json().workOrder.id as number;
    const dept = (await s.db.query<{ id: number }>("SELECT id FROM org_units WHERE code = 'dept.urban'")).rows[0]?.id;
    const cat = (await s.db.query<{ id: number }>("SELECT id FROM categories WHERE code = 'U07'")).rows[0]?.id;
    const d = await s.request('dispatcher', {
      method: 'POST',
      url: `/api/work-orders/${wo}/transitions`,
      payload: { action: 'dispatch', departmentId: dept, categoryId: cat },
    });
    assert.equal(d.statusCode, 200, d.body);
    const center = {
      transfer: async (callId: number, agentId: number, req: { target: string; mode: 'blind' | 'bridge'; reason?: string }) =>
        insertReferral(s.db, {
          callId,
          line: '119',
          target: req.target,
          mode: req.mode,
          reason: req.reason,
          excerpt: '燃气味很重',
          agentId,
        }),
    } as unknown as CallCenter;
    const events: unknown[] = [];
    s.bus.subscribe('emergency.transferred', (e) => void events.push(e));
    const r = await emergencyTransfer(
      { db: s.db, bus: s.bus, center: () => center, mode: 'blind' },
      { callId: call.id, line: '119', user: { id: agent, role: 'agent' }, workOrderId: wo },
    );
    assert.equal(r.workOrderId, wo);
    const ref = await s.db.query<{ work_order_id: number }>('SELECT work_order_id FROM referrals WHERE id = $1', [r.id]);
    assert.equal(ref.rows[0]?.work_order_id, wo, 'the referral names the case');
    const state = await s.db.query<{ state: string }>('SELECT state FROM work_orders WHERE id = $1', [wo]);
    assert.equal(state.rows[0]?.state, 'dispatched', 'the department keeps the case');
    assert.equal((events[0] as { caseReferred: boolean }).caseReferred, false);
    // Someone else's case cannot ride along (its address would go with the referral).
    const other = await s.request('dispatcher', {
      method: 'POST',
      url: '/api/work-orders',
      payload: { description: '别的案件', address: '幸福路8号' },
    });
    await assert.rejects(
      emergencyTransfer(
        { db: s.db, bus: s.bus, center: () => center, mode: 'blind' },
        { callId: call.id, line: '119', user: { id: agent, role: 'agent' }, workOrderId: other.json().workOrder.id },
      ),
      EmergencyErrors.EMERGENCY_CASE_NOT_OF_CALL.is,
    );
  } finally {
    await s.close();
  }
});
