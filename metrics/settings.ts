/** metrics' settings (environment variables, see core/settings.ts). */
import type { Setting, SettingsValues } from '../core/index.js';
import type { MetricsOptions } from './routes.js';

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

export type MetricsSettingValues = SettingsValues<typeof METRICS_SETTINGS>;

/**
 * The options of metricsRoutes from the settings. The time zone is the centre's one
 * (CENTRE_TIMEZONE, which app/config.ts also writes into METRICS_TIMEZONE): passed apart, as
 * a value that is always there.
 */
export function metricsOptionsFrom(values: MetricsSettingValues, timezone: string): Omit<MetricsOptions, 'ctx'> {
  return {
    timezone,
    refreshMs: values.METRICS_REFRESH_MS,
    token: values.METRICS_TOKEN,
    allow: values.METRICS_ALLOW,
  };
}
