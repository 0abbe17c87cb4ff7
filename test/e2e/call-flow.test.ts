/**
 * A real call on the desk: sipp dials the product's SIP port and speaks a Mandarin
 * recording (../shared/speech, AISHELL sample) as PCMU RTP; the call rings in the agent's
 * browser, is answered with a click, its transcript and the classifier's proposals appear
 * live, and the agent submits the case, which is stored with the call's id. Then the case
 * goes through every desk (flow.ts): dispatched, replied, called back 满意, closed, and the
 * supervisor's wallboard counts the answered call and the closed case without a reload.
 * Needs sipp and sox (apt) and the shared speech files; nothing is mocked. Chromium's fake
 * microphone stands in for the agent's voice (there is no sound card here).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { cerCounts } from '../../asr/cer.js';
import { followCaseToClose, kpi, openWallboard } from './flow.js';
import { apiAs, launchBrowser, loginAs, type Product, ROOT, shot, sipEnv, startProduct } from './helpers.js';

const SPEECH = resolve(ROOT, '../shared/speech/aishell-sample_BAC009S0150W0305.wav');
const CALLER = '13800138000';

/** Runs sipp once with the caller scenario; resolves with its exit code and output. */
function dial(sipPort: number, work: string, wav: string, waitMs: number) {
  const xml = readFileSync(join(import.meta.dirname, 'caller-speech.xml'), 'utf8')
    .replaceAll('{{CALLER}}', CALLER)
    .replaceAll('{{WAIT_MS}}', String(waitMs))
    .replaceAll('{{TALK_MS}}', '8000')
    .replaceAll('{{WAV}}', wav);
  const file = join(work, 'caller.xml');
  writeFileSync(file, xml);
  const media = String(40000 + Math.floor(Math.random() * 5000) * 2);
  const child = spawn(
    'sipp',
    [
      `127.0.0.1:${sipPort}`,
      '-sf',
      file,
      '-i',
      '127.0.0.1',
      '-p',
      '0',
      '-mp',
      media,
      '-m',
      '1',
      '-nostdin',
      '-timeout',
      '90s',
      '-timeout_error',
    ],
    { cwd: work },
  );
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise<{ code: number | null; out: string }>((r) => child.on('close', (code) => r({ code, out })));
}

describe('desk e2e: a sipp call rings, is answered and becomes a case', { timeout: 300_000 }, () => {
  let product: Product;
  let browser: Browser;
  let sipPort: number;
  let work: string;
  let wav: string;
  before(async () => {
    for (const tool of ['sipp', 'sox']) {
      assert.equal(spawnSync('which', [tool]).status, 0, `${tool} is needed: apt-get install ${tool}`);
    }
    work = mkdtempSync(join(tmpdir(), 'desk-call-'));
    wav = join(work, 'speech.ulaw.wav');
    const sox = spawnSync('sox', ['-D', SPEECH, '-r', '8000', '-c', '1', '-e', 'u-law', '-b', '8', wav]);
    assert.equal(sox.status, 0, `sox could not convert ${SPEECH}: ${sox.stderr}`);
    const sip = await sipEnv();
    sipPort = sip.sipPort;
    product = await startProduct(
      {
        ...sip.env,
        // Manual callbacks due at once, whatever the day and hour the test runs.
        CALLBACK_MODE: 'manual',
        CALLBACK_HOURS: '00:00-24:00',
        CALLBACK_WORKDAYS_ONLY: 'false',
      },
      'call-flow-server',
    );
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await product?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('ring → answer → live transcript and proposals → submit → dispatch → reply → callback 满意 → closed', async () => {
    const { sup, closedBefore } = await openWallboard(browser, product);
    const answeredBefore = Number(await kpi(sup.page, 'kpi-answered'));
    const agent = await loginAs(browser, product, 'agent');
    const page = agent.page;
    await page.getByTestId('agent-state').getByText('空闲').click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="agent-state"] .ant-segmented-item-selected')?.textContent === '空闲',
    );
    await shot(page, 'call-1-available');

    // The caller waits 6 s after the answer before speaking, so the answer click lands first.
    const call = dial(sipPort, work, wav, 6000);
    await page.getByTestId('ringing').waitFor({ timeout: 30_000 });
    await shot(page, 'call-2-ringing');
    await page.keyboard.press('F2');
    await page.getByTestId('hangup').waitFor();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="agent-state"] .ant-segmented-item-selected')?.textContent === '通话中',
    );
    await shot(page, 'call-3-answered');

    // Caller speech shows as partials while the caller talks, then as finals, which fill the description.
    await page.locator('[data-testid="transcript"] .caller').first().waitFor({ timeout: 60_000 });
    await shot(page, 'call-4-partials');
    const result = await call;
    assert.equal(result.code, 0, `sipp failed: ${result.out.slice(-1500)}`);
    // ASR runs below real time on a loaded 2-core machine: the last final can come well after the hang-up.
    await page.locator('[data-testid="transcript"] .caller:not(.partial)').first().waitFor({ timeout: 120_000 });
    await page.waitForFunction(
      () => ((document.querySelector('[data-testid="description"]') as HTMLTextAreaElement)?.value ?? '').length >= 2,
      null,
      {
        timeout: 30_000,
      },
    );
    await page.getByTestId('proposal').first().waitFor({ timeout: 30_000 });
    await page.getByText('通话已结束').first().waitFor({ timeout: 30_000 });
    await shot(page, 'call-5-transcript');
    // Readable: the default engine's transcript is close to what the caller said (the clip says
    // 汽车公司不得不重新考虑大城市未来的交通问题).
    const heard = (await page.locator('[data-testid="transcript"] .caller:not(.partial)').allTextContents()).join('');
    const { errors, chars } = cerCounts('汽车公司不得不重新考虑大城市未来的交通问题', heard);
    assert.ok(errors / chars <= 0.3, `the desk shows "${heard}"`);
    assert.equal(await page.getByTestId('caller-phone').inputValue(), CALLER, 'the phone comes from the call');

    await page.locator('[data-testid^="accept-"]').first().click();
    await page.getByTestId('submit').click();
    const done = page.getByText(/工单 (\d{8}-\d{6}) 已提交派单/);
    await done.waitFor();
    const number = ((await done.textContent()) ?? '').match(/\d{8}-\d{6}/)![0];
    await shot(page, 'call-6-submitted');

    const dispatcher = await apiAs(product, 'dispatcher');
    const list = await dispatcher<{ items: { number: string; callId: number | null; description: string }[] }>(
      'GET',
      `/api/work-orders?q=${number}`,
    );
    const wo = list.items.find((w) => w.number === number);
    assert.ok(wo?.callId, 'the case is linked to the call');
    assert.match(wo.description, /\p{Script=Han}/u);
    await agent.context.close();

    // The rest of the case's life, desk by desk; the wallboard counted the answered call too.
    await followCaseToClose(browser, product, {
      key: number,
      phone: CALLER,
      prefix: 'call-case',
      sup,
      closedBefore,
      checkSupervisor: async (page) => {
        assert.equal(Number(await kpi(page, 'kpi-answered')), answeredBefore + 1, 'the answered call counts on the wallboard');
      },
    });
    await sup.context.close();
  });
});
