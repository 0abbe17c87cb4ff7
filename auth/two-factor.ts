/** Enrolment and checking of the TOTP second factor and its recovery codes. */
import { dataKeyring, open, seal, sealedWithCurrent } from '../core/index.js';
import type { Queryable } from '../db/index.js';
import { AuthErrors } from './errors.js';
import { hashRecoveryCode, looksLikeRecoveryCode, matchTotp, newRecoveryCodes, newTotpSecret, otpauthUri } from './totp.js';
import type { LoginRow, User } from './users.js';

/** A new secret waiting for confirmation; a confirmed one stays in force until then. */
export async function startTotpEnrolment(db: Queryable, user: User, issuer: string) {
  const secret = newTotpSecret();
  // Sealed at rest like callers' data (core/personal-data.ts): a copy of the table alone
  // cannot generate anyone's codes.
  await db.query('UPDATE users SET totp_pending = $2 WHERE id = $1', [user.id, seal(secret)]);
  return { secret, uri: otpauthUri(secret, user.username, issuer) };
}

export async function newRecoveryCodeSet(q: Queryable, userId: number): Promise<string[]> {
  const codes = newRecoveryCodes();
  await q.query('DELETE FROM recovery_codes WHERE user_id = $1', [userId]);
  for (const c of codes) await q.query('INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)', [userId, hashRecoveryCode(c)]);
  return codes;
}

/** Makes the pending secret the user's one when `code` proves the app holds it; answers fresh recovery codes. */
export async function confirmTotp(q: Queryable, userId: number, code: string, now = Date.now()): Promise<string[]> {
  const r = await q.query<{ totp_pending: string | null }>('SELECT totp_pending FROM users WHERE id = $1 FOR UPDATE', [userId]);
  const pending = open(r.rows[0]?.totp_pending ?? null);
  if (!pending) throw AuthErrors.TWO_FACTOR_NO_ENROLMENT();
  const step = matchTotp(pending, code, now);
  if (step === undefined) throw AuthErrors.TWO_FACTOR_CODE_MISMATCH();
  await q.query('UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = $2 WHERE id = $1', [
    userId,
    step.toString(),
  ]);
  return newRecoveryCodeSet(q, userId);
}

/**
 * Whether `code` is the user's current TOTP code (each time step counts once) or one of
 * their unused recovery codes (each counts once).
 */
export async function verifySecondFactor(
  db: Queryable,
  user: Pick<LoginRow, 'id' | 'totpSecret' | 'totpLastStep'>,
  code: string,
  now = Date.now(),
) {
  const c = code.trim();
  const secret = open(user.totpSecret);
  if (!secret) return false;
  if (/^\d{6}$/.test(c)) {
    const step = matchTotp(secret, c, now, user.totpLastStep ? BigInt(user.totpLastStep) : null);
    if (step === undefined) return false;
    // Conditional on the last step, so two logins racing with the same code cannot both pass.
    const r = await db.query('UPDATE users SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)', [
      user.id,
      step.toString(),
    ]);
    return r.rowCount === 1;
  }
  if (!looksLikeRecoveryCode(c)) return false;
  const r = await db.query('UPDATE recovery_codes SET used_at = now() WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL', [
    user.id,
    hashRecoveryCode(c),
  ]);
  return r.rowCount === 1;
}

export async function disableTotp(db: Queryable, userId: number) {
  await db.query('UPDATE users SET totp_secret = NULL, totp_pending = NULL, totp_last_step = NULL WHERE id = $1', [userId]);
  await db.query('DELETE FROM recovery_codes WHERE user_id = $1', [userId]);
}

/** Reseals TOTP secrets with the current data key (after a rotation, or from before sealing). */
export async function resealTotpSecrets(db: Queryable): Promise<number> {
  const ring = dataKeyring();
  const r = await db.query<{ id: number; totp_secret: string | null; totp_pending: string | null }>(
    `SELECT id, totp_secret, totp_pending FROM users WHERE totp_secret IS NOT NULL OR totp_pending IS NOT NULL`,
  );
  let n = 0;
  for (const u of r.rows) {
    if ([u.totp_secret, u.totp_pending].every((v) => v == null || sealedWithCurrent(v, ring))) continue;
    await db.query('UPDATE users SET totp_secret = $2, totp_pending = $3 WHERE id = $1', [
      u.id,
      seal(u.totp_secret, ring),
      seal(u.totp_pending, ring),
    ]);
    n++;
  }
  return n;
}
