/**
 * The desk in a real browser against the running product: every role lands on its view,
 * the server's refusals are shown as they come, and the wallboard follows new cases live.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { apiAs, launchBrowser, loginAs, type Product, shot, startProduct } from './helpers.js';

const LANDING: Record<string, { path: string; title: string }> = {
  agent: { path: '/agent', title: '话务受理' },
  dispatcher: { path: '/dispatch', title: '派单管理' },
  handler: { path: '/department', title: '承办工单' },
  callback: { path: '/callback', title: '回访管理' },
  supervisor: { path: '/wallboard', title: '监控大屏' },
  admin: { path: '/agent', title: '话务受理' },
};

describe('desk e2e: roles, refusals, live wallboard', { timeout: 180_000 }, () => {
  let product: Product;
  let browser: Browser;
  before(async () => {
    product = await startProduct({}, 'desk-roles-server');
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await product?.stop();
  });

  test('each demo user lands on their role view, with the menu of their role', async () => {
    for (const [user, want] of Object.entries(LANDING)) {
      const { context, page } = await loginAs(browser, product, user);
      await page.waitForURL(`**${want.path}`, { timeout: 10_000 });
      await page.locator('.ant-layout-header h4', { hasText: want.title }).waitFor();
      const menu = await page.locator('.ant-menu-item').allInnerTexts();
      if (user === 'admin') assert.equal(menu.length, 7, `admin sees every view: ${menu}`);
      else assert.ok(menu.includes(want.title), `${user} menu ${menu}`);
      if (user === 'agent') assert.deepEqual(menu, ['话务受理']);
      await page.getByTestId('live-status').getByText('实时连接正常').waitFor({ timeout: 10_000 });
      await shot(page, `roles-${user}`);
      await context.close();
    }
  });

  test('a wrong password shows the server message and the page stays on login', async () => {
    const context = await browser.newContext({ baseURL: product.url, locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto('/wallboard');
    await page.getByLabel('用户名').fill('supervisor');
    await page.getByLabel('密码').fill('not-the-password');
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await page.getByTestId('login-error').getByText('用户名或密码错误，请重新输入。').waitFor();
    await shot(page, 'login-refused');
    await context.close();
  });

  test("the server's refusal is shown and what was typed is kept", async () => {
    const { context, page } = await loginAs(browser, product, 'admin');
    await page.goto('/admin');
    await page.getByTestId('new-username').fill('agent');
    await page.getByTestId('new-password').fill('long-enough-password');
    await page.getByTestId('new-role').click();
    await page.locator('.ant-select-item-option', { hasText: '话务员' }).click();
    await page.getByTestId('admin.user-submit').click();
    // The refusal in Chinese, from the server's code USER_EXISTS and its params.
    await page.getByTestId('admin.user-error').getByText('用户“agent”已存在。').waitFor();
    assert.equal(await page.getByTestId('new-username').inputValue(), 'agent');
    await shot(page, 'admin-refused');
    // A reload keeps the draft (nothing typed is lost).
    await page.reload();
    await page.getByTestId('new-username').waitFor();
    assert.equal(await page.getByTestId('new-username').inputValue(), 'agent');
    await context.close();
  });

  test('the wallboard counts a new case without a reload', async () => {
    const sup = await loginAs(browser, product, 'supervisor');
    const created = sup.page.getByTestId('kpi-created').locator('.ant-statistic-content-value');
    await created.waitFor();
    const before = Number(await created.textContent());
    await shot(sup.page, 'wallboard-before');

    // The agent registers a case through the desk's intake form.
    const agent = await loginAs(browser, product, 'agent');
    await agent.page.getByTestId('description').fill('幸福路12号楼下烧烤店每天夜里噪音很大，影响休息');
    await agent.page.getByTestId('caller-phone').fill('13800138000');
    await agent.page.getByTestId('proposal').first().waitFor({ timeout: 20_000 });
    await shot(agent.page, 'agent-intake');
    await agent.page.getByTestId('submit').click();
    await agent.page.getByText(/工单 \d{8}-\d{6} 已提交派单/).waitFor();
    await shot(agent.page, 'agent-submitted');

    await sup.page.waitForFunction(
      ([sel, n]) => Number(document.querySelector(sel as string)?.textContent) === n,
      ['[data-testid="kpi-created"] .ant-statistic-content-value', before + 1],
      { timeout: 15_000 },
    );
    await shot(sup.page, 'wallboard-after');

    // Also a case created elsewhere (the API) reaches the open wallboard.
    const call = await apiAs(product, 'dispatcher');
    await call('POST', '/api/work-orders', { description: '人行道井盖缺失，存在安全隐患', submit: true });
    await sup.page.waitForFunction(
      ([sel, n]) => Number(document.querySelector(sel as string)?.textContent) === n,
      ['[data-testid="kpi-created"] .ant-statistic-content-value', before + 2],
      { timeout: 15_000 },
    );
    await agent.context.close();
    await sup.context.close();
  });
});
