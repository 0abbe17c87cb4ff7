/** The callback queue's settings (environment variables, see core/settings.ts). */
import { parseDailyWindows, type Setting, type SettingsValues } from '../core/index.js';

export const CALLBACK_SETTINGS = [
  {
    env: 'CALLBACK_HOURS',
    kind: 'string',
    default: '09:00-12:00,14:00-20:00',
    help: 'call hours for callbacks, local time, comma-separated HH:MM-HH:MM windows',
  },
  { env: 'CALLBACK_WORKDAYS_ONLY', kind: 'bool', default: 'true', help: "call only on working days of dispatch's calendar" },
  { env: 'CALLBACK_MAX_ATTEMPTS', kind: 'int', default: '3', min: 1, max: 20, help: 'call attempts before a callback is unreachable' },
  {
    env: 'CALLBACK_RETRY_MINUTES',
    kind: 'string',
    default: '120',
    help: 'minutes between unanswered attempts (decimals allowed, e.g. 0.02 in tests)',
  },
  {
    env: 'CALLBACK_SAMPLING',
    kind: 'string',
    default: '*:1',
    help: 'share of cases called back by category code, e.g. "*:1,city.noise:0.3" (others close without a call)',
  },
  {
    env: 'CALLBACK_MODE',
    kind: 'enum',
    default: 'manual',
    values: ['manual', 'auto'],
    help: 'manual = callback staff call; auto = the product places a survey call and takes a key press',
  },
  {
    env: 'CALLBACK_SURVEY_URI',
    kind: 'string',
    default: '',
    help: "SIP URI template of survey calls, {phone} = the citizen's number, e.g. sip:{phone}@trunk.example:5060",
  },
  {
    env: 'CALLBACK_SURVEY_WAV',
    kind: 'path',
    default: './callback/prompts/survey.wav',
    help: 'recorded survey question (WAV, 8 or 16 kHz mono 16-bit) a site may replace',
  },
  {
    env: 'CALLBACK_ANSWER_SECONDS',
    kind: 'int',
    default: '30',
    min: 1,
    max: 600,
    help: 'seconds a survey call rings, and then waits for a key, before it counts as unanswered; also how long a click-to-call rings',
  },
  {
    env: 'CALLBACK_POLL_MS',
    kind: 'int',
    default: '5000',
    min: 50,
    max: 600000,
    help: 'how often the embedded scheduler looks for due jobs',
  },
  {
    env: 'CALLBACK_LEASE_SECONDS',
    kind: 'int',
    default: '180',
    min: 1,
    max: 86400,
    help: 'how long a worker holds a survey job; a job whose worker died runs again after this',
  },
  {
    env: 'CALLBACK_RECONCILE_MS',
    kind: 'int',
    default: '60000',
    min: 50,
    max: 3600000,
    help: 'how often cases waiting for a callback (callback_pending) without one are scheduled: a scheduling that failed after the review',
  },
  { env: 'CALLBACK_QUEUE_PREFIX', kind: 'string', default: 'hotline', help: 'BullMQ key prefix in Redis' },
] as const satisfies readonly Setting[];

export interface CallbackSettings {
  /** Call windows as [start, end) minutes after local midnight. */
  windows: [number, number][];
  workdaysOnly: boolean;
  maxAttempts: number;
  retryMs: number;
  /** Share called back by category code; '*' for the rest. */
  sampling: Map<string, number>;
  mode: SettingsValues<typeof CALLBACK_SETTINGS>['CALLBACK_MODE'];
  surveyUri: string;
  surveyWav: string;
  answerMs: number;
  pollMs: number;
  leaseMs: number;
  reconcileMs: number;
  queuePrefix: string;
  redisUrl?: string;
}

/** Parses '09:00-12:00,14:00-20:00' (core's one parser of daily windows); the error names the setting. */
export function parseWindows(text: string): [number, number][] {
  try {
    return parseDailyWindows(text);
  } catch (err) {
    throw new Error(`CALLBACK_HOURS: ${(err as Error).message}: use HH:MM-HH:MM, e.g. 09:00-12:00,14:00-20:00.`);
  }
}

export function parseSampling(text: string): Map<string, number> {
  const map = new Map<string, number>([['*', 1]]);
  for (const part of text.split(',').filter((p) => p.trim())) {
    const i = part.lastIndexOf(':');
    const code = part.slice(0, i).trim();
    const rate = Number(part.slice(i + 1));
    if (i <= 0 || !code || !(rate >= 0 && rate <= 1)) {
      throw new Error(`CALLBACK_SAMPLING: "${part}" is not code:share with a share from 0 to 1, e.g. city.noise:0.3.`);
    }
    map.set(code, rate);
  }
  return map;
}

/** The callback settings' values, with the foundation's REDIS_URL (BullMQ's queue when set). */
export type CallbackSettingValues = SettingsValues<typeof CALLBACK_SETTINGS> & { readonly REDIS_URL?: string | undefined };

export function callbackSettingsFrom(values: CallbackSettingValues): CallbackSettings {
  const retry = Number(values.CALLBACK_RETRY_MINUTES);
  if (!(retry >= 0)) throw new Error(`CALLBACK_RETRY_MINUTES: "${values.CALLBACK_RETRY_MINUTES}" is not a number of minutes.`);
  return {
    windows: parseWindows(values.CALLBACK_HOURS),
    workdaysOnly: values.CALLBACK_WORKDAYS_ONLY,
    maxAttempts: values.CALLBACK_MAX_ATTEMPTS,
    retryMs: retry * 60_000,
    sampling: parseSampling(values.CALLBACK_SAMPLING),
    mode: values.CALLBACK_MODE,
    surveyUri: values.CALLBACK_SURVEY_URI,
    surveyWav: values.CALLBACK_SURVEY_WAV,
    answerMs: values.CALLBACK_ANSWER_SECONDS * 1000,
    pollMs: values.CALLBACK_POLL_MS,
    leaseMs: values.CALLBACK_LEASE_SECONDS * 1000,
    reconcileMs: values.CALLBACK_RECONCILE_MS,
    queuePrefix: values.CALLBACK_QUEUE_PREFIX,
    redisUrl: values.REDIS_URL || undefined,
  };
}
