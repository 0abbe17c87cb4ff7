import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { loadConfig } from '../app/config.js';
import { buildServer, LOG_REDACT, LOG_SERIALIZERS } from '../app/server.js';
import { createLocalBus } from '../core/events.js';
import { createTestDb } from '../db/testing.js';

test('request logs mask phone and ID numbers in the URL and carry no cookies', async () => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const db = await createTestDb('pglite');
  const bus = createLocalBus();
  const app = await buildServer({
    config: loadConfig({}),
    ctx: { db, bus },
    logger: { level: 'info', redact: LOG_REDACT, serializers: LOG_SERIALIZERS, stream } as never,
  });
  try {
    await app.ready();
    const r = await app.inject({
      method: 'GET',
      url: `/api/work-orders?q=${encodeURIComponent('13800138000 110101199003071234')}`,
      headers: { cookie: 'hotline_sid=secret-session' },
    });
    assert.equal(r.statusCode, 401);
    const log = lines.join('');
    assert.match(log, /138\*\*\*\*8000/);
    assert.match(log, /110101\*{8}1234/);
    assert.doesNotMatch(log, /13800138000|110101199003071234|secret-session/);
  } finally {
    await app.close();
    await bus.close();
    await db.destroy();
  }
});
