import type { Setting } from '../core/index.js';

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

export interface AuthSettings {
  idleMinutes: number;
  maxSessionsPerUser: number;
  lockoutFailures: number;
  lockoutMinutes: number;
  twoFactor: 'enrolled' | 'required';
  totpIssuer: string;
}

export const DEFAULT_AUTH_SETTINGS: AuthSettings = {
  idleMinutes: 30,
  maxSessionsPerUser: 5,
  lockoutFailures: 5,
  lockoutMinutes: 15,
  twoFactor: 'enrolled',
  totpIssuer: '12345 Hotline',
};

export function authSettingsFrom(values: Record<string, unknown>): AuthSettings {
  const d = DEFAULT_AUTH_SETTINGS;
  return {
    idleMinutes: (values.SESSION_IDLE_MINUTES as number | undefined) ?? d.idleMinutes,
    maxSessionsPerUser: (values.SESSION_MAX_PER_USER as number | undefined) ?? d.maxSessionsPerUser,
    lockoutFailures: (values.LOGIN_LOCKOUT_FAILURES as number | undefined) ?? d.lockoutFailures,
    lockoutMinutes: (values.LOGIN_LOCKOUT_MINUTES as number | undefined) ?? d.lockoutMinutes,
    twoFactor: (values.TWO_FACTOR as AuthSettings['twoFactor'] | undefined) ?? d.twoFactor,
    totpIssuer: (values.TOTP_ISSUER as string | undefined) ?? d.totpIssuer,
  };
}

/** Roles whose login takes a second factor (once enrolled, or always with TWO_FACTOR=required). */
export const TWO_FACTOR_ROLES: readonly string[] = ['admin', 'supervisor'];
