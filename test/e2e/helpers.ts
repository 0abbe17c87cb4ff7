/**
 * End-to-end helpers: the real product (`node bin/hotline.js serve`) on a free port with a
 * temporary DATA_DIR (embedded PGlite, demo seed), and Debian's Chromium driven by
 * playwright-core. Screenshots of every view a test passes through go to test-results/e2e/.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

import { freePort as freeSipPort } from '../sip/harness.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const SHOTS = join(ROOT, 'test-results', 'e2e');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const PASSWORD = 'hotline12345';

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

/**
 * The settings of a product that takes SIP calls on 127.0.0.1 (UDP, a port of its own, an RTP
 * range picked at random so that parallel test files do not collide), and its SIP port.
 */
export async function sipEnv(): Promise<{ sipPort: number; env: NodeJS.ProcessEnv }> {
  const sipPort = await freeSipPort();
  const rtp = 30000 + Math.floor(Math.random() * 100) * 200;
  return {
    sipPort,
    env: {
      SIP_PORT: String(sipPort),
      SIP_HOST: '127.0.0.1',
      SIP_TRANSPORTS: 'udp',
      RTP_PORT_MIN: String(rtp),
      RTP_PORT_MAX: String(rtp + 198),
      CALL_OFFER_TIMEOUT_S: '60',
    },
  };
}

/** Builds the desk once if this checkout has no build yet (a fresh clone without `npm ci`). */
export function ensureDeskBuilt() {
  if (existsSync(join(ROOT, 'agent-desk', 'dist', 'index.html'))) return;
  const r = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'agent-desk/vite.config.ts'],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
  if (r.status !== 0) throw new Error('building the desk failed: run npm run build:desk to see why');
}

export interface Product {
  url: string;
  port: number;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts the product with its embedded defaults and waits until /healthz answers. Its log
 * goes to test-results/e2e/<logName>.log when it stops.
 */
export async function startProduct(env: NodeJS.ProcessEnv = {}, logName = 'server'): Promise<Product> {
  ensureDeskBuilt();
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'hotline-e2e-'));
  let out = '';
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'bin', 'hotline.js'), 'serve'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      DATABASE_URL: '',
      REDIS_URL: '',
      LOGIN_RATE_LIMIT: '1000',
      // The desk tests log in as the demo district's users.
      SEED_DEMO: 'yes',
      METRICS_REFRESH_MS: '1000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the product exited with ${child.exitCode}:\n${out}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the product did not answer /healthz within 60 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    port,
    output: () => out,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dataDir, { recursive: true, force: true });
      // The server's own log is kept beside the screenshots: the first place to look when a test fails.
      mkdirSync(SHOTS, { recursive: true });
      writeFileSync(join(SHOTS, `${logName}.log`), out);
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH).`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // The agent view asks for the microphone; a fake device answers instead of a prompt.
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

/** A fresh browser context (own cookies and localStorage) logged in as `username` through the login page. */
export async function loginAs(browser: Browser, product: Product, username: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: product.url, viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  // An uncaught error in the desk blanks a view while the server keeps working; record it
  // so that the next screenshot fails the test with the error instead of a timeout.
  page.on('pageerror', (e) =>
    pageErrors.set(page, [...(pageErrors.get(page) ?? []), `${e.message} ${(e.stack ?? '').split('\n')[1] ?? ''}`]),
  );
  await page.goto('/');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await page.getByTestId('who').waitFor({ timeout: 15_000 });
  return { context, page };
}

const pageErrors = new WeakMap<Page, string[]>();

/** Saves a full-page screenshot as test-results/e2e/<name>.png; fails if the page threw an uncaught error. */
export async function shot(page: Page, name: string) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const errors = pageErrors.get(page);
  if (errors?.length) throw new Error(`the desk threw in the browser before the screenshot ${name}: ${errors.join('; ')}`);
}

/** Calls the product's API with a fresh login (for setting up data a test then looks at in the browser). */
export async function apiAs(product: Product, username: string) {
  const r = await fetch(`${product.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  if (!r.ok) throw new Error(`login as ${username}: ${r.status} ${await r.text()}`);
  const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0]!;
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${product.url}${path}`, {
      method,
      headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
}
