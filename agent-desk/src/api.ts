import { noteRequest, startActivityHeartbeat } from './activity.js';
import { errorTextZh } from './errors.js';

/**
 * The desk's HTTP client. Every refusal becomes an ApiError whose `message` is what users
 * read: the Chinese text of its code (errors.ts) with the server's `params`, or else a
 * Chinese lead and the server's own English message (which says what happened and what to
 * do), so views show it as it is.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The server's `details` (e.g. `{ rule }` of a refused password). */
    readonly details?: unknown,
    /** The values of the code's placeholders, as the server sent them. */
    readonly params: Readonly<Record<string, unknown>> = {},
    /** The server's English message, for logs and support. */
    readonly serverMessage: string = message,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let onUnauthorized: () => void = () => {};
/** Called when a request comes back 401 (the session ended): the app shows the login page. */
export function setUnauthorizedHandler(fn: () => void) {
  onUnauthorized = fn;
}

type Query = Record<string, string | number | boolean | undefined | null>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

/** What a refusal means, in the desk's language; the server's own words follow it. */
const STATUS_LEAD: Record<number, string> = {
  400: '输入有误',
  403: '无权进行此操作',
  404: '未找到',
  409: '操作冲突',
  413: '内容过大',
  415: '格式不受支持',
  429: '操作过于频繁，请稍后再试',
  503: '服务暂不可用',
};

/**
 * Server messages are English for operators and logs: users read the code's Chinese text,
 * or, for a code the desk has no text for, a Chinese lead before the server's words.
 */
function forUsers(status: number, code: string, params: Record<string, unknown>, message: string): string {
  const zh = errorTextZh(code, params);
  if (zh !== undefined) return zh;
  if (/\p{Script=Han}/u.test(message)) return message;
  const lead = STATUS_LEAD[status] ?? (status >= 500 ? '服务器出错' : `请求被拒绝（${status}）`);
  return `${lead}：${message}`;
}

async function errorOf(res: Response): Promise<ApiError> {
  let code = 'HTTP_ERROR';
  let message = `服务器返回 ${res.status} ${res.statusText}`;
  let details: unknown;
  let params: Record<string, unknown> = {};
  try {
    const body = await res.json();
    if (body && typeof body.message === 'string') message = body.message;
    if (body && typeof body.code === 'string') code = body.code;
    if (body?.params && typeof body.params === 'object') params = body.params;
    details = body?.details;
  } catch {
    // Not JSON (a proxy's error page): keep the status line.
  }
  return new ApiError(res.status, code, forUsers(res.status, code, params, message), details, params, message);
}

export async function request<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
  let res: Response;
  noteRequest();
  try {
    res = await fetch(withQuery(path, query), {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', '无法连接服务器：请检查网络后重试，已填写的内容不会丢失。');
  }
  if (res.status === 401 && !path.startsWith('/api/auth/login')) onUnauthorized();
  if (!res.ok) throw await errorOf(res);
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  return (type.includes('json') ? await res.json() : await res.text()) as T;
}

// The session ends after SESSION_IDLE_MINUTES without a request; input in the desk counts as use.
startActivityHeartbeat(() =>
  request('GET', '/api/auth/heartbeat').then(
    () => undefined,
    () => undefined,
  ),
);

export const api = {
  get: <T>(path: string, query?: Query) => request<T>('GET', path, undefined, query),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, body ?? {}),
  patch: <T>(path: string, body?: unknown) => request<T>('PATCH', path, body ?? {}),
  del: <T>(path: string) => request<T>('DELETE', path),
};

/** Downloads a file from the API, showing the server's message when it refuses. */
export async function download(path: string, query: Query, filename: string) {
  const res = await fetch(withQuery(path, query), { credentials: 'same-origin' });
  if (!res.ok) throw await errorOf(res);
  const blob = await res.blob();
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** Whether an error means the route does not exist on this server (a module not installed yet). */
export const isMissingRoute = (err: unknown) => err instanceof ApiError && err.code === 'ROUTE_NOT_FOUND';
