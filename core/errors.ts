/**
 * Errors that cross a module boundary carry an HTTP status, a stable code and a
 * message that says what happened and what to do about it. The server turns them
 * into `{ statusCode, error, code, message }` responses; the CLI prints the message.
 */
export class HotlineError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly details?: unknown;

  constructor(statusCode: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'HotlineError';
    this.statusCode = statusCode;
    this.code = code;
    this.details = details;
  }
}

export const badRequest = (message: string, details?: unknown) => new HotlineError(400, 'BAD_REQUEST', message, details);
export const unauthorized = (message = 'Not logged in: POST /api/auth/login first.') => new HotlineError(401, 'UNAUTHORIZED', message);
export const forbidden = (message: string) => new HotlineError(403, 'FORBIDDEN', message);
export const notFound = (message: string) => new HotlineError(404, 'NOT_FOUND', message);
export const conflict = (message: string, details?: unknown) => new HotlineError(409, 'CONFLICT', message, details);
export const unavailable = (message: string) => new HotlineError(503, 'UNAVAILABLE', message);

export function isHotlineError(err: unknown): err is HotlineError {
  return err instanceof HotlineError;
}

/** A readable one-line description of any thrown value. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
