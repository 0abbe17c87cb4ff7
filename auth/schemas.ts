/**
 * The shapes auth's routes answer: the one source of the server's types and the desk's
 * (`import type { User, LoginResponse } from 'auth/index.js'`).
 */
import { type Static, Type } from '@sinclair/typebox';
import { ROLES } from '../core/index.js';

export const UserSchema = Type.Object(
  {
    id: Type.Integer(),
    username: Type.String(),
    displayName: Type.String(),
    role: Type.Union(ROLES.map((r) => Type.Literal(r))),
    orgUnitId: Type.Union([Type.Integer(), Type.Null()]),
    active: Type.Boolean(),
    mustChangePassword: Type.Boolean({ description: 'the next login may only change the password' }),
    demo: Type.Boolean({ description: 'a demo user with the published password' }),
    twoFactor: Type.Boolean({ description: 'TOTP enrolled: the login asks for a code' }),
    lockedUntil: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'locked after wrong passwords until' }),
  },
  { $id: 'User' },
);

/** What the login still needs before the session is a full one. */
export const NextSchema = Type.Union([Type.Literal('change_password'), Type.Literal('enrol_two_factor'), Type.Null()], {
  description: 'change_password / enrol_two_factor: the session may only do that step (then it is a full login); null: logged in',
});

/** POST /api/auth/login and POST /api/auth/password. */
export const LoginResponseSchema = Type.Object({ user: Type.Ref('User'), next: NextSchema });

/** A user as the API shows it (never the password hash or the TOTP secret). */
export type User = Static<typeof UserSchema>;
export type LoginNext = Static<typeof NextSchema>;
export type LoginResponse = { user: User; next: LoginNext };
