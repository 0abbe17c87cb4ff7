/**
 * Click-to-call in the browser: the callback staff member claims a due callback, presses
 * 拨打, the product rings a sipp UAS standing in for the citizen through SIP_OUTBOUND_TRUNK
 * (it answers and echoes RTP), the desk shows 通话中 with the call audio open, 挂断 ends it,
 * and the outcome is recorded. The call is stored as an outbound call of that user.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { freePort, sippServer } from '../sip/harness.js';
import { apiAs, launchBrowser, loginAs, type Product, shot, sipEnv, startProduct } from './helpers.js';

const PHONE = '13900002222';
const TEXT = '幸福小区3号楼电梯停运两天，老人上下楼困难';

/** A case through dispatch's REST flow up to an accepted reply (its callback is due at once). */
async function acceptedReply(product: Product): Promise<void> {
  const agent = await apiAs(product, 'agent');
  const dispatcher = await apiAs(product, 'dispatcher');
  const handler = await apiAs(product, 'handler');
  const units = await dispatcher<{ id: number; code: string }[]>('GET', '/api/org-units');
  const dept = units.find((u) => u.code === 'dept.urban')?.id;
  assert.ok(dept, 'the demo org has dept.urban');
  const categories = await dispatcher<{ id: number; code: string }[]>('GET', '/api/categories');
  const categoryId = (categories.find((c) => c.code === 'U07') ?? categories[0])?.id;
  const created = await agent<{ workOrder: { id: number } }>('POST', '/api/work-orders', {
    callerName: '李女士',
    callerPhone: PHONE,
    contactAllowed: true,
    description: TEXT,
    categoryId,
  });
  const id = created.workOrder.id;
  const act = (as: typeof agent, body: object) => as('POST', `/api/work-orders/${id}/transitions`, body);
  await act(agent, { action: 'submit' });
  await act(dispatcher, { action: 'dispatch', departmentId: dept, categoryId });
  await act(handler, { action: 'accept' });
  await act(handler, { action: 'reply', result: '已联系物业维修电梯，今日恢复运行。' });
  await act(dispatcher, { action: 'review', decision: 'accept' });
}

describe('desk e2e: click-to-call from the callback queue', { timeout: 240_000 }, () => {
  let product: Product;
  let browser: Browser;
  let uas: ReturnType<typeof sippServer>;
  before(async () => {
    assert.equal(spawnSync('which', ['sipp']).status, 0, 'sipp is needed: apt-get install sip-tester');
    const uasPort = await freePort();
    uas = sippServer({ port: uasPort, scenario: 'uas', extra: ['-m', '1', '-rtp_echo'] });
    product = await startProduct(
      {
        ...(await sipEnv()).env,
        SIP_OUTBOUND_TRUNK: `127.0.0.1:${uasPort}`,
        CALLBACK_MODE: 'manual',
        CALLBACK_HOURS: '00:00-24:00',
        CALLBACK_WORKDAYS_ONLY: 'false',
        ASR_ENGINE: 'none',
      },
      'callback-call-server',
    );
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await product?.stop();
    await uas?.stop();
  });

  test('claim → 拨打 → 通话中 → 挂断 → 满意', async () => {
    await acceptedReply(product);
    const { page, context } = await loginAs(browser, product, 'callback');
    const row = page.locator('.ant-table-row', { hasText: TEXT.slice(0, 8) });
    await row.first().waitFor({ timeout: 15_000 });
    await row
      .first()
      .getByRole('button', { name: /领\s*取/ })
      .click();
    const bench = page.getByTestId('callback-workbench');
    await bench.getByText(PHONE).waitFor();
    await page.getByTestId('callback-dial').click();
    await page.getByTestId('call-state').getByText('通话中').waitFor({ timeout: 20_000 });
    await shot(page, 'callback-call-1-talking');
    // Let the audio run a moment both ways (the UAS echoes what the fake microphone sends).
    await page.waitForTimeout(1500);
    await page.getByTestId('callback-hangup').click();
    await page
      .getByTestId('call-state')
      .getByText(/通话已结束/)
      .waitFor({ timeout: 15_000 });
    await bench.getByText('满意', { exact: true }).click();
    await bench.getByLabel('备注').fill('电话回访，电梯已恢复');
    await shot(page, 'callback-call-2-ended');
    await page.getByTestId('callback-submit').click();
    await page.getByText('回访结果已记录：满意').waitFor();
    await context.close();

    const sup = await apiAs(product, 'supervisor');
    const calls = await sup<
      { id: number; direction: string; state: string; endReason: string; agentId: number; details: { callbackId?: number } }[]
    >('GET', '/api/calls?channel=outbound');
    assert.equal(calls.length, 1, JSON.stringify(calls));
    assert.equal(calls[0]?.direction, 'outbound');
    assert.equal(calls[0]?.state, 'ended');
    assert.equal(calls[0]?.endReason, 'answered');
    assert.ok(calls[0]?.details.callbackId, 'the call names its callback');
  });
});
