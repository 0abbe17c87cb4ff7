/**
 * The hotline's figures: today's wallboard (live over the bus), period reports with CSV
 * and XLSX export, and /metrics for Prometheus. Reads every module's tables; owns none.
 */
export { AGENT_STATES, type AgentState, normaliseAgentState, trackAgents } from './agents.js';
export { MetricsErrors } from './errors.js';
export { reportCsv, reportXlsx } from './export.js';
export type { Breakdown, CallFigures, CaseFigures, Period } from './figures.js';
export { startLiveWallboard } from './live.js';
export { type WallboardExporter, wallboardExporter } from './prometheus.js';
export { checkPeriod, type Report, report } from './report.js';
export { type MetricsOptions, metricsRoutes } from './routes.js';
export { METRICS_SETTINGS, type MetricsSettingValues, metricsOptionsFrom } from './settings.js';
export { type Wallboard, wallboard } from './wallboard.js';
