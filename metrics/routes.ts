import { BlockList, isIP } from 'node:net';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { ModuleContext } from '../core/index.js';
import { protectedErrors, secretMatches } from '../core/index.js';
import { trackAgents } from './agents.js';
import { MetricsErrors } from './errors.js';
import { reportCsv, reportXlsx } from './export.js';
import { startLiveWallboard } from './live.js';
import { wallboardExporter } from './prometheus.js';
import { report } from './report.js';
import { PeriodQuery, ReportSchema, WallboardSchema } from './schemas.js';
import { wallboard } from './wallboard.js';

export interface MetricsOptions {
  ctx: ModuleContext;
  timezone: string;
  /** Fingerprint poll of the live wallboard, ms; 0 = only bus events trigger it. */
  refreshMs: number;
  /** When set, GET /metrics answers `Authorization: Bearer <token>` from any address. */
  token?: string;
  /**
   * Addresses and CIDR ranges that may scrape GET /metrics without the token (METRICS_ALLOW,
   * comma-separated; `none` = only with the token). Default: this host only.
   */
  allow?: string;
}

export const DEFAULT_METRICS_ALLOW = '127.0.0.1,::1';

/** The scrapers' addresses as a BlockList; a bad entry fails the start with its value. */
export function parseAllowList(value: string): BlockList {
  const list = new BlockList();
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length === 1 && entries[0] === 'none') return list;
  for (const entry of entries) {
    const [addr = '', bits, extra] = entry.split('/');
    const family = isIP(addr);
    const prefix = bits === undefined ? undefined : Number(bits);
    const max = family === 6 ? 128 : 32;
    if (!family || extra !== undefined || (prefix !== undefined && !(Number.isInteger(prefix) && prefix >= 0 && prefix <= max))) {
      throw MetricsErrors.METRICS_ALLOW_INVALID({ entry });
    }
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, prefix, type);
  }
  return list;
}

function allowed(list: BlockList, ip: string): boolean {
  // An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d.
  const v4 = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  const family = isIP(v4);
  return family !== 0 && list.check(v4, family === 6 ? 'ipv6' : 'ipv4');
}

const SUPERVISORS = ['supervisor'] as const;

export const metricsRoutes: FastifyPluginAsyncTypebox<MetricsOptions> = async (app, opts) => {
  const { db, bus, log } = opts.ctx;
  const tz = opts.timezone;
  const scrapers = parseAllowList(opts.allow ?? DEFAULT_METRICS_ALLOW);
  try {
    await db.query('SELECT now() AT TIME ZONE $1', [tz]);
  } catch {
    throw MetricsErrors.METRICS_TIMEZONE_UNKNOWN({ timezone: tz });
  }
  const exporter = wallboardExporter();
  const agents = trackAgents(bus);
  await agents.load(db).catch((err) => log.warn({ err }, 'wallboard: could not read the stored agent states'));
  const compute = () => wallboard(db, tz, agents.known() ? agents.counts() : null);
  const stopLive = startLiveWallboard({
    db,
    bus,
    compute,
    pollMs: opts.refreshMs,
    onError: (err) => log.warn({ err }, 'live wallboard: could not compute the figures'),
  });
  app.addHook('onClose', async () => {
    stopLive();
    agents.stop();
  });

  app.addSchema(WallboardSchema);
  app.addSchema(ReportSchema);

  app.get(
    '/api/metrics/wallboard',
    {
      config: { roles: SUPERVISORS },
      schema: {
        tags: ['metrics'],
        summary: "Today's wallboard: queue, agents by state, calls, work orders and rates, by hour, category, department and day",
        response: { 200: Type.Ref('Wallboard'), ...protectedErrors },
      },
    },
    async () => compute(),
  );

  app.get(
    '/api/metrics/report',
    {
      config: { roles: SUPERVISORS },
      schema: {
        tags: ['metrics'],
        summary: 'Figures for a period of calendar days (inclusive), by day, category and department',
        querystring: PeriodQuery,
        response: { 200: Type.Ref('MetricsReport'), ...protectedErrors },
      },
    },
    async (req) => report(db, req.query.from, req.query.to, tz),
  );

  app.get(
    '/api/metrics/report.csv',
    {
      config: { roles: SUPERVISORS },
      schema: {
        tags: ['metrics'],
        summary: 'The period report as CSV (UTF-8 with BOM)',
        querystring: PeriodQuery,
        produces: ['text/csv'],
        response: { 200: Type.String({ description: 'CSV file' }), ...protectedErrors },
      },
    },
    async (req, reply) => {
      const r = await report(db, req.query.from, req.query.to, tz);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="hotline-report-${r.from}-${r.to}.csv"`)
        .send(reportCsv(r));
    },
  );

  app.get(
    '/api/metrics/report.xlsx',
    {
      config: { roles: SUPERVISORS },
      schema: {
        tags: ['metrics'],
        summary: 'The period report as an Excel workbook (汇总, 按日, 按类别, 按部门)',
        querystring: PeriodQuery,
        produces: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
        response: { 200: Type.String({ description: 'XLSX file', format: 'binary' }), ...protectedErrors },
      },
    },
    async (req, reply) => {
      const r = await report(db, req.query.from, req.query.to, tz);
      return reply
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename="hotline-report-${r.from}-${r.to}.xlsx"`)
        .send(await reportXlsx(r));
    },
  );

  app.get(
    '/metrics',
    {
      config: { public: true },
      schema: {
        tags: ['operations'],
        summary:
          'Wallboard figures and the process metrics (CPU, memory, event-loop lag, GC) in Prometheus text format: from the addresses in METRICS_ALLOW (default this host only), or anywhere with "Authorization: Bearer <METRICS_TOKEN>"',
        security: [],
        produces: ['text/plain'],
        response: { 200: Type.String(), 401: Type.Ref('ErrorResponse'), 403: Type.Ref('ErrorResponse') },
      },
    },
    async (req, reply) => {
      const byToken = opts.token ? secretMatches(req.headers.authorization, [`Bearer ${opts.token}`]) : false;
      if (!byToken && !allowed(scrapers, req.ip)) {
        if (opts.token) throw MetricsErrors.METRICS_TOKEN_REQUIRED();
        throw MetricsErrors.METRICS_ADDRESS_REFUSED({ ip: req.ip });
      }
      const text = await exporter.scrape(await compute());
      return reply.type(exporter.contentType).send(text);
    },
  );
};
