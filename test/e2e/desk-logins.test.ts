/**
 * Logins in the browser (#14): the desk and /docs run under the server's CSP without a
 * single violation; a first login with an initial password goes through the forced
 * change screen (the rules in Chinese); an admin enrols TOTP in 账号安全 and the next
 * login asks for the code; a lockout says when to try again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { base32Decode, totp } from '../../auth/totp.js';
import { apiAs, launchBrowser, loginAs, PASSWORD, type Product, shot, startProduct } from './helpers.js';

/** Records CSP violations and console errors of a page. */
function watch(page: Page) {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
  });
  return problems;
}

async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []);
}

const RECORD_CSP = () => {
  const w = window as unknown as { __csp: string[] };
  w.__csp = [];
  document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
};

describe('desk e2e: logins', { timeout: 240_000 }, () => {
  let product: Product;
  let browser: Browser;
  before(async () => {
    product = await startProduct({ ASR_ENGINE: 'none', SIP_ENABLED: 'false' }, 'desk-logins-server');
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await product?.stop();
  });

  test('every view and /docs load under the CSP with no violation', async () => {
    const context = await browser.newContext({ baseURL: product.url, viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    await context.addInitScript(RECORD_CSP);
    const page = await context.newPage();
    const problems = watch(page);
    const res = await page.goto('/');
    assert.match(res?.headers()['content-security-policy'] ?? '', /script-src 'self'/);
    await page.getByLabel('用户名').fill('admin');
    await page.getByLabel('密码').fill(PASSWORD);
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await page.getByTestId('who').waitFor({ timeout: 15_000 });
    await page.getByTestId('live-status').getByText('实时连接正常').waitFor({ timeout: 10_000 });
    for (const path of ['/agent', '/dispatch', '/department', '/callback', '/wallboard', '/report', '/admin']) {
      await page.goto(path);
      await page.getByTestId('who').waitFor();
      await page.waitForTimeout(500);
      problems.push(...(await cspViolations(page)).map((v) => `${path}: ${v}`));
    }
    await page.getByTestId('two-factor-prompt').waitFor();
    await shot(page, 'logins-admin-prompt');
    await page.goto('/docs');
    await page.locator('.swagger-ui .information-container').waitFor({ timeout: 15_000 });
    await page.waitForTimeout(500);
    problems.push(...(await cspViolations(page)).map((v) => `/docs: ${v}`));
    await shot(page, 'logins-docs');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a new user changes the initial password on the forced screen, with the rules in Chinese', async () => {
    const admin = await apiAs(product, 'admin');
    await admin('POST', '/api/users', { username: 'newagent', password: 'Initial-Pass-1', role: 'agent', displayName: '新话务员' });
    const context = await browser.newContext({ baseURL: product.url, locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto('/');
    await page.getByLabel('用户名').fill('newagent');
    await page.getByLabel('密码').fill('Initial-Pass-1');
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await page.getByText('首次登录或密码已被重置，请设置新密码').waitFor();
    await page.getByTestId('new-password').fill('aaaaaaaa');
    await page.getByText('密码不能由同一个字符重复组成。').waitFor();
    await page.getByTestId('new-password').fill('newagent-Pass-9');
    await page.getByText('密码不能包含用户名。').waitFor();
    await page.getByTestId('new-password').fill('Fresh-Secret-42');
    await page.getByTestId('confirm-password').fill('Fresh-Secret-42');
    await shot(page, 'logins-forced-change');
    await page.getByTestId('change-password-submit').click();
    await page.getByTestId('who').waitFor({ timeout: 15_000 });
    await page.waitForURL('**/agent');
    // An agent reaches their own 账号安全 from the header (no 系统管理 for them).
    await page.getByTestId('account-security').click();
    await page.locator('.ant-drawer').getByText('修改密码').first().waitFor();
    await shot(page, 'logins-agent-account');
    await context.close();
    // The old password is gone, the new one works.
    const r = await fetch(`${product.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'newagent', password: 'Fresh-Secret-42' }),
    });
    assert.equal(((await r.json()) as { next: unknown }).next, null);
  });

  test('an admin enrols TOTP in 账号安全; the next login asks for the code', async () => {
    const { context, page } = await loginAs(browser, product, 'admin');
    await page.goto('/admin');
    await page.getByTestId('two-factor-prompt').getByRole('button').click();
    await page.getByTestId('totp-enrol').click();
    await page.getByTestId('totp-password').fill(PASSWORD);
    await page.getByTestId('totp-start').click();
    const secret = ((await page.getByTestId('totp-secret').textContent()) ?? '').replace(/\s/g, '');
    assert.match(secret, /^[A-Z2-7]{32}$/);
    assert.match((await page.getByTestId('totp-uri').textContent()) ?? '', /^otpauth:\/\/totp\//);
    const key = base32Decode(secret);
    await page.getByTestId('totp-code').fill(totp(key, Date.now()));
    await page.getByTestId('totp-confirm').click();
    await page.getByTestId('recovery-code').first().waitFor();
    assert.equal(await page.getByTestId('recovery-code').count(), 10);
    await shot(page, 'logins-recovery-codes');
    await page.getByTestId('totp-done').click();
    await page.getByRole('button', { name: '退出登录' }).click();

    await page.getByLabel('用户名').fill('admin');
    await page.getByLabel('密码').fill(PASSWORD);
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await page
      .getByTestId('login-error')
      .getByText(/6位动态码/)
      .waitFor();
    // The step after the one used to confirm (a used step counts only once).
    await page.getByTestId('login-code').fill(totp(key, Date.now() + 30_000));
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await page.getByTestId('who').waitFor({ timeout: 15_000 });
    await shot(page, 'logins-after-totp');
    await context.close();
  });

  test('five wrong passwords: the login says when to try again', async () => {
    const context = await browser.newContext({ baseURL: product.url, locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto('/');
    await page.getByLabel('用户名').fill('callback');
    for (let i = 0; i < 5; i++) {
      await page.getByLabel('密码').fill(`wrong-${i}`);
      await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/auth/login')),
        page.getByRole('button', { name: /登\s*录/ }).click(),
      ]);
    }
    await page.getByTestId('login-error').getByText('用户名或密码错误。失败次数过多，请 15 分钟后再试。').waitFor();
    await shot(page, 'logins-locked');
    await context.close();
  });
});
