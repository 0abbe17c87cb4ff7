/**
 * Coded errors. Every error that crosses a module boundary is declared once, in its
 * module's catalogue (`<module>/errors.ts`), with a stable `code`, an HTTP status and an
 * English message for developers and logs whose `{name}` placeholders are its parameters:
 *
 *   export const DispatchErrors = defineErrors('dispatch', {
 *     WORK_ORDER_NOT_FOUND: { status: 404, message: 'Work order {id} does not exist: check the case number.' },
 *   });
 *   throw DispatchErrors.WORK_ORDER_NOT_FOUND({ id });
 *
 * Callers and tests tell errors apart by `code` (never by the text); the server answers
 * `{ statusCode, error, code, message, params }`, and the desk renders its Chinese text from
 * `code` and `params` (agent-desk/src/errors.ts). Codes are unique across the product: a
 * second catalogue declaring a code already declared fails at load.
 */

/** One declared error: its HTTP status and the developer message template. */
export interface ErrorSpec {
  readonly status: number;
  readonly message: string;
}

/** The `{name}` placeholders of a message template, as a parameter object type. */
type PlaceholderNames<S extends string> = S extends `${string}{${infer P}}${infer Rest}` ? P | PlaceholderNames<Rest> : never;
export type ErrorParams<S extends string> = [PlaceholderNames<S>] extends [never]
  ? Record<string, never>
  : { [K in PlaceholderNames<S>]: string | number | boolean | null | undefined };

type ErrorFactory<S extends ErrorSpec> = ([PlaceholderNames<S['message']>] extends [never]
  ? (params?: Record<string, never>, details?: unknown) => HotlineError
  : (params: ErrorParams<S['message']>, details?: unknown) => HotlineError) & {
  readonly code: string;
  readonly status: number;
  /** True when `err` is this error (a HotlineError with this code). */
  is(err: unknown): err is HotlineError;
};

export type ErrorCatalogue<C extends Record<string, ErrorSpec>> = { readonly [K in keyof C]: ErrorFactory<C[K]> };

export class HotlineError extends Error {
  readonly statusCode: number;
  readonly code: string;
  /** The values of the message's placeholders, for clients that render their own text. */
  readonly params: Readonly<Record<string, unknown>>;
  readonly details?: unknown;

  constructor(statusCode: number, code: string, message: string, details?: unknown, params: Record<string, unknown> = {}) {
    super(message);
    this.name = 'HotlineError';
    this.statusCode = statusCode;
    this.code = code;
    this.details = details;
    this.params = params;
  }
}

/** A declared code with the module that declared it, for docs and the desk's coverage test. */
export interface DeclaredError extends ErrorSpec {
  readonly code: string;
  readonly module: string;
}

const declared = new Map<string, DeclaredError>();

/** Fills `{name}` placeholders; a missing value shows as `?` rather than breaking the text. */
export function formatMessage(template: string, params: Record<string, unknown> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = params[name];
    return v === undefined || v === null ? '?' : String(v);
  });
}

/** Declares a module's errors; each entry becomes a factory that builds its HotlineError. */
export function defineErrors<const C extends Record<string, ErrorSpec>>(module: string, specs: C): ErrorCatalogue<C> {
  const out: Record<string, unknown> = {};
  for (const [code, spec] of Object.entries(specs)) {
    const previous = declared.get(code);
    if (previous && previous.module !== module) {
      throw new Error(`Error code ${code} of module ${module} is already declared by ${previous.module}: choose another code.`);
    }
    if (!/^[A-Z][A-Z0-9_]*$/.test(code)) throw new Error(`Error code ${code} of module ${module}: use UPPER_SNAKE_CASE.`);
    declared.set(code, { code, module, status: spec.status, message: spec.message });
    const factory = (params: Record<string, unknown> = {}, details?: unknown) =>
      new HotlineError(spec.status, code, formatMessage(spec.message, params), details, { ...params });
    Object.assign(factory, {
      code,
      status: spec.status,
      is: (err: unknown): err is HotlineError => err instanceof HotlineError && err.code === code,
    });
    out[code] = factory;
  }
  return out as ErrorCatalogue<C>;
}

/** Every code declared so far (the catalogues of the modules imported), sorted by code. */
export function declaredErrors(): DeclaredError[] {
  return [...declared.values()].sort((a, b) => a.code.localeCompare(b.code));
}

/** The foundation's own errors: what the server answers before or around any module. */
export const CoreErrors = defineErrors('core', {
  VALIDATION: { status: 400, message: 'Invalid request: {reason}.' },
  MALFORMED_JSON: { status: 400, message: 'The request body is not valid JSON: {reason}.' },
  BODY_TOO_LARGE: { status: 413, message: 'The request body is larger than the limit of {limit} bytes.' },
  INVALID_VALUE: {
    status: 400,
    message:
      'A value in the request cannot be stored: check numbers (within ±9007199254740991), dates (years 0001-9999) and text (no NUL characters).',
  },
  DATABASE_UNAVAILABLE: {
    status: 503,
    message: 'The database is not reachable right now: nothing was changed; try again in a few seconds.',
  },
  INTERNAL: { status: 500, message: 'Internal error: it has been logged; try again, and report it if it persists.' },
  ROUTE_NOT_FOUND: { status: 404, message: 'No route {method} {path}: see /docs for the API.' },
  RATE_LIMITED: { status: 429, message: 'Too many attempts: wait {seconds} s and try again.' },
  UNAUTHORIZED: { status: 401, message: 'Not logged in: POST /api/auth/login first.' },
  ROLE_REFUSED: { status: 403, message: 'Your role {role} may not {method} {route}: allowed for {allowed}.' },
  INVALID_TIME: {
    status: 400,
    message: '{field}={value} is not a time: use ISO 8601, e.g. 2026-11-23 or 2026-11-23T09:00:00+08:00.',
  },
});

export function isHotlineError(err: unknown): err is HotlineError {
  return err instanceof HotlineError;
}

/** A readable one-line description of any thrown value. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
