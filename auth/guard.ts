import type { FastifyRequest } from 'fastify';
import { forbidden, unauthorized } from '../core/errors.js';
import { ROLE_NAMES_ZH } from '../core/roles.js';
import type { Queryable } from '../db/index.js';
import { SESSION_COOKIE, userForToken } from './sessions.js';
import type { User } from './users.js';

declare module 'fastify' {
  interface FastifyRequest {
    user?: User;
  }
}

/**
 * The onRequest hook that enforces every route's `config.roles`. A route that
 * declares neither roles nor `public` is refused: forgetting to declare is a 403,
 * never an open door.
 */
export function authGuard(db: Queryable) {
  return async function guard(req: FastifyRequest) {
    if (req.is404) return;
    const config = req.routeOptions.config;
    if (config.public) return;
    const token = req.cookies?.[SESSION_COOKIE];
    const user = token ? await userForToken(db, token) : undefined;
    if (!user) throw unauthorized();
    req.user = user;
    const roles = config.roles;
    if (roles === 'any' || user.role === 'admin') return;
    if (!roles?.includes(user.role)) {
      const allowed = roles?.length ? roles.map((r) => `${r} (${ROLE_NAMES_ZH[r]})`).join(', ') : 'nobody';
      throw forbidden(`Your role ${user.role} may not ${req.method} ${req.routeOptions.url}: allowed for ${allowed}.`);
    }
  };
}

/** The logged-in user of a guarded route (the guard has already refused anonymous calls). */
export function currentUser(req: FastifyRequest): User {
  if (!req.user) throw unauthorized();
  return req.user;
}
