/** auth's refusals: logins, sessions still in the login's last steps, two-factor, users. */
import { defineErrors } from '../core/index.js';

export const AuthErrors = defineErrors('auth', {
  // One text for a wrong password, an unknown name and a disabled account, so a refusal
  // never tells which usernames exist; the lock is told the same way for real and unknown names.
  LOGIN_REFUSED: { status: 401, message: 'Wrong username or password.' },
  LOGIN_LOCKED: { status: 401, message: 'Wrong username or password. Too many failed attempts: try again in {minutes} min.' },
  PASSWORD_CHANGE_REQUIRED: {
    status: 401,
    message: 'Change your password first: POST /api/auth/password, then log in again if asked.',
  },
  TWO_FACTOR_ENROLMENT_REQUIRED: {
    status: 401,
    message: 'Enrol two-factor login first: POST /api/auth/totp/enrol, then /api/auth/totp/confirm.',
  },
  // 400, not 401: the session is valid, only this step comes later (a 401 sends the desk to its login page).
  PASSWORD_CHANGE_PENDING: { status: 400, message: 'Change your password first: POST /api/auth/password.' },
  TWO_FACTOR_ENROLMENT_PENDING: { status: 400, message: 'Enrol two-factor login first: POST /api/auth/totp/enrol.' },
  TWO_FACTOR_REQUIRED: { status: 401, message: 'Enter the 6-digit code of your authenticator app, or a recovery code.' },
  TWO_FACTOR_INVALID: { status: 401, message: 'The code is wrong or was already used: enter the current one.' },
  /** The code given to turn two-factor off: 403, the session stays logged in. */
  TWO_FACTOR_CODE_REFUSED: { status: 403, message: 'The code is wrong or was already used: enter the current one.' },
  TWO_FACTOR_CODE_MISMATCH: { status: 400, message: 'The code does not match: check the phone’s clock and enter the current code.' },
  TWO_FACTOR_NO_ENROLMENT: { status: 400, message: 'No enrolment is waiting: POST /api/auth/totp/enrol first.' },
  TWO_FACTOR_NOT_ENROLLED: { status: 400, message: 'Two-factor login is not enrolled: POST /api/auth/totp/enrol first.' },
  TWO_FACTOR_MANDATORY: { status: 409, message: 'Two-factor login is mandatory for your role on this site (TWO_FACTOR=required).' },
  WRONG_PASSWORD: { status: 403, message: 'The current password is wrong: type it again.' },
  /** `details.rule` names the broken rule (auth/password-policy.ts, or `same`): the desk shows it in Chinese. */
  WEAK_PASSWORD: { status: 400, message: '{reason}' },
  PASSWORD_TOO_SHORT: { status: 400, message: 'The password is too short: use at least {min} characters.' },
  USERNAME_INVALID: { status: 400, message: `Username "{username}" is not valid: use 2-64 letters, digits, '.', '_' or '-'.` },
  ROLE_UNKNOWN: { status: 400, message: 'Role "{role}" is unknown: use one of {roles}.' },
  USER_UNIT_NOT_FOUND: { status: 404, message: 'Organisation unit "{code}" does not exist: list them with GET /api/org-units.' },
  HANDLER_NEEDS_UNIT: {
    status: 400,
    message: 'A handler must belong to a department or unit: give its code (--unit CODE / orgUnitCode).',
  },
  USER_EXISTS: { status: 409, message: 'User "{username}" already exists.' },
  USER_NOT_FOUND: { status: 404, message: 'User {id} does not exist: list users with GET /api/users.' },
  USERNAME_NOT_FOUND: { status: 404, message: 'User "{username}" does not exist: list users with GET /api/users.' },
  CANNOT_DISABLE_SELF: { status: 409, message: 'You cannot disable yourself: ask another admin.' },
  LAST_ADMIN: { status: 409, message: 'This is the last active admin: enable or create another first.' },
  CROSS_ORIGIN: {
    status: 403,
    message:
      'Cross-site request refused: origin {origin} is not this server ({self}). Open the desk at its own address, or add the origin to ALLOWED_ORIGINS (behind a proxy, set TRUST_PROXY so X-Forwarded-Host counts).',
  },
});
