/**
 * The product's configuration: the foundation's settings plus each module's own list,
 * all read from environment variables and validated together at start.
 */
import { DESK_SETTINGS } from '../agent-desk/index.js';
import { ASR_SETTINGS } from '../asr/index.js';
import { CALLBACK_SETTINGS } from '../callback/index.js';
import { CLASSIFIER_SETTINGS } from '../classifier/index.js';
import { ConfigError, settingsHelp as formatSettings, readSettings, type Setting } from '../core/settings.js';
import { DISPATCH_SETTINGS } from '../dispatch/index.js';
import { EMERGENCY_SETTINGS } from '../emergency/index.js';
import { METRICS_SETTINGS } from '../metrics/index.js';
import { TELEPHONY_SETTINGS } from '../telephony/index.js';

export { ConfigError };

export const FOUNDATION_SETTINGS = [
  { env: 'PORT', kind: 'port', default: '3000', help: 'HTTP port of the API and the desk' },
  { env: 'HOST', kind: 'string', default: '0.0.0.0', help: 'address the HTTP server listens on' },
  { env: 'DATA_DIR', kind: 'path', default: './data', help: 'folder of the embedded database and other local state' },
  {
    env: 'DATABASE_URL',
    kind: 'url',
    protocols: ['postgres:', 'postgresql:'],
    help: 'PostgreSQL connection string; unset = embedded PGlite in DATA_DIR',
  },
  {
    env: 'REDIS_URL',
    kind: 'url',
    protocols: ['redis:', 'rediss:'],
    help: 'Redis for BullMQ queues and cross-process events; unset = embedded scheduler',
  },
  {
    env: 'LOG_LEVEL',
    kind: 'enum',
    default: 'info',
    values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    help: 'log level',
  },
  { env: 'SESSION_TTL_HOURS', kind: 'int', default: '12', min: 1, max: 24 * 30, help: 'hours a login session lasts' },
  { env: 'LOGIN_RATE_LIMIT', kind: 'int', default: '10', min: 1, max: 10000, help: 'login attempts allowed per client address per minute' },
  { env: 'BODY_LIMIT_KB', kind: 'int', default: '1024', min: 1, max: 102400, help: 'largest accepted request body, in KiB' },
  {
    env: 'SEED_DEMO',
    kind: 'enum',
    default: 'auto',
    values: ['auto', 'yes', 'no'],
    help: 'seed the demo organisation on first start: auto = only on the embedded database',
  },
  { env: 'SHARED_DIR', kind: 'path', default: '../shared', help: 'folder of shared data and models (speech, text, models)' },
  { env: 'MODELS_DIR', kind: 'path', default: './models', help: 'folder of model files' },
  { env: 'COOKIE_SECURE', kind: 'bool', default: 'false', help: 'mark the session cookie Secure (set true behind HTTPS)' },
] as const satisfies readonly Setting[];

/** Each module's settings list, from its index.ts; add a module's list here. */
export const MODULE_SETTINGS: readonly (readonly Setting[])[] = [
  ASR_SETTINGS,
  METRICS_SETTINGS,
  DESK_SETTINGS,
  DISPATCH_SETTINGS,
  CLASSIFIER_SETTINGS,
  TELEPHONY_SETTINGS,
  CALLBACK_SETTINGS,
  EMERGENCY_SETTINGS,
];

export const ALL_SETTINGS: readonly Setting[] = [...FOUNDATION_SETTINGS, ...MODULE_SETTINGS.flat()];

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  redisUrl?: string;
  logLevel: string;
  sessionTtlHours: number;
  loginRateLimit: number;
  bodyLimitBytes: number;
  seedDemo: 'auto' | 'yes' | 'no';
  sharedDir: string;
  modelsDir: string;
  cookieSecure: boolean;
  /** Every setting's parsed value by variable name, for modules to read their own. */
  values: Record<string, unknown>;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const v = readSettings(ALL_SETTINGS, env);
  return {
    port: v.PORT as number,
    host: v.HOST as string,
    dataDir: v.DATA_DIR as string,
    databaseUrl: v.DATABASE_URL as string | undefined,
    redisUrl: v.REDIS_URL as string | undefined,
    logLevel: v.LOG_LEVEL as string,
    sessionTtlHours: v.SESSION_TTL_HOURS as number,
    loginRateLimit: v.LOGIN_RATE_LIMIT as number,
    bodyLimitBytes: (v.BODY_LIMIT_KB as number) * 1024,
    seedDemo: v.SEED_DEMO as Config['seedDemo'],
    sharedDir: v.SHARED_DIR as string,
    modelsDir: v.MODELS_DIR as string,
    cookieSecure: v.COOKIE_SECURE as boolean,
    values: v,
  };
}

export const settingsHelp = () => formatSettings(ALL_SETTINGS);
