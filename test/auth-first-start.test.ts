/**
 * The first start of a real install (`hotline serve` without --demo): one admin with a
 * generated password shown once on the console and never in the log, no known logins,
 * and that password must be changed at the first login. A weak given password stops the
 * start with a message.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

const BIN = new URL('../bin/hotline.js', import.meta.url).pathname;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

// Speech, SIP and the callback scheduler are not what this test is about: off, for a quick start.
const QUIET = { ASR_ENGINE: 'none', SIP_ENABLED: 'false', DATABASE_URL: '', REDIS_URL: '', SEED_DEMO: '' };

describe('first start of a real install', () => {
  const cleanups: (() => void)[] = [];
  after(() => {
    for (const c of cleanups.reverse()) c();
  });

  test('one admin with a generated password printed once, not logged, to be changed; no demo logins', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hotline-first-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const port = await freePort();
    const child: ChildProcess = spawn(process.execPath, [BIN, 'serve'], {
      env: { ...process.env, ...QUIET, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanups.push(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
    });
    child.stderr?.on('data', (d) => {
      out += d;
    });
    const started = Date.now();
    while (Date.now() - started < 90_000 && child.exitCode === null && !/first login: user admin/.test(out)) {
      await new Promise((r) => setTimeout(r, 250));
    }
    const m = /first login: user admin, password (\S+)/.exec(out);
    assert.ok(m, `the password is printed; output:\n${out}`);
    const password = m[1] as string;
    assert.ok(password.length >= 20, 'a strong generated password');
    assert.doesNotMatch(out, /demo logins|hotline12345/, 'no demo users on a real start');
    // The logger's JSON lines (what a log file or collector keeps) never carry it.
    const logLines = out.split('\n').filter((l) => l.startsWith('{'));
    assert.ok(logLines.length > 0, 'the logger wrote lines');
    for (const l of logLines) assert.ok(!l.includes(password), `log line without the password: ${l}`);
    assert.equal(out.split(password).length - 1, 1, 'printed exactly once');

    const base = `http://127.0.0.1:${port}`;
    const login = (username: string, pw: string) =>
      fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: pw }),
      });
    assert.equal((await login('agent', 'hotline12345')).status, 401);
    assert.equal((await login('admin', 'hotline12345')).status, 401);
    const r = await login('admin', password);
    assert.equal(r.status, 200);
    const body = (await r.json()) as { next: string; user: { mustChangePassword: boolean; demo: boolean } };
    assert.equal(body.next, 'change_password');
    assert.equal(body.user.demo, false);

    child.kill('SIGTERM');
    await new Promise((res) => child.once('exit', res));
    // The database keeps only a scrypt hash of it.
    const list = spawnSync(process.execPath, [BIN, 'user', 'list'], {
      env: { ...process.env, ...QUIET, DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /^admin\s+admin\s+active, must change password\s*$/m);
    assert.equal(list.stdout.trim().split('\n').length, 1, 'one user only');
  });

  test('a weak HOTLINE_ADMIN_PASSWORD stops the start; --demo with a password is refused; a good file is used', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hotline-first-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const env = { ...process.env, ...QUIET, DATA_DIR: dataDir, PORT: String(await freePort()), HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
    const weak = spawnSync(process.execPath, [BIN, 'serve'], {
      env: { ...env, HOTLINE_ADMIN_PASSWORD: 'aaaaaaaaaaaa' },
      encoding: 'utf8',
      timeout: 90_000,
    });
    assert.notEqual(weak.status, 0);
    assert.match(weak.stderr, /repeats one character/);
    const both = spawnSync(process.execPath, [BIN, 'serve', '--demo', '--admin-password-file', '/nonexistent'], {
      env,
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(both.status, 2);
    // Commands that manage users work on that database (nobody was created by the failed start).
    const file = join(dataDir, 'admin-password');
    writeFileSync(file, 'Given-Chief-Pass-77\n');
    const child = spawn(process.execPath, [BIN, 'serve', '--admin-password-file', file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
    });
    const started = Date.now();
    while (Date.now() - started < 90_000 && child.exitCode === null && !/first login/.test(out))
      await new Promise((r) => setTimeout(r, 250));
    assert.match(out, /first login: user admin with the password you gave/);
    assert.doesNotMatch(out, /Given-Chief-Pass-77/);
    const r = await fetch(`http://127.0.0.1:${env.PORT}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'Given-Chief-Pass-77' }),
    });
    assert.equal(((await r.json()) as { next: string }).next, 'change_password');
    child.kill('SIGTERM');
    await new Promise((res) => child.once('exit', res));
    for (const [args, expect] of [
      [['user', 'unlock', 'admin'], /admin unlocked/],
      [['user', 'disable', 'admin'], /admin disabled/],
      [['user', 'enable', 'admin'], /admin enabled/],
      [['user', 'reset', 'admin'], /temporary password of admin: \S{20}/],
      [['user', 'unlock', 'nobody'], /does not exist/],
    ] as const) {
      const r2 = spawnSync(process.execPath, [BIN, ...args], { env: { ...env, LOG_LEVEL: 'silent' }, encoding: 'utf8', timeout: 60_000 });
      assert.match(r2.stdout + r2.stderr, expect, args.join(' '));
    }
    const weakPw = spawnSync(process.execPath, [BIN, 'user', 'passwd', 'admin'], {
      env: { ...env, LOG_LEVEL: 'silent', HOTLINE_PASSWORD: 'admin12345' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(weakPw.status, 1);
    assert.match(weakPw.stderr, /password/);
  });
});
