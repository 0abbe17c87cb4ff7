/**
 * The call panel's proposals from what the caller says, in a real browser against the running
 * product: a sipp caller (silent, so no recogniser is needed: ASR_ENGINE=none) rings and is
 * answered with F2; the caller's transcript is then injected into the desk's own live channel
 * (/ws/events, routed through Playwright: the server's frames pass through, and call.transcript
 * frames for the answered call are added, as the recogniser would publish them). The real
 * /api/intake/propose and /api/classify answer. Checks: the classify proposal shows its
 * catalogue path, the department and why, and was asked with the address typed; the suggestion
 * chips quote the words they came from; 采用 fills an empty field; what is already in a field
 * (the call's number, the typed address) is never overwritten without a click, also when a
 * later segment changes the proposal; the quote marks its words in the transcript; the case is
 * stored with the anonymity the agent took over.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { scenario, sipp } from '../sip/harness.js';
import { apiAs, launchBrowser, loginAs, type Product, shot, sipEnv, startProduct } from './helpers.js';

const CALLER = '13900139000';
const TYPED_ADDRESS = '明德路菜市场';
const SAID = [
  '你好，我要投诉',
  '我们楼下天天有人摆烧烤摊，油烟很大，晚上还很吵',
  '我姓王，住在东湖新村五栋',
  '我电话是幺三八五八二三幺七四三',
  '不要透露我的信息',
];

/** Routes the page's /ws/events through the test: server frames pass, `inject` adds transcript frames. */
async function tapLiveChannel(page: Page) {
  let route: WebSocketRoute | undefined;
  let lastSeq = 0;
  await page.routeWebSocket(/\/ws\/events/, (ws) => {
    const server = ws.connectToServer();
    server.onMessage((m) => {
      try {
        const f = JSON.parse(String(m)) as { seq?: unknown };
        if (typeof f.seq === 'number') lastSeq = f.seq;
      } catch {
        // not JSON: passed on as it is
      }
      ws.send(m);
    });
    route = ws;
  });
  let startMs = 1000;
  return {
    /** A caller segment of `callId`, as telephony publishes it (`final: false` for a partial). */
    inject(callId: number, seq: number, text: string, final = true) {
      assert.ok(route, 'the desk has opened its live channel');
      const endMs = startMs + text.length * 250;
      // The channel's own sequence number: a reconnect asks from it, as after any event.
      route.send(
        JSON.stringify({
          kind: 'event',
          seq: lastSeq,
          type: 'call.transcript',
          payload: { callId, leg: 'caller', seq, text, final, startMs, endMs },
          at: new Date().toISOString(),
        }),
      );
      if (final) startMs = endMs + 500;
    },
  };
}

describe('desk e2e: classify path and department, intake suggestions from the live transcript', { timeout: 240_000 }, () => {
  let product: Product;
  let browser: Browser;
  let sipPort: number;
  before(async () => {
    assert.equal(spawnSync('which', ['sipp']).status, 0, 'sipp is needed: apt-get install sip-tester');
    const sip = await sipEnv();
    sipPort = sip.sipPort;
    // No recogniser (the transcript is injected) and no dead-call timer (the caller sends no RTP).
    product = await startProduct({ ...sip.env, ASR_ENGINE: 'none', RTP_TIMEOUT_S: '0' }, 'intake-prefill-server');
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await product?.stop();
  });

  test('a call: proposals beside the fields, 采用 fills, typed values stay, the case keeps the anonymity', async () => {
    const agent = await loginAs(browser, product, 'agent');
    const page = agent.page;
    const channel = await tapLiveChannel(page);
    await page.reload();
    await page.getByTestId('who').waitFor();
    const classifyBodies: { text: string; address?: string }[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/api/classify') && r.method() === 'POST') classifyBodies.push(r.postDataJSON());
    });

    await page.getByTestId('agent-state').getByText('空闲').click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="agent-state"] .ant-segmented-item-selected')?.textContent === '空闲',
    );
    const call = sipp({
      target: sipPort,
      scenario: scenario('uac-silent.xml', { CALLER, PRIORITY: 'Subject: 12345', WAIT_MS: '150000' }),
      timeoutS: 180,
    });
    await page.getByTestId('ringing').waitFor({ timeout: 30_000 });
    await page.keyboard.press('F2');
    await page.getByTestId('hangup').waitFor();
    const tag = await page.getByText(/通话中 #\d+/).textContent();
    const callId = Number(tag?.match(/#(\d+)/)?.[1]);
    assert.ok(callId > 0, `the call's id on the panel: ${tag}`);
    // The call's number is in the phone field; the agent types an address of their own.
    await page.waitForFunction((n) => (document.querySelector('[data-testid="caller-phone"]') as HTMLInputElement)?.value === n, CALLER);
    await page.getByTestId('address').fill(TYPED_ADDRESS);

    // The caller speaks: a partial, then the finals.
    channel.inject(callId, 1, '你好我要', false);
    await page.locator('[data-testid="transcript"] .caller.partial').waitFor();
    for (const [i, text] of SAID.entries()) channel.inject(callId, i + 1, text);
    await page
      .locator('[data-testid="transcript"] .caller:not(.partial)')
      .nth(SAID.length - 1)
      .waitFor();

    // Suggestions, each quoting the words it came from.
    const phone = page.getByTestId('suggest-phone');
    await phone.waitFor({ timeout: 15_000 });
    const name = page.getByTestId('suggest-name');
    await name.waitFor();
    assert.match((await phone.textContent()) ?? '', /建议：13858231743（来自“我电话是幺三八.*”）/);
    assert.equal(await phone.getAttribute('data-state'), 'differs', 'the call number is in the field: the heard one differs');
    assert.match((await name.textContent()) ?? '', /建议：王（来自“我姓王”）/);
    assert.equal(await name.getAttribute('data-state'), 'empty');
    const address = page.getByTestId('suggest-address');
    assert.match((await address.textContent()) ?? '', /建议：东湖新村五栋/);
    assert.equal(await address.getAttribute('data-state'), 'differs');
    assert.match((await page.getByTestId('suggest-request-type').textContent()) ?? '', /投诉（来自“.*投诉”）/);
    assert.equal(await page.getByTestId('apply-request-type').count(), 0, 'the work order has no request type: text only');
    await page.getByTestId('suggest-anonymous').waitFor();

    // Nothing was written without a click.
    assert.equal(await page.getByTestId('caller-phone').inputValue(), CALLER);
    assert.equal(await page.getByTestId('caller-name').inputValue(), '');
    assert.equal(await page.getByTestId('address').inputValue(), TYPED_ADDRESS);
    assert.equal(await page.getByTestId('anonymous').isChecked(), false);
    // The description followed the caller's finals, and was classified with the typed address.
    assert.match(await page.getByTestId('description').inputValue(), /烧烤摊/);

    // The classify proposal: its path in the catalogue, the department and why, the keywords.
    const path = page.getByTestId('proposal-path').first();
    await page.waitForFunction(() => /›/.test(document.querySelector('[data-testid="proposal-path"]')?.textContent ?? ''), null, {
      timeout: 30_000,
    });
    const pathText = (await path.textContent()) ?? '';
    const dept = (await page.getByTestId('proposal-department').textContent()) ?? '';
    const keywords =
      (await page
        .getByTestId('proposal-keywords')
        .textContent()
        .catch(() => '')) ?? '';
    console.log(`# proposal: ${pathText} | ${dept} | ${keywords}`);
    assert.match(pathText, /\S › \S/, 'the short path: parent › leaf');
    assert.match((await page.getByTestId('proposal').first().textContent()) ?? '', /\d+%/);
    assert.match(dept, /推荐承办单位：.+（(按事项清单|按属地调整.*|参照派单员同类更正.*)）/);
    assert.match(keywords, /^依据：\S+/);
    assert.ok(
      classifyBodies.some((b) => b.address === TYPED_ADDRESS && /烧烤摊/.test(b.text)),
      `the classify request carries the address field: ${JSON.stringify(classifyBodies)}`,
    );
    await shot(page, 'intake-prefill-1-suggestions');

    // 采用 fills the field it stands by, and only that one.
    await page.getByTestId('apply-name').click();
    assert.equal(await page.getByTestId('caller-name').inputValue(), '王');
    assert.equal(await name.getAttribute('data-state'), 'same');
    await page.getByTestId('apply-phone').click();
    assert.equal(await page.getByTestId('caller-phone').inputValue(), '13858231743');
    await page.getByTestId('apply-anonymous').click();
    assert.equal(await page.getByTestId('anonymous').isChecked(), true);
    assert.equal(await page.getByTestId('address').inputValue(), TYPED_ADDRESS, 'the typed address is kept');

    // The quote shows its words in the transcript.
    await page.getByTestId('quote-name').click();
    const marked = page.locator('[data-testid="transcript"] .quoted mark');
    await marked.waitFor();
    assert.equal(await marked.textContent(), '王');

    // A later segment corrects the number: the new proposal is shown, the field keeps its value.
    channel.inject(callId, SAID.length + 1, '不对，电话是幺五九零零零零幺二三四');
    await page.waitForFunction(() => /15900001234/.test(document.querySelector('[data-testid="suggest-phone"]')?.textContent ?? ''), null, {
      timeout: 15_000,
    });
    assert.equal(await phone.getAttribute('data-state'), 'differs');
    assert.equal(await page.getByTestId('caller-phone').inputValue(), '13858231743', 'a filled field is not overwritten');
    await shot(page, 'intake-prefill-2-applied');

    // The case is stored with what the agent took over.
    await page.locator('[data-testid^="accept-"]').first().click();
    await page.getByTestId('submit').click();
    const done = page.getByText(/工单 (\d{8}-\d{6}) 已提交派单/);
    await done.waitFor();
    const number = ((await done.textContent()) ?? '').match(/\d{8}-\d{6}/)![0];
    const dispatcher = await apiAs(product, 'dispatcher');
    const list = await dispatcher<{ items: { id: number; number: string }[] }>('GET', `/api/work-orders?q=${number}`);
    const id = list.items.find((w) => w.number === number)?.id;
    assert.ok(id, `case ${number} is listed`);
    const wo = await dispatcher<{
      anonymous: boolean;
      callerName: string | null;
      callerPhone: string | null;
      callId: number | null;
      address: string | null;
    }>('GET', `/api/work-orders/${id}`);
    assert.equal(wo.anonymous, true);
    assert.equal(wo.callerName, null, 'an anonymous case keeps no name');
    assert.equal(wo.callerPhone, '13858231743');
    assert.equal(wo.address, TYPED_ADDRESS);
    assert.equal(wo.callId, callId);

    await page.getByTestId('hangup').click();
    const result = await call;
    assert.equal(result.code, 0, `sipp failed: ${result.stdout.slice(-1500)} ${result.stderr}`);
    await agent.context.close();
  });
});
