/**
 * An emergency on the desk, from the caller's voice to the transfer: sipp speaks a real
 * Mandarin recording (aishell W0436, 一男子持刀在三里屯将一男一女两名路人扎伤, heard by the default
 * sherpa engine as 一男子持刀在三里团家一男英语两名路人渣生; said twice, see
 * test/emergency-speech.test.ts) into a call the agent answers in the browser; the shipped
 * rule 持刀→110 fires on the final segment; the agent's screen shows the alert with the words
 * and what the caller said, the supervisor's wallboard lists it live; the agent's one click
 * transfers the call to a sipp UAS standing in for 110 and the wallboard marks it
 * transferred. Nothing is injected or mocked.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { freePort, scenario, sipp, sippServer, ulawWav } from '../sip/harness.js';
import { openWallboard } from './flow.js';
import { launchBrowser, loginAs, type Product, shot, sipEnv, startProduct } from './helpers.js';

describe('desk e2e: a spoken emergency alerts the agent and the wallboard and is transferred', { timeout: 300_000 }, () => {
  let product: Product;
  let browser: Browser;
  let sipPort: number;
  let uas: ReturnType<typeof sippServer>;
  before(async () => {
    for (const tool of ['sipp', 'sox']) {
      assert.equal(spawnSync('which', [tool]).status, 0, `${tool} is needed: apt-get install ${tool}`);
    }
    const uasPort = await freePort();
    uas = sippServer({ port: uasPort, scenario: 'uas' });
    const sip = await sipEnv();
    sipPort = sip.sipPort;
    product = await startProduct(
      {
        ...sip.env,
        TRANSFER_110_URI: `sip:110@127.0.0.1:${uasPort}`,
      },
      'emergency-server',
    );
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await product?.stop();
    await uas?.stop();
  });

  test('持刀 spoken → alert with the words on the agent desk and the wallboard → one click to 110', async () => {
    const { sup } = await openWallboard(browser, product);
    await sup.page.getByTestId('emergency-alerts').getByText('暂无紧急警情').waitFor();

    const agent = await loginAs(browser, product, 'agent');
    const page = agent.page;
    await page.getByTestId('agent-state').getByText('空闲').click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="agent-state"] .ant-segmented-item-selected')?.textContent === '空闲',
    );
    const wav = await ulawWav('aishell-sample_BAC009S0252W0436.wav', 2);
    // The caller speaks 6 s after the answer (so the click lands first), then holds until hung up.
    const call = sipp({
      target: sipPort,
      scenario: scenario('uac-speech-hold.xml', {
        CALLER: '13900139000',
        PRIORITY: 'Subject: 12345',
        WAIT_MS: '6000',
        HOLD_MS: '120000',
        WAV: wav,
      }),
      timeoutS: 180,
    });
    await page.getByTestId('ringing').waitFor({ timeout: 30_000 });
    await page.keyboard.press('F2');
    await page.getByTestId('hangup').waitFor();

    const words = page.getByTestId('emergency-words');
    await words.waitFor({ timeout: 120_000 }).catch(async (err: Error) => {
      await page.screenshot({ path: 'test-results/e2e/emergency-0-no-alert.png', fullPage: true }).catch(() => {});
      const heard = await page.getByTestId('transcript').textContent();
      throw new Error(`${err.message}; the transcript on the desk: ${heard}`);
    });
    const shown = (await words.textContent()) ?? '';
    console.log(`# heard: ${await page.getByTestId('transcript').textContent()}`);
    assert.match(shown, /触发词：持刀/, shown);
    assert.match(shown, /来电人说：“.*持刀.*”/, 'the alert quotes what the recogniser heard');
    assert.match((await page.getByTestId('transfer').textContent()) ?? '', /110/);
    await shot(page, 'emergency-1-agent-alert');

    const board = sup.page.getByTestId('emergency-alerts');
    await board.getByText('持刀：可能危及人身安全').waitFor({ timeout: 10_000 });
    await shot(sup.page, 'emergency-2-wallboard-alert');

    await page.getByTestId('transfer').click();
    await page.getByText('已转接 110，转警记录已保存').waitFor({ timeout: 15_000 });
    assert.equal(await page.getByTestId('transfer').isDisabled(), true, 'a transferred call cannot be transferred twice');
    await board.getByText('已转接 110').waitFor({ timeout: 10_000 });
    await shot(sup.page, 'emergency-3-wallboard-transferred');

    await page.getByTestId('hangup').click();
    const result = await call;
    assert.equal(result.code, 0, `sipp failed: ${result.stdout.slice(-1500)} ${result.stderr}`);
    await shot(page, 'emergency-4-agent-after');
  });
});
