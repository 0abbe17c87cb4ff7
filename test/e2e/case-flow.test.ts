/**
 * One case through every desk, in a real browser against the running product: the agent
 * registers it, the dispatcher dispatches it, the department signs for it and replies, the
 * dispatcher accepts the reply, the callback staff claims it from the callback queue and
 * records 满意 (which closes it), and the supervisor's wallboard shows it closed and
 * satisfied without a reload. Click-to-call is not driven here (no trunk): see
 * test/callback-call-sip.test.ts.
 *
 * The same path starting from a phone call is test/e2e/call-flow.test.ts.
 */
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { followCaseToClose, openWallboard } from './flow.js';
import { launchBrowser, loginAs, type Product, shot, startProduct } from './helpers.js';

const TEXT = '明德路菜市场门口流动摊贩占道经营，堵塞人行道，请城管处理';

describe('desk e2e: a case from intake to a satisfied close', { timeout: 240_000 }, () => {
  let product: Product;
  let browser: Browser;
  before(async () => {
    // Manual callbacks due at once, whatever the day and hour the test runs.
    product = await startProduct(
      { CALLBACK_MODE: 'manual', CALLBACK_HOURS: '00:00-24:00', CALLBACK_WORKDAYS_ONLY: 'false' },
      'case-flow-server',
    );
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await product?.stop();
  });

  test('agent → dispatcher → department → dispatcher → callback, watched by the supervisor', async () => {
    const { sup, closedBefore } = await openWallboard(browser, product);

    // 话务员: registers the case with the classifier's proposal accepted.
    const agent = await loginAs(browser, product, 'agent');
    await agent.page.getByTestId('caller-name').fill('张先生');
    await agent.page.getByTestId('caller-phone').fill('13900001111');
    await agent.page.getByTestId('address').fill('明德路菜市场');
    await agent.page.getByTestId('description').fill(TEXT);
    await agent.page.getByTestId('proposal').first().waitFor({ timeout: 20_000 });
    await agent.page.locator('[data-testid^="accept-"]').first().click();
    await shot(agent.page, 'flow-1-agent');
    await agent.page.keyboard.press('Control+Enter');
    const done = agent.page.getByText(/工单 (\d{8}-\d{6}) 已提交派单/);
    await done.waitFor();
    const number = ((await done.textContent()) ?? '').match(/\d{8}-\d{6}/)![0];
    await agent.context.close();

    await followCaseToClose(browser, product, { key: number, phone: '13900001111', prefix: 'flow', sup, closedBefore });
    await sup.context.close();
  });
});
