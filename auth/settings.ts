import { readSettings, type Setting, type SettingsValues } from '../core/index.js';

export const AUTH_SETTINGS = [
  {
    env: 'SESSION_IDLE_MINUTES',
    kind: 'int',
    default: '30',
    min: 1,
    max: 24 * 60,
    help: 'a session ends after this many minutes without a request from the desk (input in the desk keeps it alive)',
  },
  {
    env: 'SESSION_MAX_PER_USER',
    kind: 'int',
    default: '5',
    min: 1,
    max: 100,
    help: 'sessions one user may hold; a new login ends the oldest',
  },
  {
    env: 'LOGIN_LOCKOUT_FAILURES',
    kind: 'int',
    default: '5',
    min: 1,
    max: 100,
    help: 'wrong passwords or codes in a row that lock an account',
  },
  {
    env: 'LOGIN_LOCKOUT_MINUTES',
    kind: 'int',
    default: '15',
    min: 1,
    max: 24 * 60,
    help: 'minutes of the first lockout; each further lockout in a row doubles it (at most 24 h)',
  },
  {
    env: 'TWO_FACTOR',
    kind: 'enum',
    default: 'enrolled',
    values: ['enrolled', 'required'],
    help: 'TOTP for admins and supervisors: enrolled = asked of those who enrolled; required = they must enrol at their next login (等保 2.0 level 3)',
  },
  { env: 'TOTP_ISSUER', kind: 'string', default: '12345 Hotline', help: 'issuer name authenticator apps show next to the code' },
] as const satisfies readonly Setting[];

export type AuthSettingValues = SettingsValues<typeof AUTH_SETTINGS>;

export interface AuthSettings {
  idleMinutes: number;
  maxSessionsPerUser: number;
  lockoutFailures: number;
  lockoutMinutes: number;
  twoFactor: AuthSettingValues['TWO_FACTOR'];
  totpIssuer: string;
}

export function authSettingsFrom(values: AuthSettingValues): AuthSettings {
  return {
    idleMinutes: values.SESSION_IDLE_MINUTES,
    maxSessionsPerUser: values.SESSION_MAX_PER_USER,
    lockoutFailures: values.LOGIN_LOCKOUT_FAILURES,
    lockoutMinutes: values.LOGIN_LOCKOUT_MINUTES,
    twoFactor: values.TWO_FACTOR,
    totpIssuer: values.TOTP_ISSUER,
  };
}

/** The settings with every variable unset: the declared defaults, for tests and tools that mount auth alone. */
export const DEFAULT_AUTH_SETTINGS: AuthSettings = authSettingsFrom(readSettings(AUTH_SETTINGS, {}));

/** Roles whose login takes a second factor (once enrolled, or always with TWO_FACTOR=required). */
export const TWO_FACTOR_ROLES: readonly string[] = ['admin', 'supervisor'];
