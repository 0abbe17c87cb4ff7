/**
 * Settings are environment variables declared in one list per module, validated all
 * together at start: every problem is reported with the variable's name, the bad value
 * and what is expected, so a mistyped setting never starts a half-working server.
 */
import { resolve } from 'node:path';

export type Kind = 'port' | 'int' | 'string' | 'url' | 'path' | 'enum' | 'bool' | 'list';

export interface Setting {
  env: string;
  kind: Kind;
  default?: string;
  values?: readonly string[];
  min?: number;
  max?: number;
  protocols?: readonly string[];
  help: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function parseValue(s: Setting, raw: string, problems: string[]): unknown {
  const bad = (expected: string) => {
    problems.push(`${s.env}=${JSON.stringify(raw)} is not valid: expected ${expected}.`);
    return undefined;
  };
  switch (s.kind) {
    case 'port':
    case 'int': {
      const min = s.kind === 'port' ? 0 : (s.min ?? Number.MIN_SAFE_INTEGER);
      const max = s.kind === 'port' ? 65535 : (s.max ?? Number.MAX_SAFE_INTEGER);
      if (!/^\d+$/.test(raw)) return bad(`a whole number from ${min} to ${max}`);
      const n = Number(raw);
      return n >= min && n <= max ? n : bad(`a whole number from ${min} to ${max}`);
    }
    case 'bool':
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off)$/i.test(raw)) return false;
      return bad('true or false');
    case 'enum':
      return s.values?.includes(raw) ? raw : bad(`one of ${s.values?.join(', ')}`);
    case 'url': {
      try {
        const u = new URL(raw);
        if (s.protocols && !s.protocols.includes(u.protocol)) return bad(`a URL starting with ${s.protocols.join(' or ')}//`);
        return raw;
      } catch {
        return bad(`a URL such as ${s.protocols?.[0] ?? 'http:'}//host:port/...`);
      }
    }
    case 'path':
      return resolve(raw);
    default:
      return raw;
  }
}

/** The parsed type of one declared setting: from its kind, its values and whether it has a default. */
type ParsedKind<S extends Setting> = S['kind'] extends 'port' | 'int'
  ? number
  : S['kind'] extends 'bool'
    ? boolean
    : S['kind'] extends 'enum'
      ? S['values'] extends readonly (infer V)[]
        ? V
        : string
      : string;
export type SettingValue<S extends Setting> = S extends { default: string } ? ParsedKind<S> : ParsedKind<S> | undefined;

/**
 * The typed values of a settings list declared `as const`: `{ PORT: number; REDIS_URL: string | undefined; ... }`.
 * The declaration is the one source of a setting's name, type, bounds, default and help; modules
 * receive their values with this type, so no caller casts.
 */
export type SettingsValues<L extends readonly Setting[]> = { readonly [S in L[number] as S['env']]: SettingValue<S> };

/** Parses `settings` from `env`; throws one ConfigError listing every problem. */
export function readSettings<const L extends readonly Setting[]>(settings: L, env: NodeJS.ProcessEnv): SettingsValues<L> {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const s of settings) {
    const raw = env[s.env]?.trim();
    const value = raw === undefined || raw === '' ? s.default : raw;
    values[s.env] = value === undefined ? undefined : parseValue(s, value, problems);
  }
  if (problems.length) throw new ConfigError(problems);
  return values as SettingsValues<L>;
}

/** The settings as a help table, for `hotline --help`. */
export function settingsHelp(settings: readonly Setting[]): string {
  return settings.map((s) => `  ${s.env.padEnd(18)} ${s.help}${s.default !== undefined ? ` (default ${s.default})` : ''}`).join('\n');
}
