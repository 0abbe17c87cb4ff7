/**
 * The product's configuration: the foundation's settings plus each module's own list,
 * all read from environment variables and validated together at start.
 */
import { DESK_SETTINGS } from '../agent-desk/index.js';
import { ASR_SETTINGS } from '../asr/index.js';
import { AUTH_SETTINGS, parseAllowedOrigins } from '../auth/index.js';
import { CALLBACK_SETTINGS } from '../callback/index.js';
import { CLASSIFIER_SETTINGS } from '../classifier/index.js';
import {
  ConfigError,
  settingsHelp as formatSettings,
  isTimeZone,
  readSettings,
  type Setting,
  type SettingsValues,
  zoneOffsetMinutes,
} from '../core/index.js';
import { DISPATCH_SETTINGS } from '../dispatch/index.js';
import { EMERGENCY_SETTINGS } from '../emergency/index.js';
import { METRICS_SETTINGS } from '../metrics/index.js';
import { RETENTION_SETTINGS } from '../retention/index.js';
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
    env: 'DATABASE_PREPARED_STATEMENTS',
    kind: 'bool',
    default: 'true',
    help: 'send statements as named prepared statements (planned once per connection); false behind a pooler that cannot keep them, such as PgBouncer in transaction mode before 1.21',
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
  {
    env: 'LOGIN_RATE_LIMIT',
    kind: 'int',
    default: '10',
    min: 1,
    max: 10000,
    help: 'login attempts allowed per client address and username per minute',
  },
  {
    env: 'HTTP_REQUEST_TIMEOUT_SECONDS',
    kind: 'int',
    default: '30',
    min: 1,
    max: 3600,
    help: 'seconds a client has to send a whole HTTP request (headers and body) before the connection is closed',
  },
  {
    env: 'HTTP_MAX_CONNECTIONS_PER_SOURCE',
    kind: 'int',
    default: '500',
    min: 0,
    max: 100000,
    help: 'HTTP connections one client address may hold at once (0 = no limit); a centre behind one NAT needs about two per desk',
  },
  {
    env: 'DATA_KEY',
    kind: 'string',
    help: 'key sealing personal fields at rest: 32 bytes, base64 or hex (openssl rand -base64 32); unset = DATA_DIR/data.key, made at first start. Every process of a site needs the same one',
  },
  {
    env: 'DATA_KEYS_PREVIOUS',
    kind: 'list',
    help: 'keys used before DATA_KEY, comma-separated: still open old values until hotline data rekey has resealed them',
  },
  {
    env: 'CENTRE_TIMEZONE',
    kind: 'string',
    help: 'IANA time zone of the centre (default Asia/Shanghai): local days of deadlines, case numbers, callback hours and reports. Replaces METRICS_TIMEZONE and DISPATCH_UTC_OFFSET_MINUTES, which are still read: unset, they act as before; set with it, they must agree',
  },
  { env: 'BODY_LIMIT_KB', kind: 'int', default: '1024', min: 1, max: 102400, help: 'largest accepted request body, in KiB' },
  {
    env: 'SEED_DEMO',
    kind: 'enum',
    default: 'no',
    values: ['no', 'yes'],
    help: 'yes = seed the demo district and its users with the published password on first start (as hotline serve --demo); never for a real site',
  },
  { env: 'SHARED_DIR', kind: 'path', default: '../shared', help: 'folder of shared data and models (speech, text, models)' },
  { env: 'MODELS_DIR', kind: 'path', default: './models', help: 'folder of model files' },
  {
    env: 'COOKIE_SECURE',
    kind: 'enum',
    default: 'auto',
    values: ['auto', 'true', 'false'],
    help: 'mark the session cookie Secure: auto = when the request came over HTTPS (X-Forwarded-Proto counts only with TRUST_PROXY)',
  },
  {
    env: 'TRUST_PROXY',
    kind: 'string',
    default: 'false',
    help: 'believe X-Forwarded-For/-Proto/-Host from: false, true (any), a hop count, or addresses/CIDRs of the proxies (comma-separated)',
  },
  {
    env: 'ALLOWED_ORIGINS',
    kind: 'list',
    help: 'other origins (https://host[:port], comma-separated) whose pages may call the API with the session cookie; the server itself is always allowed',
  },
] as const satisfies readonly Setting[];

/**
 * Every setting: the foundation's and each module's list from its index.ts (add a module's
 * list here). Spread as const, so `Config.values` knows every variable's parsed type.
 */
export const ALL_SETTINGS = [
  ...FOUNDATION_SETTINGS,
  ...AUTH_SETTINGS,
  ...ASR_SETTINGS,
  ...METRICS_SETTINGS,
  ...DESK_SETTINGS,
  ...DISPATCH_SETTINGS,
  ...CLASSIFIER_SETTINGS,
  ...TELEPHONY_SETTINGS,
  ...CALLBACK_SETTINGS,
  ...EMERGENCY_SETTINGS,
  ...RETENTION_SETTINGS,
] as const satisfies readonly Setting[];

/** The parsed value of every setting, by variable name. */
export type SettingValues = SettingsValues<typeof ALL_SETTINGS>;

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  databasePreparedStatements: boolean;
  redisUrl?: string;
  logLevel: string;
  sessionTtlHours: number;
  loginRateLimit: number;
  bodyLimitBytes: number;
  requestTimeoutMs: number;
  maxConnectionsPerSource: number;
  seedDemo: 'yes' | 'no';
  sharedDir: string;
  modelsDir: string;
  cookieSecure: boolean | 'auto';
  /** Fastify's trustProxy: whom to believe about the client's address, scheme and host. */
  trustProxy: boolean | string | ((address: string, hop: number) => boolean);
  /** Origins (host[:port]) besides the server's own allowed to send cookie-bearing requests. */
  allowedOrigins: string[];
  /** The centre's IANA time zone (CENTRE_TIMEZONE) and its offset from UTC now, in minutes. */
  timezone: string;
  utcOffsetMinutes: number;
  /** Every setting's parsed value by variable name, typed from its declaration, for modules to read their own. */
  values: SettingValues;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = readSettings(ALL_SETTINGS, env);
  const { timezone, utcOffsetMinutes } = centreTimeZone(parsed);
  // The modules that used their own time-zone settings read the one resolved here.
  const v: SettingValues = { ...parsed, METRICS_TIMEZONE: timezone, DISPATCH_UTC_OFFSET_MINUTES: utcOffsetMinutes };
  return {
    timezone,
    utcOffsetMinutes,
    port: v.PORT,
    host: v.HOST,
    dataDir: v.DATA_DIR,
    databaseUrl: v.DATABASE_URL,
    databasePreparedStatements: v.DATABASE_PREPARED_STATEMENTS,
    redisUrl: v.REDIS_URL,
    logLevel: v.LOG_LEVEL,
    sessionTtlHours: v.SESSION_TTL_HOURS,
    loginRateLimit: v.LOGIN_RATE_LIMIT,
    bodyLimitBytes: v.BODY_LIMIT_KB * 1024,
    requestTimeoutMs: v.HTTP_REQUEST_TIMEOUT_SECONDS * 1000,
    maxConnectionsPerSource: v.HTTP_MAX_CONNECTIONS_PER_SOURCE,
    seedDemo: v.SEED_DEMO,
    sharedDir: v.SHARED_DIR,
    modelsDir: v.MODELS_DIR,
    cookieSecure: v.COOKIE_SECURE === 'auto' ? 'auto' : v.COOKIE_SECURE === 'true',
    trustProxy: parseTrustProxy(v.TRUST_PROXY),
    allowedOrigins: parseOrigins(v.ALLOWED_ORIGINS),
    values: v,
  };
}

export const settingsHelp = () => formatSettings(ALL_SETTINGS);

/**
 * The one time zone of the centre: CENTRE_TIMEZONE drives the reports' days and dispatch's
 * offset; the older METRICS_TIMEZONE and DISPATCH_UTC_OFFSET_MINUTES, when also set, must
 * agree with it. Without CENTRE_TIMEZONE the older two act as before. Deadlines count in the
 * zone's offset at start (no daylight saving in China's zones).
 */
function centreTimeZone(v: SettingsValues<typeof ALL_SETTINGS>): { timezone: string; utcOffsetMinutes: number } {
  if (!v.CENTRE_TIMEZONE) {
    // A site that has not set it yet keeps what the two older settings did (each their own
    // default), so no upgrade moves its deadlines or its report days.
    return { timezone: v.METRICS_TIMEZONE ?? 'Asia/Shanghai', utcOffsetMinutes: v.DISPATCH_UTC_OFFSET_MINUTES ?? 480 };
  }
  const problems: string[] = [];
  const timezone = v.CENTRE_TIMEZONE;
  if (!isTimeZone(timezone)) {
    throw new ConfigError([`CENTRE_TIMEZONE=${JSON.stringify(timezone)} is not a time zone: use an IANA name such as Asia/Shanghai.`]);
  }
  if (v.METRICS_TIMEZONE && v.METRICS_TIMEZONE !== v.CENTRE_TIMEZONE) {
    problems.push(`METRICS_TIMEZONE=${v.METRICS_TIMEZONE} disagrees with CENTRE_TIMEZONE=${v.CENTRE_TIMEZONE}: unset METRICS_TIMEZONE.`);
  }
  const utcOffsetMinutes = zoneOffsetMinutes(timezone);
  if (v.DISPATCH_UTC_OFFSET_MINUTES !== undefined && v.DISPATCH_UTC_OFFSET_MINUTES !== utcOffsetMinutes) {
    problems.push(
      `DISPATCH_UTC_OFFSET_MINUTES=${v.DISPATCH_UTC_OFFSET_MINUTES} disagrees with the centre's time zone ${timezone} (${utcOffsetMinutes}): unset DISPATCH_UTC_OFFSET_MINUTES and set CENTRE_TIMEZONE.`,
    );
  }
  if (problems.length) throw new ConfigError(problems);
  return { timezone, utcOffsetMinutes };
}

function parseTrustProxy(raw: string): Config['trustProxy'] {
  if (/^(false|no|0|off)$/i.test(raw)) return false;
  if (/^(true|yes|on)$/i.test(raw)) return true;
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    return (_address, hop) => hop < hops;
  }
  return raw;
}

function parseOrigins(raw: string | undefined): string[] {
  try {
    return parseAllowedOrigins(raw);
  } catch (err) {
    throw new ConfigError([(err as Error).message]);
  }
}
