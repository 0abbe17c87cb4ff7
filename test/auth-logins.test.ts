/**
 * Logins (#14): lockout, the per-address+username limit, the password policy, forced
 * changes, user management, idle timeout, the session cap, Secure cookies, TOTP, the
 * Origin check and the security headers, through the real server on both databases.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { createUser } from '../auth/index.js';
import { base32Decode, base32Encode, hotp, matchTotp, totp } from '../auth/totp.js';
import { ENGINES } from '../db/testing.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const GOOD = 'Kx7#vQ2m-Lp9';

const loginReq = (s: TestServer, username: string, password: string, extra: Record<string, unknown> = {}, headers = {}) =>
  s.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password, ...extra }, headers });
const cookieOf = (r: { cookies: { name: string; value: string }[] }) => {
  const c = r.cookies.find((x) => x.name === 'hotline_sid');
  assert.ok(c, 'a session cookie');
  return `hotline_sid=${c.value}`;
};
const me = (s: TestServer, cookie: string) => s.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } });

describe('TOTP (RFC 6238) and base32', () => {
  // RFC 6238 appendix B: the ASCII seeds "12345678901234567890" repeated to the hash's
  // key length, 8 digits, 30 s steps.
  const seeds = {
    sha1: Buffer.from('12345678901234567890'),
    sha256: Buffer.from('12345678901234567890123456789012'),
    sha512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234'),
  } as const;
  const vectors: [number, string, string, string][] = [
    [59, '94287082', '46119246', '90693936'],
    [1111111109, '07081804', '68084774', '25091201'],
    [1111111111, '14050471', '67062674', '99943326'],
    [1234567890, '89005924', '91819424', '93441116'],
    [2000000000, '69279037', '90698825', '38618901'],
    [20000000000, '65353130', '77737706', '47863826'],
  ];
  test('the published test vectors for SHA-1, SHA-256 and SHA-512', () => {
    for (const [t, sha1, sha256, sha512] of vectors) {
      assert.equal(totp(seeds.sha1, t * 1000, { digits: 8, algorithm: 'sha1' }), sha1, `sha1 T=${t}`);
      assert.equal(totp(seeds.sha256, t * 1000, { digits: 8, algorithm: 'sha256' }), sha256, `sha256 T=${t}`);
      assert.equal(totp(seeds.sha512, t * 1000, { digits: 8, algorithm: 'sha512' }), sha512, `sha512 T=${t}`);
    }
  });
  test('RFC 4226 HOTP vectors and base32 (RFC 4648)', () => {
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
    for (const [i, code] of expected.entries()) assert.equal(hotp(seeds.sha1, BigInt(i)), code);
    assert.equal(base32Encode(Buffer.from('foobar')), 'MZXW6YTBOI');
    assert.equal(base32Decode('mzxw 6ytb oi==').toString(), 'foobar');
    assert.equal(base32Encode(seeds.sha1), 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
  });
  test('a code matches one step either side, not two; a used step is refused', () => {
    const b32 = base32Encode(seeds.sha1);
    const t = 1111111111_000;
    const code = totp(seeds.sha1, t);
    assert.equal(matchTotp(b32, code, t + 30_000), BigInt(Math.floor(t / 30_000)));
    assert.equal(matchTotp(b32, code, t + 61_000), undefined);
    assert.equal(matchTotp(b32, code, t, BigInt(Math.floor(t / 30_000))), undefined);
    assert.equal(matchTotp(b32, '12345', t), undefined);
  });
});

for (const engine of ENGINES) {
  describe(`logins on ${engine}`, () => {
    let s: TestServer;
    let n = 0;
    /** A fresh user for one test, so tests do not share lock or session state. */
    const fresh = async (role = 'agent', extra: Parameters<typeof createUser>[2] = {}) => {
      const username = `u${++n}${role}`;
      const unit = role === 'handler' ? { orgUnitCode: 'dept.urban' } : {};
      await createUser(s.db, { username, password: GOOD, role, ...unit }, extra);
      return username;
    };
    before(async () => {
      s = await startTestServer(engine, { env: { LOGIN_RATE_LIMIT: '1000' } });
    });
    after(() => s.close());

    test('5 wrong passwords lock the account (also against the right one), an admin unlocks it, the next lock is longer', async () => {
      const u = await fresh();
      for (let i = 0; i < 4; i++) assert.equal((await loginReq(s, u, 'wrong-one')).json().code, 'LOGIN_REFUSED');
      const fifth = await loginReq(s, u, 'wrong-one');
      assert.equal(fifth.statusCode, 401);
      assert.equal(fifth.json().code, 'LOGIN_LOCKED');
      assert.equal(fifth.json().params.minutes, 15);
      const right = await loginReq(s, u, GOOD);
      assert.equal(right.statusCode, 401, 'the right password does not open a locked account');
      assert.equal(right.json().code, 'LOGIN_LOCKED');
      assert.ok([14, 15].includes(right.json().params.minutes));
      const list = (await s.request('admin', { method: 'GET', url: '/api/users' })).json() as {
        id: number;
        username: string;
        lockedUntil: string;
      }[];
      const row = list.find((x) => x.username === u);
      assert.ok(row?.lockedUntil, 'the list shows the lock');
      const unlocked = await s.request('admin', { method: 'POST', url: `/api/users/${row.id}/unlock`, payload: {} });
      assert.equal(unlocked.statusCode, 200);
      assert.equal(unlocked.json().lockedUntil, null);
      assert.equal((await loginReq(s, u, GOOD)).statusCode, 200);
      // A right login reset the counts; lock it twice in a row: the second lock doubles.
      for (let i = 0; i < 5; i++) await loginReq(s, u, 'wrong-one');
      await s.db.query('UPDATE users SET locked_until = now() WHERE username = $1', [u]);
      for (let i = 0; i < 4; i++) await loginReq(s, u, 'wrong-one');
      assert.deepEqual((await loginReq(s, u, 'wrong-one')).json().params, { minutes: 30 });
      const agent = await s.request('agent', { method: 'POST', url: `/api/users/${row.id}/unlock`, payload: {} });
      assert.equal(agent.statusCode, 403, 'only an admin unlocks');
    });

    test('an unknown username locks alike, so the message does not tell which names exist', async () => {
      const refusals: { code: string; params?: { minutes: number } }[] = [];
      for (let i = 0; i < 6; i++) refusals.push((await loginReq(s, 'no-such-person', 'wrong-one')).json());
      assert.deepEqual(
        refusals.slice(0, 4).map((r) => r.code),
        Array(4).fill('LOGIN_REFUSED'),
      );
      assert.equal(refusals[4]?.code, 'LOGIN_LOCKED');
      assert.equal(refusals[4]?.params?.minutes, 15);
      assert.ok([14, 15].includes(refusals[5]?.params?.minutes ?? 0));
    });

    test('the password policy on the API: admin needs 10, no single character, 3 classes or 14 long, not the name, not common', async () => {
      const create = (username: string, password: string, role = 'admin') =>
        s.request('admin', { method: 'POST', url: '/api/users', payload: { username, password, role } });
      const cases: [string, string, string][] = [
        ['Ab1#xyz9', 'admin', 'length'],
        ['aaaaaaaaaaaa', 'admin', 'one_character'],
        ['abcdefgh12', 'admin', 'classes'],
        ['Root-chief-9x', 'admin', 'username'],
        ['P@ssw0rd123', 'admin', 'common'],
      ];
      for (const [pw, role, rule] of cases) {
        const r = await create('root-chief', pw, role);
        assert.equal(r.statusCode, 400, `${pw} refused`);
        assert.equal(r.json().code, 'WEAK_PASSWORD');
        assert.equal(r.json().details.rule, rule, pw);
      }
      assert.equal((await create('root-chief', 'eight-characters-plain', 'admin')).statusCode, 201, 'a 14+ passphrase passes');
      assert.equal((await create('short-agent', 'Ab1#xyz9', 'agent')).statusCode, 201, '8 with 3 classes is enough for an agent');
    });

    test('a created user changes the initial password at the first login; nothing else works until then', async () => {
      const created = await s.request('admin', {
        method: 'POST',
        url: '/api/users',
        payload: { username: 'newcomer', password: GOOD, role: 'dispatcher' },
      });
      assert.equal(created.statusCode, 201);
      assert.equal(created.json().mustChangePassword, true);
      const login = await loginReq(s, 'newcomer', GOOD);
      assert.equal(login.statusCode, 200);
      assert.equal(login.json().next, 'change_password');
      const cookie = cookieOf(login);
      const blocked = await me(s, cookie);
      assert.equal(blocked.statusCode, 401);
      assert.equal(blocked.json().code, 'PASSWORD_CHANGE_REQUIRED');
      const pw = (body: object) => s.app.inject({ method: 'POST', url: '/api/auth/password', headers: { cookie }, payload: body });
      assert.equal((await pw({ currentPassword: 'not-it', newPassword: 'Another-9-pass' })).statusCode, 403);
      assert.equal((await pw({ currentPassword: GOOD, newPassword: 'newcomer-2024!' })).json().details.rule, 'username');
      assert.equal((await pw({ currentPassword: GOOD, newPassword: GOOD })).statusCode, 400);
      const changed = await pw({ currentPassword: GOOD, newPassword: 'Another-9-pass' });
      assert.equal(changed.statusCode, 200);
      assert.equal(changed.json().next, null);
      assert.equal(changed.json().user.mustChangePassword, false);
      assert.equal((await me(s, cookie)).statusCode, 200, 'the same session is now a full login');
      assert.equal((await loginReq(s, 'newcomer', 'Another-9-pass')).json().next, null);
    });

    test('demo users are marked demo and are not asked to change the published password', async () => {
      const r = await loginReq(s, 'admin', 'hotline12345');
      assert.equal(r.statusCode, 200);
      assert.equal(r.json().next, null);
      assert.equal(r.json().user.demo, true);
    });

    test('admin reset ends the sessions and forces a change; disable ends them and refuses logins; enable; guards', async () => {
      const u = await fresh('callback');
      const cookie = cookieOf(await loginReq(s, u, GOOD));
      const id = (await me(s, cookie)).json().id as number;
      const weak = await s.request('admin', { method: 'POST', url: `/api/users/${id}/password`, payload: { password: 'short' } });
      assert.equal(weak.statusCode, 400);
      const reset = await s.request('admin', { method: 'POST', url: `/api/users/${id}/password`, payload: { password: 'Temp-Pass-42x' } });
      assert.equal(reset.statusCode, 200);
      assert.equal(reset.json().mustChangePassword, true);
      assert.equal((await me(s, cookie)).statusCode, 401, 'the old session ended');
      assert.equal((await loginReq(s, u, GOOD)).statusCode, 401, 'the old password is gone');
      const again = await loginReq(s, u, 'Temp-Pass-42x');
      assert.equal(again.json().next, 'change_password');

      const live = cookieOf(again);
      const disabled = await s.request('admin', { method: 'POST', url: `/api/users/${id}/disable` });
      assert.equal(disabled.statusCode, 200);
      assert.equal(disabled.json().active, false);
      assert.equal((await me(s, live)).statusCode, 401);
      assert.equal((await loginReq(s, u, 'Temp-Pass-42x')).json().code, 'LOGIN_REFUSED');
      assert.equal((await s.request('admin', { method: 'POST', url: `/api/users/${id}/enable` })).json().active, true);
      assert.equal((await loginReq(s, u, 'Temp-Pass-42x')).statusCode, 200);

      const adminId = (await s.request('admin', { method: 'GET', url: '/api/me' })).json().id as number;
      const self = await s.request('admin', { method: 'POST', url: `/api/users/${adminId}/disable` });
      assert.equal(self.statusCode, 409);
      const sup = await s.request('supervisor', { method: 'POST', url: `/api/users/${id}/disable` });
      assert.equal(sup.statusCode, 403);
    });

    test('a session ends after SESSION_IDLE_MINUTES (30) without a request; requests keep it alive', async () => {
      const u = await fresh();
      const idle = cookieOf(await loginReq(s, u, GOOD));
      const busy = cookieOf(await loginReq(s, u, GOOD));
      const hash = async (c: string) => {
        const { createHash } = await import('node:crypto');
        return createHash('sha256')
          .update(c.split('=')[1] as string)
          .digest('hex');
      };
      await s.db.query("UPDATE sessions SET last_seen_at = now() - interval '31 minutes' WHERE token_hash = $1", [await hash(idle)]);
      await s.db.query("UPDATE sessions SET last_seen_at = now() - interval '29 minutes' WHERE token_hash = $1", [await hash(busy)]);
      assert.equal((await me(s, idle)).statusCode, 401);
      const hb = await s.app.inject({ method: 'GET', url: '/api/auth/heartbeat', headers: { cookie: busy } });
      assert.equal(hb.statusCode, 204);
      const seen = await s.db.query<{ fresh: boolean }>(
        "SELECT last_seen_at > now() - interval '1 minute' AS fresh FROM sessions WHERE token_hash = $1",
        [await hash(busy)],
      );
      assert.equal(seen.rows[0]?.fresh, true, 'the request moved last_seen_at');
    });

    test('at most 5 sessions per user: a sixth login ends the least recently used', async () => {
      const u = await fresh();
      const cookies: string[] = [];
      for (let i = 0; i < 6; i++) {
        cookies.push(cookieOf(await loginReq(s, u, GOOD)));
        await s.db.query(
          "UPDATE sessions SET last_seen_at = now() - make_interval(secs => $1) WHERE token_hash IN (SELECT token_hash FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = $2 AND s.last_seen_at > now() - interval '1 second')",
          [100 - i, u],
        );
      }
      const codes = await Promise.all(cookies.map(async (c) => (await me(s, c)).statusCode));
      assert.deepEqual(codes, [401, 200, 200, 200, 200, 200]);
    });

    test('TOTP: enrol, confirm, then the login needs the code; a code counts once; recovery codes count once', async () => {
      const u = await fresh('supervisor');
      const cookie = cookieOf(await loginReq(s, u, GOOD));
      const post = (url: string, payload: object, c = cookie) => s.app.inject({ method: 'POST', url, headers: { cookie: c }, payload });
      assert.equal((await post('/api/auth/totp/enrol', { password: 'wrong' })).statusCode, 403);
      const enrol = await post('/api/auth/totp/enrol', { password: GOOD });
      assert.equal(enrol.statusCode, 200);
      const { secret, uri } = enrol.json() as { secret: string; uri: string };
      assert.match(uri, new RegExp(`^otpauth://totp/12345%20Hotline:${u}\\?secret=${secret}&issuer=12345\\+Hotline`));
      const key = base32Decode(secret);
      assert.equal(key.length, 20);
      assert.equal((await post('/api/auth/totp/confirm', { code: '000000' })).statusCode, 400);
      const now = Date.now();
      const confirmed = await post('/api/auth/totp/confirm', { code: totp(key, now) });
      assert.equal(confirmed.statusCode, 200);
      assert.equal(confirmed.json().user.twoFactor, true);
      const recovery = confirmed.json().recoveryCodes as string[];
      assert.equal(recovery.length, 10);
      // The secret is sealed at rest: the table alone generates no codes.
      const stored = await s.db.query<{ totp_secret: string }>('SELECT totp_secret FROM users WHERE totp_secret IS NOT NULL');
      assert.ok(stored.rows.length >= 1);
      for (const r of stored.rows) {
        assert.match(r.totp_secret, /^enc1:/);
        assert.ok(!r.totp_secret.includes(secret));
      }

      const noCode = await loginReq(s, u, GOOD);
      assert.equal(noCode.statusCode, 401);
      assert.equal(noCode.json().code, 'TWO_FACTOR_REQUIRED');
      assert.equal(noCode.cookies.length, 0);
      const wrongPwWithCode = await loginReq(s, u, 'wrong', { code: totp(key, now + 30_000) });
      assert.equal(wrongPwWithCode.json().code, 'LOGIN_REFUSED');
      const next = totp(key, now + 30_000);
      const ok = await loginReq(s, u, GOOD, { code: next });
      assert.equal(ok.statusCode, 200);
      assert.equal(ok.json().next, null);
      const replay = await loginReq(s, u, GOOD, { code: next });
      assert.equal(replay.statusCode, 401);
      assert.equal(replay.json().code, 'TWO_FACTOR_INVALID');
      const rc = recovery[0] as string;
      assert.equal((await loginReq(s, u, GOOD, { code: rc.toLowerCase() })).statusCode, 200);
      assert.equal((await loginReq(s, u, GOOD, { code: rc })).statusCode, 401, 'a recovery code works once');
      // Wrong codes count towards the lockout like wrong passwords.
      const before = (await s.db.query<{ f: number }>('SELECT failed_logins AS f FROM users WHERE username = $1', [u])).rows[0]?.f;
      assert.ok(Number(before) >= 1);

      const id = (await me(s, cookieOf(ok))).json().id as number;
      const reset = await s.request('admin', { method: 'POST', url: `/api/users/${id}/two-factor/reset` });
      assert.equal(reset.json().twoFactor, false);
      assert.equal((await loginReq(s, u, GOOD)).statusCode, 200, 'after an admin reset the password alone logs in again');
    });

    test('Origin check: cross-site state changes with the cookie and cross-site logins are refused', async () => {
      const cookie = await s.login('dispatcher');
      const out = (headers: Record<string, string>) =>
        s.app.inject({
          method: 'POST',
          url: '/api/auth/password',
          headers: { cookie, ...headers },
          payload: { currentPassword: 'x', newPassword: 'y' },
        });
      const evil = await out({ origin: 'https://evil.example' });
      assert.equal(evil.statusCode, 403);
      assert.equal(evil.json().code, 'CROSS_ORIGIN');
      assert.equal((await out({ origin: 'null' })).statusCode, 403);
      assert.equal((await out({ referer: 'https://evil.example/page' })).json().code, 'CROSS_ORIGIN');
      // Same origin, or no Origin and no Referer (a script with its own cookie): on to the route (403 wrong password).
      assert.equal((await out({ origin: 'http://localhost:80', host: 'localhost:80' })).json().code, 'WRONG_PASSWORD');
      assert.equal((await out({ origin: 'http://hotline.local:3000', host: 'hotline.local:3000' })).json().code, 'WRONG_PASSWORD');
      assert.equal((await out({})).json().code, 'WRONG_PASSWORD');
      const crossLogin = await loginReq(s, 'agent', 'hotline12345', {}, { origin: 'https://evil.example' });
      assert.equal(crossLogin.statusCode, 403);
      // A GET is not checked (it changes nothing), nor a POST without the cookie to a public route.
      assert.equal(
        (await s.app.inject({ method: 'GET', url: '/api/me', headers: { cookie, origin: 'https://evil.example' } })).statusCode,
        200,
      );
    });

    test('security headers on the API, the desk and /docs', async () => {
      for (const url of ['/api/me', '/', '/docs/static/index.html', '/healthz']) {
        const r = await s.app.inject({ method: 'GET', url });
        assert.equal(r.headers['x-frame-options'], 'DENY', url);
        assert.equal(r.headers['x-content-type-options'], 'nosniff', url);
        const csp = String(r.headers['content-security-policy']);
        assert.match(csp, /default-src 'self'/, url);
        assert.match(csp, /script-src 'self'(;|$)/, url);
        assert.match(csp, /frame-ancestors 'none'/, url);
        assert.doesNotMatch(csp, /upgrade-insecure-requests/, url);
        assert.equal(r.headers['referrer-policy'], 'same-origin', url);
      }
    });
  });
}

describe('login limits and cookies (settings)', () => {
  test('the per-address limit counts per username: one person behind a NAT does not lock out the next', async () => {
    // No demo seed (the slow part): two users of their own.
    const s = await startTestServer('pglite', { env: { LOGIN_RATE_LIMIT: '3' }, seedDemo: false });
    try {
      for (const username of ['agent', 'dispatcher']) await createUser(s.db, { username, password: 'hotline12345', role: username });
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) codes.push((await loginReq(s, 'agent', 'typo-typo')).statusCode);
      assert.deepEqual(codes, [401, 401, 401, 429]);
      assert.equal((await loginReq(s, 'dispatcher', 'hotline12345')).statusCode, 200, 'same address, other user');
      assert.equal((await loginReq(s, 'AGENT', 'hotline12345')).statusCode, 429, 'the username is compared without case');
    } finally {
      await s.close();
    }
  });

  test('Secure cookie: auto = over HTTPS (X-Forwarded-Proto only with TRUST_PROXY); COOKIE_SECURE=true always', async () => {
    const secureOf = async (env: NodeJS.ProcessEnv, headers: Record<string, string>) => {
      const s = await startTestServer('pglite', { env, seedDemo: false });
      try {
        await createUser(s.db, { username: 'agent', password: 'hotline12345', role: 'agent' });
        const r = await loginReq(s, 'agent', 'hotline12345', {}, headers);
        assert.equal(r.statusCode, 200);
        return r.cookies.find((c) => c.name === 'hotline_sid')?.secure === true;
      } finally {
        await s.close();
      }
    };
    const https = { 'x-forwarded-proto': 'https' };
    assert.equal(await secureOf({}, https), false, 'a client cannot claim HTTPS without TRUST_PROXY');
    assert.equal(await secureOf({ TRUST_PROXY: 'true' }, https), true);
    assert.equal(await secureOf({ TRUST_PROXY: '127.0.0.1' }, https), true);
    assert.equal(await secureOf({ COOKIE_SECURE: 'true' }, {}), true);
  });

  test('TWO_FACTOR=required: a supervisor without TOTP must enrol before anything else; demo users too', async () => {
    const s = await startTestServer('pglite', { env: { TWO_FACTOR: 'required' } });
    try {
      const login = await loginReq(s, 'supervisor', 'hotline12345');
      assert.equal(login.json().next, 'enrol_two_factor');
      const cookie = cookieOf(login);
      assert.equal((await me(s, cookie)).json().code, 'TWO_FACTOR_ENROLMENT_REQUIRED');
      const post = (url: string, payload: object) => s.app.inject({ method: 'POST', url, headers: { cookie }, payload });
      const { secret } = (await post('/api/auth/totp/enrol', { password: 'hotline12345' })).json() as { secret: string };
      const done = await post('/api/auth/totp/confirm', { code: totp(base32Decode(secret), Date.now()) });
      assert.equal(done.statusCode, 200);
      assert.equal((await me(s, cookie)).statusCode, 200);
      const off = await s.app.inject({
        method: 'POST',
        url: '/api/auth/totp/disable',
        headers: { cookie },
        payload: { password: 'hotline12345', code: '123456' },
      });
      assert.equal(off.statusCode, 409, 'cannot be turned off where mandatory');
      assert.equal((await loginReq(s, 'agent', 'hotline12345')).json().next, null, 'agents are not asked');
    } finally {
      await s.close();
    }
  });

  test('ALLOWED_ORIGINS admits a named origin; the WebSocket upgrade is checked too', async () => {
    const s = await startTestServer('pglite', { env: { ALLOWED_ORIGINS: 'https://desk.example.gov.cn' } });
    try {
      const cookie = await s.login('agent');
      const post = (origin: string) => s.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie, origin } });
      assert.equal((await post('https://evil.example')).statusCode, 403);
      await s.app.listen({ port: 0, host: '127.0.0.1' });
      const port = (s.app.server.address() as { port: number }).port;
      const open = (origin: string) =>
        new Promise<number>((resolve) => {
          const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/events`, { headers: { cookie, origin } });
          ws.once('open', () => {
            ws.close();
            resolve(101);
          });
          ws.once('unexpected-response', (_req, res) => {
            resolve(res.statusCode ?? 0);
            ws.terminate();
          });
          ws.once('error', () => resolve(-1));
        });
      assert.equal(await open('https://evil.example'), 403, 'cross-site WebSocket hijacking refused');
      assert.equal(await open(`http://127.0.0.1:${port}`), 101);
      assert.equal(await open('https://desk.example.gov.cn'), 101);
      assert.equal((await post('https://desk.example.gov.cn')).statusCode, 204);
    } finally {
      await s.close();
    }
  });
});
