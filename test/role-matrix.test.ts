/**
 * The role probe of issue #14 kept as a test: every route of the running server, taken
 * from its own route table (and checked against the OpenAPI document), is called by every
 * role and anonymously. Protected routes answer 401 to anonymous callers, 403 (from the role
 * guard) exactly to the roles their `config.roles` leaves out, and neither to the roles it
 * lets in (those may get 400 or 404 for an empty body or an unknown id). Public routes never
 * ask for a session. A route added without the right declaration, or a guard that lets a
 * role through, fails here.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { InjectOptions } from 'fastify';
import { MODULES, type ModuleSpec } from '../app/modules.js';
import { ASR_WS_ROLES } from '../asr/index.js';
import { CoreErrors, ROLES, type Role } from '../core/index.js';
import { startTestServer, type TestServer } from './helpers/server.js';

type Access = 'public' | 'any' | readonly Role[];
interface Route {
  method: string;
  url: string;
  access: Access;
}

const routes: Route[] = [];
// Registered first among the modules, so it sees every module route as it is added.
const spy: ModuleSpec = {
  name: 'route-spy',
  register: async (app) => {
    app.addHook('onRoute', (r) => {
      const c = (r.config ?? {}) as { roles?: 'any' | readonly Role[]; public?: boolean };
      for (const method of ([] as string[]).concat(r.method)) {
        const access = TOKEN_OR_ROLES[`${method} ${r.url}`] ?? (c.public ? 'public' : (c.roles ?? []));
        routes.push({ method, url: r.url, access });
      }
    });
  },
};
/**
 * Public to the session guard so that a machine token can stand in for a login, and guarded
 * with these roles when no token comes: tested as the protected routes they are to people.
 */
const TOKEN_OR_ROLES: Record<string, readonly Role[]> = { 'GET /asr/ws': ASR_WS_ROLES };
/** The routes of app/server.ts itself, outside the modules (the spy cannot see them). */
const SERVER_ROUTES: Route[] = [
  { method: 'GET', url: '/healthz', access: 'public' },
  { method: 'GET', url: '/readyz', access: 'public' },
  { method: 'GET', url: '/readyz/details', access: ['supervisor'] },
];

const CALLERS = [...ROLES, null] as const;

let s: TestServer;
const cookies = new Map<Role, string>();

before(async () => {
  s = await startTestServer('pglite', {
    modules: [spy, ...MODULES],
    env: {
      SIP_ENABLED: 'false',
      ASR_ENGINE: 'none',
      DISPATCH_DEADLINE_CHECK_SECONDS: '0',
      METRICS_REFRESH_MS: '0',
      CALLBACK_POLL_MS: '100000',
    },
  });
  for (const role of ROLES) cookies.set(role, await s.login(role));
});
after(async () => {
  await s?.close();
});

/** A concrete URL for a route pattern: ids that do not exist, a year, a code. */
function concrete(url: string): string {
  return url
    .replace(/:year\b/g, '2026')
    .replace(/:([A-Za-z_]*[iI]d)\b/g, '999999')
    .replace(/:([A-Za-z_]+)/g, 'x');
}

function request(route: Route, role: Role | null): Promise<{ statusCode: number; message: string; code: string }> {
  const opts: InjectOptions = { method: route.method as InjectOptions['method'], url: concrete(route.url) };
  if (!['GET', 'HEAD', 'DELETE'].includes(route.method)) opts.payload = {};
  if (role) opts.headers = { cookie: cookies.get(role) as string };
  return s.app.inject(opts).then((r) => {
    let message = '';
    let code = '';
    try {
      message = String(r.json()?.message ?? '');
      code = String(r.json()?.code ?? '');
    } catch {}
    return { statusCode: r.statusCode, message, code };
  });
}

const allows = (access: Access, role: Role) => access === 'any' || role === 'admin' || (access as readonly Role[]).includes(role);

test('every documented operation is in the route table with its declared roles', async () => {
  const doc = (await s.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, unknown>> };
  const known = new Set([...routes, ...SERVER_ROUTES].map((r) => `${r.method} ${r.url}`));
  const missing: string[] = [];
  let operations = 0;
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const method of Object.keys(ops)) {
      operations++;
      const key = `${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`;
      if (!known.has(key)) missing.push(key);
    }
  }
  assert.deepEqual(missing, [], 'documented operations the matrix would not reach');
  assert.ok(operations >= 70, `only ${operations} operations documented`);
});

test('role × route: 401 anonymous, 403 exactly for the roles left out, neither for the roles let in', async () => {
  // HEAD mirrors GET; wildcards are the desk's and Open311's catch-alls (public, no data).
  const all = [...SERVER_ROUTES, ...routes].filter((r) => r.method !== 'HEAD' && !r.url.includes('*'));
  // Logging out ends the session the other rows use: last.
  all.sort((a, b) => Number(a.url === '/api/auth/logout') - Number(b.url === '/api/auth/logout'));
  assert.ok(all.length >= 70, `only ${all.length} routes`);
  const wrong: string[] = [];
  const tally = { public: 0, protected: 0, refused: 0, allowed: 0 };
  for (const route of all) {
    const results = await Promise.all(CALLERS.map(async (role) => [role, await request(route, role)] as const));
    for (const [role, r] of results) {
      const who = role ?? 'anonymous';
      const at = `${route.method} ${route.url} as ${who}: ${r.statusCode} ${r.message}`;
      if (route.access === 'public') {
        // Public routes may have their own key (Open311, ingress, /metrics), never the session's.
        if (r.statusCode === 401 && r.code === CoreErrors.UNAUTHORIZED.code) wrong.push(`${at} (public route asked for a session)`);
        if (r.statusCode === 403 && r.code === CoreErrors.ROLE_REFUSED.code) wrong.push(`${at} (public route checked the role)`);
        continue;
      }
      if (role === null) {
        if (r.statusCode !== 401) wrong.push(`${at} (expected 401)`);
      } else if (allows(route.access, role)) {
        if (r.statusCode === 401 || r.statusCode === 403) wrong.push(`${at} (role is allowed)`);
        else tally.allowed++;
      } else if (r.statusCode !== 403 || r.code !== CoreErrors.ROLE_REFUSED.code) {
        wrong.push(`${at} (expected the guard's 403)`);
      } else {
        tally.refused++;
      }
    }
    tally[route.access === 'public' ? 'public' : 'protected']++;
  }
  assert.deepEqual(wrong, [], `${wrong.length} wrong answers`);
  assert.ok(tally.refused > 100 && tally.allowed > 100, JSON.stringify(tally));
});
