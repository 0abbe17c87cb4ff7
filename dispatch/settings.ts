import type { Setting } from '../core/index.js';
import { parseDailyWindows } from '../core/index.js';

export const DISPATCH_SETTINGS = [
  {
    env: 'DISPATCH_WORK_HOURS',
    kind: 'string',
    default: '09:00-12:00,13:30-17:30',
    help: 'working hours of a workday, for deadlines counted in hours',
  },
  {
    env: 'DISPATCH_UTC_OFFSET_MINUTES',
    kind: 'int',
    min: -720,
    max: 840,
    help: 'deprecated: set CENTRE_TIMEZONE. Local time of the centre, minutes east of UTC; when set, must agree with CENTRE_TIMEZONE',
  },
  {
    env: 'DISPATCH_NEAR_DEADLINE_PERCENT',
    kind: 'int',
    default: '80',
    min: 1,
    max: 100,
    help: 'share of a deadline used before a case is flagged near its deadline',
  },
  {
    env: 'DISPATCH_DEADLINE_CHECK_SECONDS',
    kind: 'int',
    default: '60',
    min: 0,
    max: 86400,
    help: 'how often near-deadline and overdue flags are refreshed; 0 = never',
  },
  {
    env: 'DISPATCH_DEFAULT_DEADLINE_WORKDAYS',
    kind: 'int',
    default: '5',
    min: 1,
    max: 365,
    help: 'deadline of categories the routing catalogue gives none',
  },
  {
    env: 'DISPATCH_RELATED_DAYS',
    kind: 'int',
    default: '7',
    min: 1,
    max: 365,
    help: 'how far back similar cases at the same place are offered as related',
  },
  {
    env: 'OPEN311_API_KEYS',
    kind: 'list',
    help: 'comma-separated api_key values allowed to POST Open311 requests and to read their addresses and descriptions; unset = Open311 submission disabled',
  },
  {
    env: 'OPEN311_PUBLIC_DETAILS',
    kind: 'bool',
    default: 'false',
    help: 'list Open311 requests with address, coordinates, photo and (masked) description also without an api_key',
  },
] as const satisfies readonly Setting[];

export interface DispatchSettings {
  workHours: [number, number][];
  utcOffsetMinutes: number;
  nearDeadlineShare: number;
  deadlineCheckSeconds: number;
  defaultDeadlineWorkdays: number;
  relatedDays: number;
  open311Keys: string[];
  /** Open311 lists show where and what also to clients without a key (the site opted in). */
  open311PublicDetails: boolean;
}

export const DEFAULT_DISPATCH_SETTINGS: DispatchSettings = dispatchSettingsFrom({});

/** The module's settings from `config.values` (anything missing takes its default). */
export function dispatchSettingsFrom(values: Record<string, unknown>): DispatchSettings {
  const get = (env: string) => values[env] ?? (DISPATCH_SETTINGS as readonly Setting[]).find((s) => s.env === env)?.default;
  const hours = String(get('DISPATCH_WORK_HOURS'));
  let workHours: [number, number][];
  try {
    workHours = parseDailyWindows(hours);
  } catch (err) {
    throw new Error(
      `DISPATCH_WORK_HOURS=${JSON.stringify(hours)} is not valid: ${(err as Error).message}; use e.g. 09:00-12:00,13:30-17:30.`,
    );
  }
  const keys = String(get('OPEN311_API_KEYS') ?? '');
  return {
    workHours,
    utcOffsetMinutes: Number(get('DISPATCH_UTC_OFFSET_MINUTES') ?? 480),
    nearDeadlineShare: Number(get('DISPATCH_NEAR_DEADLINE_PERCENT')) / 100,
    deadlineCheckSeconds: Number(get('DISPATCH_DEADLINE_CHECK_SECONDS')),
    defaultDeadlineWorkdays: Number(get('DISPATCH_DEFAULT_DEADLINE_WORKDAYS')),
    relatedDays: Number(get('DISPATCH_RELATED_DAYS')),
    open311Keys: keys
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean),
    open311PublicDetails: get('OPEN311_PUBLIC_DETAILS') === true || get('OPEN311_PUBLIC_DETAILS') === 'true',
  };
}
