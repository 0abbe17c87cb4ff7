/** Test helpers: drives a case through dispatch's REST flow up to an accepted reply. */
import assert from 'node:assert/strict';
import type { TestServer } from './server.js';

export interface CaseOptions {
  phone?: string | null;
  anonymous?: boolean;
  contactAllowed?: boolean;
  categoryCode?: string;
}

/** Creates a case, dispatches it to dept.urban, replies and accepts the reply; returns its id. */
export async function acceptedReply(s: TestServer, o: CaseOptions = {}): Promise<number> {
  const unit = async (code: string) => (await s.db.query<{ id: number }>('SELECT id FROM org_units WHERE code = $1', [code])).rows[0]?.id;
  const cat = o.categoryCode
    ? (await s.db.query<{ id: number }>('SELECT id FROM categories WHERE code = $1', [o.categoryCode])).rows[0]?.id
    : (await s.db.query<{ id: number }>("SELECT id FROM categories WHERE code = 'U07'")).rows[0]?.id;
  const created = await s.request('agent', {
    method: 'POST',
    url: '/api/work-orders',
    payload: {
      callerPhone: o.phone === undefined ? '13812348000' : o.phone,
      anonymous: o.anonymous ?? false,
      contactAllowed: o.contactAllowed ?? true,
      description: '小区门口道路井盖缺失，晚上很危险',
      ...(cat ? { categoryId: cat } : {}),
    },
  });
  assert.equal(created.statusCode, 201, created.body);
  const id = created.json().workOrder.id as number;
  const act = async (as: string, body: Record<string, unknown>) => {
    const r = await s.request(as, { method: 'POST', url: `/api/work-orders/${id}/transitions`, payload: body });
    assert.equal(r.statusCode, 200, `${as} ${body.action}: ${r.body}`);
  };
  await act('agent', { action: 'submit' });
  await act('dispatcher', { action: 'dispatch', departmentId: await unit('dept.urban'), ...(cat ? { categoryId: cat } : {}) });
  await act('handler', { action: 'accept' });
  await act('handler', { action: 'reply', result: '已补装井盖' });
  await act('dispatcher', { action: 'review', decision: 'accept' });
  return id;
}

export async function until<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function callbackOf(s: TestServer, workOrderId: number) {
  return until(
    async () =>
      (
        await s.db.query<{ id: number; state: string; due_at: string; attempts: number; outcome: string | null; mode: string }>(
          'SELECT * FROM callbacks WHERE work_order_id = $1 ORDER BY id DESC LIMIT 1',
          [workOrderId],
        )
      ).rows[0],
    10_000,
    `the callback of work order ${workOrderId}`,
  );
}

export async function caseState(s: TestServer, id: number) {
  return (
    await s.db.query<{ state: string; callback_outcome: string | null; department_id: number; deadline_at: string }>(
      'SELECT state, callback_outcome, department_id, deadline_at FROM work_orders WHERE id = $1',
      [id],
    )
  ).rows[0];
}
