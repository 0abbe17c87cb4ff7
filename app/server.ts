import type { Socket } from 'node:net';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import websocket from '@fastify/websocket';
import { Type } from '@sinclair/typebox';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { authGuard, authSettingsFrom, HELMET_OPTIONS, originCheck } from '../auth/index.js';
import type { ModuleContext, ReadinessCheck } from '../core/index.js';
import { CoreErrors, declaredErrors, ErrorResponse, HotlineError, isHotlineError, maskText } from '../core/index.js';
import { databaseErrorKind } from '../db/index.js';
import type { Config } from './config.js';
import { type ModuleSpec, registerModules } from './modules.js';
import { buildValidator } from './validation.js';

export interface ServerOptions {
  config: Config;
  ctx: Pick<ModuleContext, 'db' | 'bus'>;
  /** Extra readiness checks shown by /readyz (database is always checked). */
  checks?: Record<string, ReadinessCheck>;
  modules?: ModuleSpec[];
  /** Pino options; tests pass `false` to keep output quiet. */
  logger?: boolean | object;
  version?: string;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export const LOG_REDACT = ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]', '*.password', '*.passwordHash'];

/**
 * Request lines are logged with phone and ID numbers masked: a search such as
 * `GET /api/work-orders?q=13800138000` must not leave the caller's number in the logs.
 */
export const LOG_SERIALIZERS = {
  req(req: { method: string; url: string; hostname?: string; ip?: string; socket?: { remotePort?: number } }) {
    return {
      method: req.method,
      url: maskText(safeDecode(req.url)),
      host: req.hostname,
      remoteAddress: req.ip,
      remotePort: req.socket?.remotePort,
    };
  },
};

/** The API's summary and every declared error code, so clients can match on `code`. */
function apiDescription(): string {
  const rows = declaredErrors().map((e) => `| \`${e.code}\` | ${e.status} | ${e.module} | ${e.message.replace(/\|/g, '\\|')} |`);
  return [
    'Intake, dispatch, callback and desk API of the 12345 citizen service hotline.',
    '',
    'Errors answer `{ statusCode, error, code, message, params }`: `code` is stable, `message` is English for developers,',
    '`params` holds the values of its `{placeholders}`. The codes:',
    '',
    '| code | status | module | message |',
    '| --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

function safeDecode(url: string): string {
  try {
    return decodeURIComponent(url);
  } catch {
    return url;
  }
}

export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const { config } = opts;
  const app = Fastify({
    logger: opts.logger ?? { level: config.logLevel, redact: LOG_REDACT, serializers: LOG_SERIALIZERS },
    bodyLimit: config.bodyLimitBytes,
    // Only behind a proxy the site names: otherwise X-Forwarded-* are a client's say-so.
    trustProxy: config.trustProxy,
    return503OnClosing: true,
    // A client that never finishes sending its request (a partial body, a slow trickle)
    // would otherwise hold a socket open for as long as it likes.
    requestTimeout: config.requestTimeoutMs,
    // Node checks those deadlines only every connectionsCheckingInterval (30 s by default).
    http: { headersTimeout: Math.min(config.requestTimeoutMs, 60_000), connectionsCheckingInterval: 1000 },
    forceCloseConnections: 'idle',
    // Typed for @fastify/ajv-compiler's pool signature; ours takes the same external schemas.
    schemaController: { compilersFactory: { buildValidator: buildValidator as never } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const checks: Record<string, ReadinessCheck> = {
    database: async () => {
      await opts.ctx.db.query('SELECT 1');
      return { ok: true, detail: opts.ctx.db.kind };
    },
    ...opts.checks,
  };
  const ctx: ModuleContext = {
    ...opts.ctx,
    log: app.log,
    addReadinessCheck: (name, check) => {
      checks[name] = check;
    },
  };

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const answer = (e: HotlineError) => {
      const body: ErrorResponse = {
        statusCode: e.statusCode,
        error: STATUS_TEXT[e.statusCode] ?? 'Error',
        code: e.code,
        message: e.message,
      };
      if (Object.keys(e.params).length) body.params = e.params as Record<string, unknown>;
      if (e.details !== undefined) body.details = e.details;
      reply.code(e.statusCode).send(body);
    };
    if (err.validation) return answer(CoreErrors.VALIDATION({ reason: err.message }));
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return answer(CoreErrors.BODY_TOO_LARGE({ limit: config.bodyLimitBytes }));
    if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (err.statusCode === 400 && err instanceof SyntaxError)) {
      return answer(CoreErrors.MALFORMED_JSON({ reason: err.message }));
    }
    if (isHotlineError(err)) {
      // A server-side failure keeps its code for the desk and the logs, but not its text or
      // params (file paths, an engine's exception, ASR_URL): those stay in the log.
      if (err.statusCode >= 500) {
        req.log.error({ err }, 'request failed');
        return answer(new HotlineError(err.statusCode, err.code, CoreErrors.INTERNAL().message));
      }
      return answer(err);
    }
    const db = databaseErrorKind(err);
    if (db === 'invalid-value') {
      req.log.warn({ err: { message: err.message, code: err.code } }, 'request value refused by the database');
      return answer(CoreErrors.INVALID_VALUE());
    }
    if (db === 'unavailable') {
      reply.header('retry-after', '5');
      req.log.warn({ err: { message: err.message, code: err.code } }, 'database unavailable');
      return answer(CoreErrors.DATABASE_UNAVAILABLE());
    }
    const status = err.statusCode ?? 500;
    if (status >= 500) {
      req.log.error({ err }, 'request failed');
      // The database's or Node's own codes (22009, ECONNRESET) say nothing to a client.
      return answer(CoreErrors.INTERNAL());
    }
    // Fastify's own 4xx refusals (unsupported media type, bad content length...): its code and text.
    answer(new HotlineError(status, err.code ?? 'ERROR', err.message));
  });

  app.setNotFoundHandler((req, reply) => {
    const e = CoreErrors.ROUTE_NOT_FOUND({ method: req.method, path: req.url.split('?')[0] });
    reply.code(404).send({ statusCode: 404, error: 'Not Found', code: e.code, message: e.message, params: e.params });
  });

  await app.register(cookie);
  await app.register(helmet, HELMET_OPTIONS);
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, context) => {
      const e = CoreErrors.RATE_LIMITED({ seconds: Math.ceil(context.ttl / 1000) });
      return { statusCode: 429, error: 'Too Many Requests', code: e.code, message: e.message, params: e.params };
    },
  });
  await app.register(swagger, {
    openapi: {
      info: {
        title: '12345 Hotline API',
        version: opts.version ?? '0.0.0',
        description: apiDescription(),
      },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'hotline_sid' } } },
      security: [{ session: [] }],
    },
    refResolver: { buildLocalReference: (json, _base, _frag, i) => (json.$id as string) || `def-${i}` },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(websocket, { options: { maxPayload: 1 << 20 } });
  // After the websocket plugin's own onRequest hook: a refused upgrade's socket is then closed.
  app.addHook('onRequest', originCheck({ allowedOrigins: config.allowedOrigins }));
  app.addSchema(ErrorResponse);

  app.get(
    '/healthz',
    {
      config: { public: true },
      schema: {
        tags: ['operations'],
        summary: 'Liveness: the process serves HTTP',
        security: [],
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  const componentsSchema = (detail: boolean) =>
    Type.Record(
      Type.String(),
      detail ? Type.Object({ ok: Type.Boolean(), detail: Type.Optional(Type.String()) }) : Type.Object({ ok: Type.Boolean() }),
    );
  const readinessSchema = (detail: boolean) =>
    Type.Object({ status: Type.Union([Type.Literal('ready'), Type.Literal('not ready')]), components: componentsSchema(detail) });
  const readiness = async () => {
    const components: Record<string, { ok: boolean; detail?: string }> = {};
    for (const [name, check] of Object.entries(checks)) {
      try {
        components[name] = await check();
      } catch (err) {
        components[name] = { ok: false, detail: err instanceof Error ? err.message : String(err) };
      }
    }
    // Only the database decides readiness: the desk works without ASR or Redis.
    const ready = components.database?.ok === true;
    return { ready, body: { status: ready ? ('ready' as const) : ('not ready' as const), components } };
  };

  app.get(
    '/readyz',
    {
      config: { public: true },
      schema: {
        tags: ['operations'],
        summary: 'Readiness: the database answers; ok or not per component (details on /readyz/details for supervisors)',
        security: [],
        response: { '2xx': readinessSchema(false) },
      },
    },
    async (_req, reply) => {
      // Details name engines, versions, paths and error texts: not for anyone on the network.
      const { ready, body } = await readiness();
      reply.code(ready ? 200 : 503);
      const components = Object.fromEntries(Object.entries(body.components).map(([k, v]) => [k, { ok: v.ok }]));
      return { status: body.status, components };
    },
  );

  // Behind the role guard, like the module routes (registered in their context below).
  const readinessDetails = (api: FastifyInstance) =>
    api.get(
      '/readyz/details',
      {
        config: { roles: ['supervisor'] },
        schema: {
          tags: ['operations'],
          summary: 'Readiness with every component’s detail (ASR engine, queues, SIP, deadline check): supervisors and admins',
          response: { '2xx': readinessSchema(true), 401: Type.Ref('ErrorResponse'), 403: Type.Ref('ErrorResponse') },
        },
      },
      async (_req, reply) => {
        const { ready, body } = await readiness();
        reply.code(ready ? 200 : 503);
        return body;
      },
    );

  // Every module route lives inside this context, behind the role guard.
  await app.register(async (api) => {
    api.addHook('onRequest', authGuard(ctx.db, { idleMinutes: authSettingsFrom(config.values).idleMinutes }));
    // Fail at start, not at the first request, when a route forgets to say who may call it.
    api.addHook('onRoute', (route) => {
      const c = route.config as { roles?: unknown; public?: boolean } | undefined;
      if (!c?.public && !c?.roles) {
        throw new Error(`Route ${route.method} ${route.url} declares no roles: add config.roles (or config.public).`);
      }
    });
    readinessDetails(api);
    await registerModules(api, ctx, config, opts.modules);
  });

  limitConnectionsPerSource(app, config.maxConnectionsPerSource);
  return app;
}

/**
 * One address may hold at most `max` connections at once (0 = no limit): a client that
 * opens sockets and never sends (a slowloris) runs out of its own share, not everyone's.
 * Behind a proxy every connection comes from the proxy, whose own limits then apply.
 */
function limitConnectionsPerSource(app: FastifyInstance, max: number): void {
  if (max <= 0) return;
  const open = new Map<string, number>();
  app.server.on('connection', (socket: Socket) => {
    const from = socket.remoteAddress ?? '?';
    const n = (open.get(from) ?? 0) + 1;
    if (n > max) {
      socket.destroy();
      return;
    }
    open.set(from, n);
    socket.once('close', () => {
      const left = (open.get(from) ?? 1) - 1;
      if (left <= 0) open.delete(from);
      else open.set(from, left);
    });
  });
}
