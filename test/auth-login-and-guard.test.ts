import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ENGINES } from '../db/testing.js';
import { startTestServer, type TestServer } from './helpers/server.js';

for (const engine of ENGINES) {
  describe(`auth and HTTP errors on ${engine}`, () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer(engine);
    });
    after(() => s.close());

    test('login sets an httpOnly SameSite cookie; /api/me answers; logout ends the session', async () => {
      const r = await s.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'agent', password: 'hotline12345' } });
      assert.equal(r.statusCode, 200);
      assert.equal(r.json().user.role, 'agent');
      assert.equal(r.json().user.passwordHash, undefined);
      const c = r.cookies.find((x) => x.name === 'hotline_sid');
      assert.ok(c);
      assert.equal(c.httpOnly, true);
      assert.equal(c.sameSite, 'Strict');
      const cookie = `hotline_sid=${c.value}`;
      const me = await s.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } });
      assert.equal(me.statusCode, 200);
      assert.equal(me.json().username, 'agent');
      const out = await s.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie } });
      assert.equal(out.statusCode, 204);
      const after = await s.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } });
      assert.equal(after.statusCode, 401);
    });

    test('wrong password and unknown user are refused alike', async () => {
      for (const payload of [
        { username: 'agent', password: 'wrong-password' },
        { username: 'nobody', password: 'hotline12345' },
      ]) {
        const r = await s.app.inject({ method: 'POST', url: '/api/auth/login', payload });
        assert.equal(r.statusCode, 401);
        assert.equal(r.json().code, 'LOGIN_REFUSED');
      }
    });

    test('protected route: 401 without a session, 403 for the wrong role, 200 for the right one and for admin', async () => {
      assert.equal((await s.request(null, { method: 'GET', url: '/api/users' })).statusCode, 401);
      const denied = await s.request('agent', { method: 'GET', url: '/api/users' });
      assert.equal(denied.statusCode, 403);
      assert.equal(denied.json().code, 'ROLE_REFUSED');
      assert.match(denied.json().params.allowed, /supervisor/);
      assert.equal((await s.request('supervisor', { method: 'GET', url: '/api/users' })).statusCode, 200);
      assert.equal((await s.request('admin', { method: 'GET', url: '/api/users' })).statusCode, 200);
    });

    test('bad bodies get 400 naming the field; malformed JSON 400; oversized 413; unknown route 404', async () => {
      const missing = await s.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'agent' } });
      assert.equal(missing.statusCode, 400);
      assert.equal(missing.json().code, 'VALIDATION');
      assert.match(missing.json().params.reason, /password/);
      const wrongType = await s.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 42, password: 'x' } });
      assert.equal(wrongType.statusCode, 400);
      assert.equal(wrongType.json().code, 'VALIDATION');
      assert.match(wrongType.json().params.reason, /username/);
      const malformed = await s.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { 'content-type': 'application/json' },
        payload: '{"username": "agent", ',
      });
      assert.equal(malformed.statusCode, 400);
      assert.equal(malformed.json().code, 'MALFORMED_JSON');
      const big = await s.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ username: 'agent', password: 'x'.repeat(2 * 1024 * 1024) }),
      });
      assert.equal(big.statusCode, 413);
      const created = await s.request('admin', {
        method: 'POST',
        url: '/api/users',
        payload: { username: 'x', password: 'short', role: 'agent' },
      });
      assert.equal(created.statusCode, 400);
      assert.equal(created.json().code, 'VALIDATION');
      assert.match(created.json().params.reason, /username|password/);
      const badRole = await s.request('admin', {
        method: 'POST',
        url: '/api/users',
        payload: { username: 'newbie', password: 'long-enough', role: 'boss' },
      });
      assert.equal(badRole.statusCode, 400);
      assert.equal(badRole.json().code, 'VALIDATION');
      assert.match(badRole.json().params.reason, /role/);
      const nf = await s.app.inject({ method: 'GET', url: '/api/no-such-thing' });
      assert.equal(nf.statusCode, 404);
      assert.equal(nf.json().code, 'ROUTE_NOT_FOUND');
    });

    test('admin creates users; a handler needs a unit; duplicates conflict; the new user can log in', async () => {
      const noUnit = await s.request('admin', {
        method: 'POST',
        url: '/api/users',
        payload: { username: 'clerk1', password: 'clerk-password', role: 'handler' },
      });
      assert.equal(noUnit.statusCode, 400);
      assert.equal(noUnit.json().code, 'HANDLER_NEEDS_UNIT');
      const ok = await s.request('admin', {
        method: 'POST',
        url: '/api/users',
        payload: {
          username: 'clerk1',
          password: 'clerk-password',
          role: 'handler',
          orgUnitCode: 'dept.market',
          displayName: '市场监管 赵敏',
        },
      });
      assert.equal(ok.statusCode, 201);
      assert.equal(ok.json().role, 'handler');
      const dup = await s.request('admin', {
        method: 'POST',
        url: '/api/users',
        payload: { username: 'CLERK1', password: 'clerk-password', role: 'agent' },
      });
      assert.equal(dup.statusCode, 409);
      assert.equal(dup.json().code, 'USER_EXISTS');
      assert.ok(await s.login('clerk1', 'clerk-password'));
    });

    test('health, readiness and the OpenAPI document are public', async () => {
      assert.equal((await s.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
      const ready = await s.app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(ready.statusCode, 200);
      assert.equal(ready.json().components.database.ok, true);
      const doc = await s.app.inject({ method: 'GET', url: '/docs/json' });
      assert.equal(doc.statusCode, 200);
      assert.ok(doc.json().paths['/api/auth/login']);
    });
  });
}

describe('login rate limit', () => {
  test('too many attempts from one address get 429 with a message', async () => {
    const s = await startTestServer('postgres', { env: { LOGIN_RATE_LIMIT: '3' }, seedDemo: false });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await s.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'agent', password: 'nope' } });
        codes.push(r.statusCode);
        if (r.statusCode === 429) assert.equal(r.json().code, 'RATE_LIMITED');
      }
      assert.deepEqual(codes, [401, 401, 401, 429, 429]);
    } finally {
      await s.close();
    }
  });
});
