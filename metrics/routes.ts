import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { ModuleContext } from '../core/context.js';
import { badRequest, unauthorized } from '../core/errors.js';
import { protectedErrors } from '../core/http.js';
import { trackAgents } from './agents.js';
import { reportCsv, reportXlsx } from './export.js';
import { startLiveWallboard } from './live.js';
import { formatPrometheus, wallboardMetrics } from './prometheus.js';
import { report } from './report.js';
import { PeriodQuery, ReportSchema, WallboardSchema } from './schemas.js';
import { wallboard } from './wallboard.js';

export interface MetricsOptions {
  ctx: ModuleContext;
  timezone: string;
  /** Fingerprint poll of the live wallboard, ms; 0 = only bus events trigger it. */
  refreshMs: number;
  /** When set, GET /metrics needs `Authorization: Bearer <token>`. */
  token?: string;
}

const SUPERVISORS = ['supervisor'] as const;

export const metricsRoutes: FastifyPluginAsyncTypebox<MetricsOptions> = async (app, opts) => {
  const { db, bus, log } = opts.ctx;
  const tz = opts.timezone;
  try {
    await db.query('SELECT now() AT TIME ZONE $1', [tz]);
  } catch {
    throw badRequest(`METRICS_TIMEZONE=${tz} is not a time zone the database knows: use a name such as Asia/Shanghai.`);
  }
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
        summary: 'Wallboard figures in Prometheus text format (needs a bearer token when METRICS_TOKEN is set)',
        security: [],
        produces: ['text/plain'],
        response: { 200: Type.String(), 401: Type.Ref('ErrorResponse') },
      },
    },
    async (req, reply) => {
      if (opts.token && req.headers.authorization !== `Bearer ${opts.token}`) {
        throw unauthorized('GET /metrics needs the header "Authorization: Bearer <METRICS_TOKEN>".');
      }
      const text = formatPrometheus(wallboardMetrics(await compute()));
      return reply.type('text/plain; version=0.0.4; charset=utf-8').send(text);
    },
  );
};
