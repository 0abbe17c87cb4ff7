export { AuthErrors } from './errors.js';
export { authGuard, currentUser } from './guard.js';
export { hashPassword, verifyPassword } from './password.js';
export { checkPassword, minPasswordLength, PASSWORD_RULE_ZH, type PasswordRule } from './password-policy.js';
export { type AuthOptions, authRoutes } from './routes.js';
export { type LoginNext, type LoginResponse, LoginResponseSchema, NextSchema, UserSchema } from './schemas.js';
export { deleteExpiredSessions, SESSION_COOKIE, sessionStillValid } from './sessions.js';
export { AUTH_SETTINGS, type AuthSettings, type AuthSettingValues, authSettingsFrom, TWO_FACTOR_ROLES } from './settings.js';
export { base32Decode, base32Encode, hotp, matchTotp, otpauthUri, totp } from './totp.js';
export { disableTotp, resealTotpSecrets } from './two-factor.js';
export {
  assertPasswordPolicy,
  type CreateOptions,
  createUser,
  findUserByName,
  listUsers,
  type NewUser,
  otherActiveAdmins,
  setActive,
  setPassword,
  type User,
  unlockUser,
  userColumns,
  userIdByName,
} from './users.js';
export { HELMET_OPTIONS, originCheck, parseAllowedOrigins } from './web-security.js';
