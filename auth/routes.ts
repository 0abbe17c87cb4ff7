import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { ModuleContext } from '../core/context.js';
import { unauthorized } from '../core/errors.js';
import { protectedErrors } from '../core/http.js';
import { ROLES } from '../core/roles.js';
import { verifyPassword } from './password.js';
import { createSession, deleteSession, SESSION_COOKIE } from './sessions.js';
import { createUser, findUserByName, listUsers } from './users.js';

export interface AuthOptions {
  ctx: ModuleContext;
  sessionTtlHours: number;
  loginRateLimit: number;
  cookieSecure: boolean;
}

const UserSchema = Type.Object(
  {
    id: Type.Integer(),
    username: Type.String(),
    displayName: Type.String(),
    role: Type.Union(ROLES.map((r) => Type.Literal(r))),
    orgUnitId: Type.Union([Type.Integer(), Type.Null()]),
    active: Type.Boolean(),
  },
  { $id: 'User' },
);

// A fixed hash to compare against when the user does not exist, so a wrong username
// takes as long as a wrong password and usernames cannot be probed by timing.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

export const authRoutes: FastifyPluginAsyncTypebox<AuthOptions> = async (app, opts) => {
  const { db } = opts.ctx;
  app.addSchema(UserSchema);

  app.post(
    '/api/auth/login',
    {
      config: {
        public: true,
        rateLimit: { max: opts.loginRateLimit, timeWindow: '1 minute' },
      },
      schema: {
        tags: ['auth'],
        summary: 'Log in with username and password; sets the session cookie',
        body: Type.Object({
          username: Type.String({ minLength: 1, maxLength: 64 }),
          password: Type.String({ minLength: 1, maxLength: 256 }),
        }),
        response: { 200: Type.Object({ user: Type.Ref('User') }), ...protectedErrors },
      },
    },
    async (req, reply) => {
      const { username, password } = req.body;
      const user = await findUserByName(db, username);
      const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
      if (!user || !ok || !user.active) throw unauthorized('Wrong username or password.');
      const session = await createSession(db, user.id, opts.sessionTtlHours, req.headers['user-agent']);
      await db.query('UPDATE users SET last_login_at = now() WHERE id = $1', [user.id]);
      reply.setCookie(SESSION_COOKIE, session.token, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: opts.cookieSecure,
        expires: session.expiresAt,
      });
      const { passwordHash: _omit, ...publicUser } = user;
      return { user: publicUser };
    },
  );

  app.post(
    '/api/auth/logout',
    {
      config: { roles: 'any' },
      schema: { tags: ['auth'], summary: 'End the current session', response: { 204: Type.Null(), ...protectedErrors } },
    },
    async (req, reply) => {
      const token = req.cookies[SESSION_COOKIE];
      if (token) await deleteSession(db, token);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/me',
    {
      config: { roles: 'any' },
      schema: { tags: ['auth'], summary: 'The logged-in user', response: { 200: Type.Ref('User'), ...protectedErrors } },
    },
    async (req) => req.user,
  );

  app.get(
    '/api/users',
    {
      config: { roles: ['supervisor', 'admin'] },
      schema: { tags: ['users'], summary: 'All users', response: { 200: Type.Array(Type.Ref('User')), ...protectedErrors } },
    },
    async () => listUsers(db),
  );

  app.post(
    '/api/users',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['users'],
        summary: 'Create a user',
        body: Type.Object({
          username: Type.String({ minLength: 2, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' }),
          password: Type.String({ minLength: 8, maxLength: 256 }),
          role: Type.Union(ROLES.map((r) => Type.Literal(r))),
          displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          orgUnitCode: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
        }),
        response: { 201: Type.Ref('User'), ...protectedErrors, 404: Type.Ref('ErrorResponse'), 409: Type.Ref('ErrorResponse') },
      },
    },
    async (req, reply) => reply.code(201).send(await createUser(db, req.body)),
  );
};
