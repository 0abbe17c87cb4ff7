/**
 * Bad input gets a 4xx that says what to fix, and a database outage a 503 with a retry
 * hint, never a 500 with the database's internal codes. Each case here answered 500
 * before (found by the fuzzing probe of issue #14).
 */
import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Type } from '@sinclair/typebox';
import { loadConfig } from '../app/config.js';
import { seed } from '../app/seed.js';
import { buildServer } from '../app/server.js';
import { buildValidator, hardenSchema, isStorableDate, isStorableDateTime } from '../app/validation.js';
import { CoreErrors, createLocalBus, declaredErrors } from '../core/index.js';
import { databaseErrorKind, openDb } from '../db/index.js';
import { createTestDb, ENGINES } from '../db/testing.js';
import { startTestServer, type TestServer } from './helpers/server.js';

test('request schemas: integers stay exact, strings hold no NUL, undeclared fields are dropped', () => {
  const validate = buildValidator({})({
    schema: Type.Object({ id: Type.Integer({ minimum: 1 }), name: Type.String(), tags: Type.Optional(Type.Array(Type.String())) }),
    httpPart: 'body',
  });
  const body: Record<string, unknown> = { id: 3, name: '张三', role: 'admin', tags: ['a'] };
  assert.equal(validate(body), true);
  assert.deepEqual(body, { id: 3, name: '张三', tags: ['a'] }, 'the undeclared field "role" never reaches the handler');
  assert.equal(validate({ id: 2 ** 63, name: 'x' }), false, 'an id beyond bigint');
  assert.equal(validate({ id: 1, name: 'a\u0000b' }), false, 'NUL in a string');
  assert.match(JSON.stringify(validate.errors), /NUL/);
  assert.equal(validate({ id: 1, name: 'x', tags: ['\u0000'] }), false, 'NUL inside an array');
  // Explicitly open objects and records keep their fields; value keywords are not rewritten.
  const open = hardenSchema(Type.Object({ a: Type.String() }, { additionalProperties: true })) as Record<string, unknown>;
  assert.equal(open.additionalProperties, true);
  const literal = hardenSchema(Type.Object({ k: Type.Literal('string') })) as { properties: { k: Record<string, unknown> } };
  assert.equal(literal.properties.k.const, 'string');
  const record = hardenSchema(Type.Record(Type.String(), Type.Integer())) as Record<string, unknown>;
  assert.notEqual(record.additionalProperties, false);
});

test('dates: only what PostgreSQL stores passes the date and date-time formats', () => {
  for (const ok of ['2026-12-01', '2024-02-29', '0001-01-01', '9999-12-31']) assert.ok(isStorableDate(ok), ok);
  for (const bad of ['0000-01-01', '2026-02-29', '2026-13-01', '+275760-09-13', '2026-1-1']) assert.ok(!isStorableDate(bad), bad);
  for (const ok of ['2026-12-01T08:30:00Z', '2026-12-01T08:30:00.123+08:00', '2016-12-31T23:59:60Z']) assert.ok(isStorableDateTime(ok), ok);
  for (const bad of [
    '0000-01-01T00:00:00Z',
    '+275760-09-13T00:00:00.000Z',
    '2026-12-01T24:00:00Z',
    '2026-12-01T08:30:00+25:00',
    '2026-12-01',
  ])
    assert.ok(!isStorableDateTime(bad), bad);
});

for (const engine of ENGINES) {
  test(`${engine}: a value the database cannot store is told apart from an outage`, async () => {
    const db = await createTestDb(engine, { migrated: false });
    try {
      const kind = async (sql: string, params: unknown[]) => {
        try {
          await db.query(sql, params);
          return 'stored';
        } catch (err) {
          return databaseErrorKind(err);
        }
      };
      assert.equal(await kind('SELECT $1::text AS t', ['a\u0000b']), 'invalid-value');
      assert.equal(await kind('SELECT $1::bigint AS n', ['99999999999999999999']), 'invalid-value');
      assert.equal(await kind('SELECT $1::timestamptz AS t', ['0000-01-01T00:00:00Z']), 'invalid-value');
      assert.equal(await kind('SELECT * FROM no_such_table', []), null, 'a bug stays a bug (500)');
    } finally {
      await db.destroy();
    }
  });

  describe(`${engine}: routes answer 4xx to input that used to give 500`, () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer(engine);
    });
    after(async () => s?.close());

    test('NUL in a text field, before login and after', async () => {
      const login = await s.request(null, { method: 'POST', url: '/api/auth/login', payload: { username: 'agent\u0000', password: 'x' } });
      assert.equal(login.statusCode, 400, login.body);
      assert.match(login.json().message, /NUL/);
      const search = await s.request('dispatcher', { method: 'GET', url: `/api/work-orders?q=${encodeURIComponent('噪音\u0000')}` });
      assert.equal(search.statusCode, 400, search.body);
    });

    test('ids and offsets beyond bigint', async () => {
      for (const url of [
        '/api/work-orders/99999999999999999999',
        '/api/work-orders/9223372036854775808/history',
        '/api/work-orders?page=1e30',
      ]) {
        const r = await s.request('dispatcher', { method: 'GET', url });
        assert.equal(r.statusCode, 400, `${url}: ${r.body}`);
      }
    });

    test('dates JavaScript parses but PostgreSQL refuses', async () => {
      for (const from of ['0000-01-01', '+275760-09-13T00:00:00.000Z', 'not a date']) {
        const r = await s.request('dispatcher', { method: 'GET', url: `/api/work-orders?from=${encodeURIComponent(from)}` });
        assert.ok(r.statusCode === 400, `from=${from}: ${r.statusCode} ${r.body}`);
        assert.doesNotMatch(r.body, /22008|22007|SQLSTATE/);
      }
    });
  });
}

/** A TCP relay in front of PostgreSQL that the test can cut, as a network outage would. */
async function relay(target: number): Promise<{ port: number; cut(): Promise<void>; restore(): Promise<void> }> {
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  let port = 0;
  const open = () =>
    new Promise<void>((resolve) => {
      const srv = createServer((c) => {
        const u = connect(target, '127.0.0.1');
        for (const x of [c, u]) {
          sockets.add(x);
          x.on('close', () => sockets.delete(x));
          x.on('error', () => x.destroy());
        }
        c.pipe(u).pipe(c);
      });
      server = srv;
      srv.listen(port, '127.0.0.1', () => {
        port = (srv.address() as { port: number }).port;
        resolve();
      });
    });
  await open();
  return {
    port,
    async cut() {
      for (const x of sockets) x.destroy();
      await new Promise((r) => server?.close(r));
    },
    restore: open,
  };
}

test('postgres: a database outage answers 503 with a retry hint and no internal codes, and the server recovers', async () => {
  const base = await createTestDb('postgres');
  const url = new URL(base.url as string);
  const r = await relay(Number(url.port || 5432));
  url.port = String(r.port);
  const db = await openDb({ url: url.toString(), poolSize: 2 });
  const bus = createLocalBus();
  const app = await buildServer({ config: loadConfig({ LOG_LEVEL: 'silent' }), ctx: { db, bus }, logger: false });
  try {
    await seed(db, { demo: true });
    await app.ready();
    const ok = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'agent', password: 'wrong-password' } });
    assert.equal(ok.statusCode, 401);
    await r.cut();
    const down = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'agent', password: 'wrong-password' } });
    assert.equal(down.statusCode, 503, down.body);
    assert.equal(down.json().code, 'DATABASE_UNAVAILABLE');
    assert.ok(Number(down.headers['retry-after']) > 0, 'Retry-After');
    assert.doesNotMatch(down.body, /ECONN|127\.0\.0\.1|terminated|SQLSTATE/);
    await r.restore();
    const back = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'agent', password: 'wrong-password' } });
    assert.equal(back.statusCode, 401, `after the database is back: ${back.body}`);
  } finally {
    await app.close();
    await bus.close();
    await db.close().catch(() => {});
    await r.cut().catch(() => {});
    await base.destroy();
  }
});

test('a client that never finishes its request body is disconnected after HTTP_REQUEST_TIMEOUT_SECONDS', async () => {
  const db = await createTestDb('pglite');
  const bus = createLocalBus();
  const app = await buildServer({
    config: loadConfig({ LOG_LEVEL: 'silent', HTTP_REQUEST_TIMEOUT_SECONDS: '1' }),
    ctx: { db, bus },
    logger: false,
  });
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    const started = Date.now();
    const closedAfter = await new Promise<number>((resolve, reject) => {
      const c = connect(port, '127.0.0.1', () => {
        c.write('POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"user');
      });
      c.on('data', () => {});
      c.on('error', () => {});
      c.on('close', () => resolve(Date.now() - started));
      setTimeout(() => {
        c.destroy();
        reject(new Error('the half-sent request was still open after 10 s'));
      }, 10_000).unref();
    });
    assert.ok(closedAfter >= 900 && closedAfter < 5000, `closed after ${closedAfter} ms`);
  } finally {
    await app.close();
    await bus.close();
    await db.destroy();
  }
});

test('one address holds at most HTTP_MAX_CONNECTIONS_PER_SOURCE connections; others still get in', async () => {
  const db = await createTestDb('pglite');
  const bus = createLocalBus();
  const app = await buildServer({
    config: loadConfig({ LOG_LEVEL: 'silent', HTTP_MAX_CONNECTIONS_PER_SOURCE: '3' }),
    ctx: { db, bus },
    logger: false,
  });
  const sockets: Socket[] = [];
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    // Open sockets that never send, and see which the server closes.
    const closed = await Promise.all(
      Array.from(
        { length: 5 },
        () =>
          new Promise<boolean>((resolve) => {
            const c = connect(port, '127.0.0.1');
            sockets.push(c);
            c.on('error', () => {});
            c.on('close', () => resolve(true));
            setTimeout(() => resolve(false), 1500).unref();
          }),
      ),
    );
    assert.equal(closed.filter(Boolean).length, 2, `closed: ${closed}`);
    for (const c of sockets) c.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const r = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(r.status, 200, 'after the idle sockets are gone the address is served again');
  } finally {
    for (const c of sockets) c.destroy();
    await app.close();
    await bus.close();
    await db.destroy();
  }
});

test('errors answer with a declared code and its params; /docs lists every declared code', async () => {
  const s = await startTestServer('pglite');
  try {
    const missing = await s.request('dispatcher', { method: 'GET', url: '/api/no-such-route' });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().code, CoreErrors.ROUTE_NOT_FOUND.code);
    assert.deepEqual(missing.json().params, { method: 'GET', path: '/api/no-such-route' });
    const doc = (await s.app.inject({ method: 'GET', url: '/docs/json' })).json() as { info: { description: string } };
    const codes = declaredErrors().map((e) => e.code);
    assert.ok(codes.length > 50, `the modules declare their errors (${codes.length} codes)`);
    for (const code of codes) assert.ok(doc.info.description.includes(`\`${code}\``), `/docs lists ${code}`);
  } finally {
    await s.close();
  }
});
