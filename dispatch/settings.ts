import type { Setting, SettingsValues } from '../core/index.js';
import { parseDailyWindows, readSettings } from '../core/index.js';

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

/** The parsed values of DISPATCH_SETTINGS, as config.values holds them. */
export type DispatchSettingValues = SettingsValues<typeof DISPATCH_SETTINGS>;

/** The declared defaults, parsed once. */
const DEFAULTS: DispatchSettingValues = readSettings(DISPATCH_SETTINGS, {});

/**
 * The module's settings from `config.values` (anything missing takes its default). The
 * centre's offset comes filled from CENTRE_TIMEZONE by app/config.ts; callers that pass
 * nothing get China Standard Time.
 */
export function dispatchSettingsFrom(values: Partial<DispatchSettingValues> = {}): DispatchSettings {
  const hours = values.DISPATCH_WORK_HOURS ?? DEFAULTS.DISPATCH_WORK_HOURS;
  let workHours: [number, number][];
  try {
    workHours = parseDailyWindows(hours);
  } catch (err) {
    throw new Error(
      `DISPATCH_WORK_HOURS=${JSON.stringify(hours)} is not valid: ${(err as Error).message}; use e.g. 09:00-12:00,13:30-17:30.`,
    );
  }
  return {
    workHours,
    utcOffsetMinutes: values.DISPATCH_UTC_OFFSET_MINUTES ?? DEFAULTS.DISPATCH_UTC_OFFSET_MINUTES ?? 480,
    nearDeadlineShare: (values.DISPATCH_NEAR_DEADLINE_PERCENT ?? DEFAULTS.DISPATCH_NEAR_DEADLINE_PERCENT) / 100,
    deadlineCheckSeconds: values.DISPATCH_DEADLINE_CHECK_SECONDS ?? DEFAULTS.DISPATCH_DEADLINE_CHECK_SECONDS,
    defaultDeadlineWorkdays: values.DISPATCH_DEFAULT_DEADLINE_WORKDAYS ?? DEFAULTS.DISPATCH_DEFAULT_DEADLINE_WORKDAYS,
    relatedDays: values.DISPATCH_RELATED_DAYS ?? DEFAULTS.DISPATCH_RELATED_DAYS,
    open311Keys: (values.OPEN311_API_KEYS ?? DEFAULTS.OPEN311_API_KEYS ?? '')
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean),
    open311PublicDetails: values.OPEN311_PUBLIC_DETAILS ?? DEFAULTS.OPEN311_PUBLIC_DETAILS,
  };
}

export const DEFAULT_DISPATCH_SETTINGS: DispatchSettings = dispatchSettingsFrom({});
