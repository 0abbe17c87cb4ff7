/**
 * The part of a case's life that follows intake, driven through each role's desk in the
 * browser: the dispatcher dispatches it, the department signs for it and replies, the
 * dispatcher accepts the reply, the callback staff claims it from the callback queue and
 * records 满意 (which closes it), and the supervisor's open wallboard shows it closed
 * without a reload. Shared by the typed-intake and the phone-call end-to-end tests.
 */
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { apiAs, loginAs, type Product, shot } from './helpers.js';

export const UNIT = '区城市管理和综合执法局';

export interface CaseToFollow {
  /** Text that finds the case's row in every list: its number. */
  key: string;
  /** The citizen's phone, shown to the callback staff member who claimed it. */
  phone: string;
  /** Screenshot name prefix. */
  prefix: string;
  /** The supervisor's wallboard, opened before the case was created. */
  sup: { page: Page };
  closedBefore: number;
  /** Further checks on the wallboard once the case is closed. */
  checkSupervisor?: (page: Page) => Promise<void>;
}

export async function openCase(page: Page, tab: string, key: string) {
  await page.getByRole('tab', { name: tab, exact: true }).click();
  const row = page.locator('.ant-table-row', { hasText: key });
  await row.first().waitFor({ timeout: 15_000 });
  await row.first().click();
  await page.locator('.ant-drawer-title', { hasText: '工单' }).waitFor();
}

async function act(page: Page, action: string, label: string) {
  const drawer = page.locator('.ant-drawer');
  await drawer.getByRole('tab', { name: label, exact: true }).click();
  return drawer.getByTestId(`do-${action}`);
}

export async function kpi(page: Page, id: string) {
  return page.getByTestId(id).locator('.ant-statistic-content-value').textContent();
}

/** Opens the supervisor's wallboard and reads the closed-today figure. */
export async function openWallboard(browser: Browser, product: Product) {
  const sup = await loginAs(browser, product, 'supervisor');
  await sup.page.getByTestId('kpi-closed').waitFor();
  return { sup, closedBefore: Number(await kpi(sup.page, 'kpi-closed')) };
}

/** Dispatcher → department → dispatcher → callback → supervisor, for a submitted case. */
export async function followCaseToClose(browser: Browser, product: Product, c: CaseToFollow) {
  const { sup } = c;
  // 派单员: dispatches to the urban-management bureau.
  const disp = await loginAs(browser, product, 'dispatcher');
  await openCase(disp.page, '待派单', c.key);
  const dispatch = await act(disp.page, 'dispatch', '派单');
  const drawer = disp.page.locator('.ant-drawer');
  const category = drawer.locator('.ant-form-item', { hasText: '事项类别' }).locator('.ant-select-content');
  assert.notEqual(((await category.textContent()) ?? '').trim(), '', 'the category comes prefilled from the proposal');
  await drawer.locator('.ant-form-item', { hasText: '承办单位' }).locator('.ant-select').click();
  await disp.page.keyboard.type('城市管理');
  await disp.page.locator('.ant-select-tree-node-content-wrapper', { hasText: UNIT }).first().click();
  await shot(disp.page, `${c.prefix}-2-dispatch`);
  await dispatch.click();
  await disp.page.getByText('派单成功').waitFor();
  await disp.page.keyboard.press('Escape');

  // 承办单位: signs for it and replies.
  const handler = await loginAs(browser, product, 'handler');
  await openCase(handler.page, '待签收', c.key);
  await (await act(handler.page, 'accept', '签收')).click();
  await handler.page.getByText('签收成功').waitFor();
  const reply = await act(handler.page, 'reply', '办结答复');
  await handler.page.locator('.ant-drawer').getByLabel('办理结果').fill('已联合市场监管所清理占道摊贩，并设置巡查点。');
  await shot(handler.page, `${c.prefix}-3-department`);
  await reply.click();
  await handler.page.getByText('办结答复成功').waitFor();
  await handler.context.close();

  // 派单员: accepts the reply, sending it to callback.
  await disp.page.goto('/dispatch');
  await openCase(disp.page, '答复审核', c.key);
  const review = await act(disp.page, 'review', '审核');
  await disp.page.locator('.ant-drawer').getByText('通过，转回访').click();
  await review.click();
  await disp.page.getByText('审核成功').waitFor();
  await shot(disp.page, `${c.prefix}-4-review`);
  await disp.context.close();

  // 回访员: the case is in the callback queue (due at once: call hours cover the whole day),
  // claimed from 待回访, and 满意 recorded in 我的回访 closes it.
  const cb = await loginAs(browser, product, 'callback');
  const dueRow = cb.page.locator('.ant-table-row', { hasText: c.key });
  await dueRow.first().waitFor({ timeout: 15_000 });
  await dueRow.first().getByText('待回访', { exact: true }).waitFor();
  assert.match((await dueRow.first().textContent()) ?? '', /已联合市场监管所清理占道摊贩/, 'the reply is shown with the case');
  assert.match((await dueRow.first().textContent()) ?? '', /0\/3/, 'attempts of the maximum');
  await shot(cb.page, `${c.prefix}-5-callback-due`);
  await dueRow
    .first()
    .getByRole('button', { name: /领\s*取/ })
    .click();
  await cb.page.getByText(/^已领取/).waitFor();
  const bench = cb.page.getByTestId('callback-workbench');
  await bench.waitFor();
  await cb.page.locator('.ant-table-row', { hasText: c.key }).getByText('回访中', { exact: true }).first().waitFor();
  await bench.getByText(c.phone).waitFor();
  await bench.getByText('满意', { exact: true }).click();
  await bench.getByLabel('备注').fill('市民对清理结果满意');
  await shot(cb.page, `${c.prefix}-6-callback-claimed`);
  await cb.page.getByTestId('callback-submit').click();
  await cb.page.getByText('回访结果已记录：满意').waitFor();
  const doneRow = cb.page.locator('.ant-table-row', { hasText: c.key });
  await doneRow.getByText('已完成', { exact: true }).waitFor();
  await doneRow.getByText('满意', { exact: true }).waitFor();
  await shot(cb.page, `${c.prefix}-7-callback-done`);
  await cb.context.close();
  const asSup = await apiAs(product, 'supervisor');
  const found = await asSup<{ items: { state: string; callbackOutcome?: string | null }[] }>(
    'GET',
    `/api/work-orders?q=${encodeURIComponent(c.key)}`,
  );
  assert.equal(found.items[0]?.state, 'closed', 'the case ends closed');

  // 值班长: the open wallboard follows without a reload.
  await sup.page.waitForFunction(
    ([sel, n]) => Number(document.querySelector(sel as string)?.textContent) === n,
    ['[data-testid="kpi-closed"] .ant-statistic-content-value', c.closedBefore + 1],
    { timeout: 15_000 },
  );
  assert.equal(await kpi(sup.page, 'kpi-satisfaction'), '100.0%');
  assert.equal(await kpi(sup.page, 'kpi-dispatched'), '1');
  await c.checkSupervisor?.(sup.page);
  await shot(sup.page, `${c.prefix}-8-wallboard`);
}
