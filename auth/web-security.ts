/**
 * Browser-facing defences beyond SameSite cookies: an Origin check against cross-site
 * requests (CSRF, cross-site WebSocket hijacking) and the security headers (CSP,
 * X-Frame-Options, nosniff) through @fastify/helmet.
 */
import type { FastifyHelmetOptions } from '@fastify/helmet';
import type { FastifyRequest } from 'fastify';
import { AuthErrors } from './errors.js';
import { SESSION_COOKIE } from './sessions.js';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** `host[:port]` as a browser writes it in an Origin (default ports left out). */
function authority(origin: string): string | undefined {
  try {
    const u = new URL(origin);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.host.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

export function parseAllowedOrigins(list: string | undefined): string[] {
  return (list ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const a = authority(s);
      if (!a) throw new Error(`ALLOWED_ORIGINS: "${s}" is not an origin such as https://hotline.example.gov.cn`);
      return a;
    });
}

/**
 * An onRequest hook refusing cross-site requests that would act with the session cookie:
 * state-changing methods that carry it, every login (login CSRF) and every WebSocket
 * upgrade. The origin is the Origin header, else the Referer's; it must be this server
 * (the Host, or X-Forwarded-Host with TRUST_PROXY) or one of ALLOWED_ORIGINS. Schemes are
 * not compared: behind a TLS proxy the server sees http while the browser says https.
 *
 * A request with neither header passes: browsers always send Origin on cross-site
 * POST/PUT/PATCH/DELETE and on WebSocket handshakes (and on same-origin ones, with this
 * server's Referrer-Policy), so only non-browser clients (curl, the CLI, scripts, tests)
 * arrive without both, and those hold their cookie themselves: no ambient authority
 * for a forged request to borrow. `Origin: null` (sandboxed frames, some redirects) is refused.
 */
export function originCheck(opts: { allowedOrigins?: readonly string[] } = {}) {
  const allowed = new Set(opts.allowedOrigins ?? []);
  return async function checkOrigin(req: FastifyRequest) {
    const upgrade = req.headers.upgrade?.toLowerCase() === 'websocket';
    if (!upgrade && !STATE_CHANGING.has(req.method)) return;
    const hasCookie = req.headers.cookie?.includes(`${SESSION_COOKIE}=`) ?? false;
    const isLogin = req.url.split('?')[0] === '/api/auth/login';
    if (!upgrade && !hasCookie && !isLogin) return;
    const origin = req.headers.origin ?? refererOrigin(req.headers.referer);
    if (origin === undefined) return;
    const from = origin === 'null' ? undefined : authority(origin);
    const self = req.host.toLowerCase();
    if (from && (from === self || from === authority(`http://${self}`) || allowed.has(from))) return;
    throw AuthErrors.CROSS_ORIGIN({ origin, self });
  };
}

function refererOrigin(referer: string | undefined): string | undefined {
  if (!referer) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return 'null';
  }
}

/**
 * Helmet's headers with a CSP the desk and /docs work under: scripts only from this
 * server (Vite emits no inline script), inline styles allowed (antd and swagger-ui set
 * element styles and insert <style> at run time), images also from data: and blob:
 * URLs, connections to this server (its WebSocket included), no framing anywhere.
 * No upgrade-insecure-requests: a site on plain HTTP inside its own network must keep
 * working. Referrer-Policy same-origin keeps URLs (which may hold a searched phone
 * number) from other sites while letting the Origin check see same-origin requests.
 */
export const HELMET_OPTIONS: FastifyHelmetOptions = {
  global: true,
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      scriptSrcAttr: ["'none'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'blob:'],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      mediaSrc: ["'self'", 'blob:'],
      workerSrc: ["'self'", 'blob:'],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'same-origin' },
  // Only meaningful over HTTPS (browsers ignore it on HTTP); not for the whole domain,
  // which a government site shares with others.
  strictTransportSecurity: { maxAge: 180 * 86400, includeSubDomains: false },
  crossOriginEmbedderPolicy: false,
};
