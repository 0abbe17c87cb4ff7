/**
 * The hotline's figures: today's wallboard (live over the bus), period reports with CSV
 * and XLSX export, and /metrics for Prometheus. Reads every module's tables; owns none.
 */
import type { Setting } from '../core/index.js';

export { AGENT_STATES, type AgentState, normaliseAgentState, trackAgents } from './agents.js';
export { reportCsv, reportXlsx } from './export.js';
export type { Breakdown, CallFigures, CaseFigures, Period } from './figures.js';
export { startLiveWallboard } from './live.js';
export { formatPrometheus, wallboardMetrics } from './prometheus.js';
export { checkPeriod, type Report, report } from './report.js';
export { type MetricsOptions, metricsRoutes } from './routes.js';
export { type Wallboard, wallboard } from './wallboard.js';

export const METRICS_SETTINGS = [
  {
    env: 'METRICS_TIMEZONE',
    kind: 'string',
    help: 'deprecated: set CENTRE_TIMEZONE. Time zone of "today" and of report days; when set, must agree with CENTRE_TIMEZONE',
  },
  {
    env: 'METRICS_REFRESH_MS',
    kind: 'int',
    default: '3000',
    min: 0,
    max: 600_000,
    help: 'how often the live wallboard checks the tables for changes made elsewhere (0 = only on this process events)',
  },
  { env: 'METRICS_TOKEN', kind: 'string', help: 'bearer token that opens GET /metrics from any address; unset = METRICS_ALLOW only' },
  {
    env: 'METRICS_ALLOW',
    kind: 'list',
    default: '127.0.0.1,::1',
    help: 'addresses or CIDR ranges that may scrape GET /metrics without the token; none = token only',
  },
] as const satisfies readonly Setting[];
