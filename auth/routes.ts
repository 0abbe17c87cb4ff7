import { normalizeIP } from '@fastify/rate-limit';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ModuleContext } from '../core/index.js';
import { IdParams, protectedErrors, ROLES } from '../core/index.js';
import type { Queryable } from '../db/index.js';
import { AuthErrors } from './errors.js';
import { currentUser } from './guard.js';
import { loginRefusal, PhantomLocks, recordFailure, recordSuccess } from './lockout.js';
import { verifyPassword } from './password.js';
import type { User } from './schemas.js';
import { LoginResponseSchema, NextSchema as Next, UserSchema } from './schemas.js';
import { createSession, deleteSession, type Pending, SESSION_COOKIE, setSessionPending } from './sessions.js';
import { type AuthSettings, DEFAULT_AUTH_SETTINGS, TWO_FACTOR_ROLES } from './settings.js';
import { confirmTotp, disableTotp, newRecoveryCodeSet, startTotpEnrolment, verifySecondFactor } from './two-factor.js';
import {
  createUser,
  findUserById,
  findUserByName,
  type LoginRow,
  listUsers,
  otherActiveAdmins,
  setActive,
  setPassword,
  unlockUser,
} from './users.js';

export interface AuthOptions {
  ctx: ModuleContext;
  sessionTtlHours: number;
  loginRateLimit: number;
  /** Secure cookie: always, never, or 'auto' = when the request came over HTTPS (X-Forwarded-Proto with TRUST_PROXY). */
  cookieSecure: boolean | 'auto';
  settings?: AuthSettings;
}

const NEXT_OF: Record<Pending, 'change_password' | 'enrol_two_factor'> = {
  password: 'change_password',
  totp_enrol: 'enrol_two_factor',
};
const nextOf = (p: Pending | null) => (p ? NEXT_OF[p] : null);

const PasswordBody = Type.String({ minLength: 1, maxLength: 256 });
const ref = (id: string) => Type.Ref(id);

// A fixed hash to compare against when the user does not exist, so a wrong username
// takes as long as a wrong password and usernames cannot be probed by timing.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

const publicUser = (u: LoginRow | User): User => {
  const { id, username, displayName, role, orgUnitId, active, mustChangePassword, demo, twoFactor, lockedUntil } = u;
  return { id, username, displayName, role, orgUnitId, active, mustChangePassword, demo, twoFactor, lockedUntil };
};

export const authRoutes: FastifyPluginAsyncTypebox<AuthOptions> = async (app, opts) => {
  const { db } = opts.ctx;
  const settings = opts.settings ?? DEFAULT_AUTH_SETTINGS;
  const phantoms = new PhantomLocks();
  app.addSchema(UserSchema);

  const twoFactorMandatory = (role: string) => settings.twoFactor === 'required' && TWO_FACTOR_ROLES.includes(role);
  /** The step after the password: a mandatory enrolment, or none. */
  const afterPassword = (u: User): Pending | null => (twoFactorMandatory(u.role) && !u.twoFactor ? 'totp_enrol' : null);

  const setCookie = (req: FastifyRequest, reply: FastifyReply, token: string, expires: Date) => {
    reply.setCookie(SESSION_COOKIE, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: opts.cookieSecure === 'auto' ? req.protocol === 'https' : opts.cookieSecure,
      expires,
    });
  };

  /** Re-checks the password of the logged-in user for a sensitive step; a wrong one counts towards the lockout. */
  const reauthenticate = async (q: Queryable, user: User, password: string) => {
    const row = await findUserByName(q, user.username);
    if (!row || row.lockedForMs > 0 || !(await verifyPassword(password, row.passwordHash))) {
      if (row && row.lockedForMs <= 0) await recordFailure(q, row.id, settings);
      throw AuthErrors.WRONG_PASSWORD();
    }
    return row;
  };

  app.post(
    '/api/auth/login',
    {
      config: {
        public: true,
        // Per address *and* username: one person's typos behind a call centre's NAT do not
        // lock out everyone else there. Guessing is bounded per account by the lockout.
        rateLimit: {
          max: opts.loginRateLimit,
          timeWindow: '1 minute',
          hook: 'preHandler',
          keyGenerator: (req) => {
            const name = (req.body as { username?: unknown } | undefined)?.username;
            return `${normalizeIP(req.ip)}|${typeof name === 'string' ? name.toLowerCase() : ''}`;
          },
        },
      },
      schema: {
        tags: ['auth'],
        summary:
          'Log in with username and password (and the TOTP or a recovery code once enrolled); sets the session cookie. ' +
          `${settings.lockoutFailures} failures in a row lock the account for ${settings.lockoutMinutes} min, longer each time.`,
        security: [],
        body: Type.Object({
          username: Type.String({ minLength: 1, maxLength: 64 }),
          password: PasswordBody,
          code: Type.Optional(Type.String({ minLength: 1, maxLength: 20, description: 'TOTP code or recovery code' })),
        }),
        response: { 200: LoginResponseSchema, ...protectedErrors, 429: ref('ErrorResponse') },
      },
    },
    async (req, reply) => {
      const { username, password, code } = req.body;
      const user = await findUserByName(db, username);
      const lockedFor = user ? user.lockedForMs : phantoms.lockedForMs(username);
      const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
      if (lockedFor > 0) throw loginRefusal(lockedFor);
      if (!user || !ok || !user.active) {
        const now = user ? await recordFailure(db, user.id, settings) : phantoms.fail(username, settings);
        throw loginRefusal(now);
      }
      if (user.totpSecret) {
        if (!code) throw AuthErrors.TWO_FACTOR_REQUIRED();
        if (!(await verifySecondFactor(db, user, code))) {
          const now = await recordFailure(db, user.id, settings);
          if (now > 0) throw loginRefusal(now);
          throw AuthErrors.TWO_FACTOR_INVALID();
        }
      }
      const lockedMeanwhile = await recordSuccess(db, user.id);
      if (lockedMeanwhile > 0) throw loginRefusal(lockedMeanwhile);
      const pending: Pending | null = user.mustChangePassword && !user.demo ? 'password' : afterPassword(user);
      const session = await createSession(db, user.id, {
        ttlHours: opts.sessionTtlHours,
        maxPerUser: settings.maxSessionsPerUser,
        pending,
        userAgent: req.headers['user-agent'],
      });
      setCookie(req, reply, session.token, session.expiresAt);
      return { user: publicUser(user), next: nextOf(pending) };
    },
  );

  app.post(
    '/api/auth/logout',
    {
      config: { roles: 'any', allowPending: true },
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
    '/api/auth/heartbeat',
    {
      config: { roles: 'any' },
      schema: {
        tags: ['auth'],
        summary: `Keeps the session alive (it ends after ${settings.idleMinutes} min without a request); the desk calls it while someone uses it`,
        response: { 204: Type.Null(), ...protectedErrors },
      },
    },
    async (_req, reply) => reply.code(204).send(null),
  );

  app.post(
    '/api/auth/password',
    {
      config: { roles: 'any', allowPending: true },
      schema: {
        tags: ['auth'],
        summary: 'Change your own password (also the forced change after a reset); ends your other sessions',
        body: Type.Object({ currentPassword: PasswordBody, newPassword: PasswordBody }),
        response: { 200: LoginResponseSchema, ...protectedErrors },
      },
    },
    async (req) => {
      const me = currentUser(req);
      const session = req.authSession;
      if (session?.pending === 'totp_enrol') throw AuthErrors.TWO_FACTOR_ENROLMENT_PENDING();
      await reauthenticate(db, me, req.body.currentPassword);
      if (req.body.newPassword === req.body.currentPassword) {
        throw AuthErrors.WEAK_PASSWORD({ reason: 'The new password is the current one: choose a different one.' }, { rule: 'same' });
      }
      const user = await setPassword(db, me.id, req.body.newPassword, { mustChange: false, keepSessionHash: session?.tokenHash });
      const pending = afterPassword(user);
      if (session) await setSessionPending(db, session.tokenHash, pending);
      return { user, next: nextOf(pending) };
    },
  );

  app.post(
    '/api/auth/totp/enrol',
    {
      config: { roles: 'any', allowPending: true },
      schema: {
        tags: ['auth'],
        summary: 'Start enrolling TOTP two-factor login: a new secret as otpauth:// URI and base32; confirm it with a code',
        body: Type.Object({ password: PasswordBody }),
        response: { 200: Type.Object({ secret: Type.String(), uri: Type.String() }), ...protectedErrors },
      },
    },
    async (req) => {
      const me = currentUser(req);
      if (req.authSession?.pending === 'password') throw AuthErrors.PASSWORD_CHANGE_PENDING();
      await reauthenticate(db, me, req.body.password);
      return startTotpEnrolment(db, me, settings.totpIssuer);
    },
  );

  app.post(
    '/api/auth/totp/confirm',
    {
      config: { roles: 'any', allowPending: true },
      schema: {
        tags: ['auth'],
        summary: 'Confirm the TOTP enrolment with a current code; answers the recovery codes (shown once)',
        body: Type.Object({ code: Type.String({ minLength: 6, maxLength: 6, pattern: '^[0-9]{6}$' }) }),
        response: {
          200: Type.Object({ user: Type.Ref('User'), recoveryCodes: Type.Array(Type.String()), next: Next }),
          ...protectedErrors,
        },
      },
    },
    async (req) => {
      const me = currentUser(req);
      if (req.authSession?.pending === 'password') throw AuthErrors.PASSWORD_CHANGE_PENDING();
      const recoveryCodes = await db.tx((q) => confirmTotp(q, me.id, req.body.code));
      if (req.authSession) await setSessionPending(db, req.authSession.tokenHash, null);
      return { user: await findUserById(db, me.id), recoveryCodes, next: null };
    },
  );

  app.post(
    '/api/auth/totp/recovery-codes',
    {
      config: { roles: 'any' },
      schema: {
        tags: ['auth'],
        summary: 'New recovery codes (the old ones stop working); shown once',
        body: Type.Object({ password: PasswordBody }),
        response: { 200: Type.Object({ recoveryCodes: Type.Array(Type.String()) }), ...protectedErrors },
      },
    },
    async (req) => {
      const me = currentUser(req);
      if (!me.twoFactor) throw AuthErrors.TWO_FACTOR_NOT_ENROLLED();
      await reauthenticate(db, me, req.body.password);
      return { recoveryCodes: await db.tx((q) => newRecoveryCodeSet(q, me.id)) };
    },
  );

  app.post(
    '/api/auth/totp/disable',
    {
      config: { roles: 'any' },
      schema: {
        tags: ['auth'],
        summary: 'Turn off your own two-factor login (password and a current code); refused where it is mandatory',
        body: Type.Object({ password: PasswordBody, code: Type.String({ minLength: 1, maxLength: 20 }) }),
        response: { 200: Type.Ref('User'), ...protectedErrors },
      },
    },
    async (req) => {
      const me = currentUser(req);
      if (twoFactorMandatory(me.role)) throw AuthErrors.TWO_FACTOR_MANDATORY();
      const row = await reauthenticate(db, me, req.body.password);
      if (!(await verifySecondFactor(db, row, req.body.code))) {
        throw AuthErrors.TWO_FACTOR_CODE_REFUSED();
      }
      await disableTotp(db, me.id);
      return findUserById(db, me.id);
    },
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
        summary: 'Create a user; they change the initial password at their first login unless mustChangePassword is false',
        body: Type.Object({
          username: Type.String({ minLength: 2, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' }),
          password: Type.String({ minLength: 8, maxLength: 256 }),
          role: Type.Union(ROLES.map((r) => Type.Literal(r))),
          displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          orgUnitCode: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          mustChangePassword: Type.Optional(Type.Boolean({ default: true })),
        }),
        response: { 201: Type.Ref('User'), ...protectedErrors, 404: Type.Ref('ErrorResponse'), 409: Type.Ref('ErrorResponse') },
      },
    },
    async (req, reply) => {
      const { mustChangePassword, ...input } = req.body;
      return reply.code(201).send(await createUser(db, input, { policy: true, mustChangePassword: mustChangePassword ?? true }));
    },
  );

  const adminAction = (
    path: string,
    summary: string,
    act: (id: number, me: User, body: Record<string, unknown>) => Promise<User>,
    body?: ReturnType<typeof Type.Object>,
  ) =>
    app.post(
      `/api/users/:id/${path}`,
      {
        config: { roles: ['admin'] },
        schema: {
          tags: ['users'],
          summary,
          params: IdParams,
          ...(body ? { body } : {}),
          response: { 200: Type.Ref('User'), ...protectedErrors, 404: ref('ErrorResponse'), 409: ref('ErrorResponse') },
        },
      },
      async (req) => act(req.params.id, currentUser(req), (req.body ?? {}) as Record<string, unknown>),
    );

  adminAction(
    'password',
    'Reset a user’s password; they must change it at their next login, and their sessions end',
    (id, _me, body) => setPassword(db, id, body.password as string, { mustChange: true }),
    Type.Object({ password: PasswordBody }),
  );
  adminAction('disable', 'Disable a user: their sessions end and they cannot log in', async (id, me) => {
    if (id === me.id) throw AuthErrors.CANNOT_DISABLE_SELF();
    const target = await findUserById(db, id);
    if (target.role === 'admin' && (await otherActiveAdmins(db, id)) === 0) throw AuthErrors.LAST_ADMIN();
    return setActive(db, id, false);
  });
  adminAction('enable', 'Enable a disabled user', (id) => setActive(db, id, true));
  adminAction('unlock', 'Unlock an account locked after wrong passwords', (id) => unlockUser(db, id));
  adminAction('two-factor/reset', 'Remove a user’s TOTP (a lost phone and lost recovery codes); they enrol again', async (id) => {
    await findUserById(db, id);
    await disableTotp(db, id);
    return findUserById(db, id);
  });
};
