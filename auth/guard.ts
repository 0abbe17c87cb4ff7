import type { FastifyRequest } from 'fastify';
import { CoreErrors, ROLE_NAMES_ZH } from '../core/index.js';
import type { Queryable } from '../db/index.js';
import { AuthErrors } from './errors.js';
import { type Pending, SESSION_COOKIE, sessionForToken } from './sessions.js';
import { DEFAULT_AUTH_SETTINGS } from './settings.js';
import type { User } from './users.js';

declare module 'fastify' {
  interface FastifyRequest {
    user?: User;
    /** The session behind `user`: its token's hash and what it still has to do. */
    authSession?: { tokenHash: string; pending: Pending | null };
  }
  interface FastifyContextConfig {
    /** Open to a session that has yet to change its password or enrol TOTP (the login's last steps). */
    allowPending?: boolean;
  }
}

const PENDING_REFUSAL = {
  password: AuthErrors.PASSWORD_CHANGE_REQUIRED,
  totp_enrol: AuthErrors.TWO_FACTOR_ENROLMENT_REQUIRED,
} as const satisfies Record<Pending, unknown>;

/**
 * The onRequest hook that enforces every route's `config.roles`. A route that
 * declares neither roles nor `public` is refused: forgetting to declare is a 403,
 * never an open door. A session still in the login's last steps (a forced password
 * change, a mandatory TOTP enrolment) is not logged in anywhere else: 401, so the desk
 * goes back to its login page, where those steps are.
 */
export function authGuard(db: Queryable, opts: { idleMinutes?: number } = {}) {
  const idleMinutes = opts.idleMinutes ?? DEFAULT_AUTH_SETTINGS.idleMinutes;
  return async function guard(req: FastifyRequest) {
    if (req.is404) return;
    const config = req.routeOptions.config;
    if (config.public) return;
    const token = req.cookies?.[SESSION_COOKIE];
    const session = token ? await sessionForToken(db, token, idleMinutes) : undefined;
    if (!session) throw CoreErrors.UNAUTHORIZED();
    if (session.pending && !config.allowPending) {
      throw PENDING_REFUSAL[session.pending]();
    }
    const { user } = session;
    req.user = user;
    req.authSession = { tokenHash: session.tokenHash, pending: session.pending };
    const roles = config.roles;
    if (roles === 'any' || user.role === 'admin') return;
    if (!roles?.includes(user.role)) {
      const allowed = roles?.length ? roles.map((r) => `${r} (${ROLE_NAMES_ZH[r]})`).join(', ') : 'nobody';
      throw CoreErrors.ROLE_REFUSED({ role: user.role, method: req.method, route: req.routeOptions.url ?? req.url, allowed });
    }
  };
}

/** The logged-in user of a guarded route (the guard has already refused anonymous calls). */
export function currentUser(req: FastifyRequest): User {
  if (!req.user) throw CoreErrors.UNAUTHORIZED();
  return req.user;
}
