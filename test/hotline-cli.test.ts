import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createTestDb, type TestDb } from '../db/testing.js';

const BIN = new URL('../bin/hotline.js', import.meta.url).pathname;

function hotline(args: string[], env: NodeJS.ProcessEnv = {}, input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

describe('hotline command', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  test('--help lists the commands and the settings; unknown commands exit 2', () => {
    const help = hotline(['--help']);
    assert.equal(help.code, 0);
    for (const word of ['serve', 'migrate', 'seed', 'user add', 'DATABASE_URL', 'REDIS_URL']) assert.ok(help.out.includes(word), word);
    const unknown = hotline(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /unknown command/);
  });

  test('bad configuration and bad arguments get a message and a non-zero exit', () => {
    const badPort = hotline(['migrate'], { PORT: 'abc', DATABASE_URL: 'mysql://x' });
    assert.equal(badPort.code, 2);
    assert.match(badPort.err, /PORT="abc"/);
    assert.match(badPort.err, /DATABASE_URL/);
    const noRole = hotline(['user', 'add', 'someone'], { HOTLINE_PASSWORD: 'long-enough' });
    assert.equal(noRole.code, 2);
    assert.match(noRole.err, /--role is required/);
    const badOption = hotline(['seed', '--demo', '--bogus']);
    assert.equal(badOption.code, 2);
  });

  test('on PostgreSQL (DATABASE_URL): migrate, seed --demo, user add', async () => {
    const db: TestDb = await createTestDb('postgres', { migrated: false });
    cleanups.push(() => db.destroy());
    const env = { DATABASE_URL: db.url as string };
    const m = hotline(['migrate'], env);
    assert.equal(m.code, 0, m.err);
    assert.match(m.out, /0001_foundation/);
    assert.equal((await db.query('SELECT 1 FROM users')).rowCount, 0, 'no seed without asking');
    const s = hotline(['seed', '--demo'], env);
    assert.equal(s.code, 0, s.err);
    assert.match(s.out, /agent, dispatcher/);
    const add = hotline(
      ['user', 'add', '--role', 'handler', '--unit', 'dept.market', '--password-stdin', 'clerk2'],
      env,
      'a-long-password\n',
    );
    assert.equal(add.code, 0, add.err);
    const row = await db.query<{ role: string; must: boolean }>(
      `SELECT role, must_change_password AS must FROM users WHERE username = 'clerk2'`,
    );
    assert.equal(row.rows[0]?.role, 'handler');
    assert.equal(row.rows[0]?.must, true, 'a password chosen by the operator is changed at the first login');
    assert.match(add.out, /must be changed at the first login/);
    const badUnit = hotline(['user', 'add', '--role', 'handler', '--unit', 'dept.nowhere', 'clerk3'], {
      ...env,
      HOTLINE_PASSWORD: 'long-enough',
    });
    assert.equal(badUnit.code, 1);
    assert.match(badUnit.err, /dept\.nowhere/);
  });

  test('serve with embedded defaults: healthy within 60 s, demo login works, SIGTERM exits cleanly', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hotline-serve-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const port = await freePort();
    const child: ChildProcess = spawn(process.execPath, [BIN, 'serve'], {
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        DATABASE_URL: '',
        SEED_DEMO: 'yes',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
    });
    child.stderr?.on('data', (d) => {
      out += d;
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    cleanups.push(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    const base = `http://127.0.0.1:${port}`;
    const started = Date.now();
    let healthy = false;
    while (Date.now() - started < 60_000 && child.exitCode === null) {
      try {
        if ((await fetch(`${base}/healthz`)).status === 200) {
          healthy = true;
          break;
        }
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(healthy, `healthy within 60 s; output:\n${out}`);
    assert.match(out, /demo logins/);
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'supervisor', password: 'hotline12345' }),
    });
    assert.equal(login.status, 200);
    child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 15_000))]);
    assert.equal(code, 0, `clean exit on SIGTERM; output:\n${out}`);
  });
});
