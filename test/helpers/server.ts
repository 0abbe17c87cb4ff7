/**
 * A complete server on a fresh database of either engine, seeded with the demo
 * organisation, for route tests through `app.inject` (no port needed).
 */
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { type Config, loadConfig } from '../../app/config.js';
import type { ModuleSpec } from '../../app/modules.js';
import { seed } from '../../app/seed.js';
import { buildServer } from '../../app/server.js';
import { createLocalBus, type EventBus } from '../../core/events.js';
import { createTestDb, type Engine, type TestDb } from '../../db/testing.js';
import { DEMO_PASSWORD } from '../../org/index.js';

export interface TestServer {
  app: FastifyInstance;
  db: TestDb;
  bus: EventBus;
  config: Config;
  /** Logs a demo user in and returns the Cookie header value. */
  login(username: string, password?: string): Promise<string>;
  /** `inject` as a logged-in user (or anonymous with `as: null`). */
  request(as: string | null, opts: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function startTestServer(
  engine: Engine,
  options: { env?: NodeJS.ProcessEnv; modules?: ModuleSpec[]; seedDemo?: boolean } = {},
): Promise<TestServer> {
  const db = await createTestDb(engine);
  if (options.seedDemo !== false) await seed(db, { demo: true });
  const bus = createLocalBus();
  const config = loadConfig({ LOG_LEVEL: 'silent', LOGIN_RATE_LIMIT: '1000', ...options.env });
  const app = await buildServer({ config, ctx: { db, bus }, logger: false, modules: options.modules });
  await app.ready();
  const cookies = new Map<string, string>();

  const login = async (username: string, password = DEMO_PASSWORD) => {
    const r = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
    if (r.statusCode !== 200) throw new Error(`login as ${username} failed: ${r.statusCode} ${r.body}`);
    const c = r.cookies.find((x) => x.name === 'hotline_sid');
    if (!c) throw new Error('login set no session cookie');
    return `hotline_sid=${c.value}`;
  };

  return {
    app,
    db,
    bus,
    config,
    login,
    async request(as, opts) {
      let cookie: string | undefined;
      if (as) {
        cookie = cookies.get(as) ?? (await login(as));
        cookies.set(as, cookie);
      }
      return app.inject({ ...opts, headers: { ...(opts.headers ?? {}), ...(cookie ? { cookie } : {}) } });
    },
    async close() {
      await app.close();
      await bus.close();
      await db.destroy();
    },
  };
}
