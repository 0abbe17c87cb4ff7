/**
 * Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP) with node:crypto, for the
 * second factor of admins and supervisors. Secrets travel as base32 (RFC 4648), which is
 * what authenticator apps read from an otpauth:// URI.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(buf: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** Decodes base32, ignoring case, spaces and padding (apps show secrets in groups). */
export function base32Decode(text: string): Buffer {
  const clean = text.toUpperCase().replace(/[\s=-]/g, '');
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const i = ALPHABET.indexOf(ch);
    if (i < 0) throw new Error(`"${ch}" is not a base32 character`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

export type TotpAlgorithm = 'sha1' | 'sha256' | 'sha512';

/** RFC 4226 HOTP: dynamic truncation of HMAC(secret, counter) to `digits` decimal digits. */
export function hotp(secret: Buffer, counter: bigint, digits = 6, algorithm: TotpAlgorithm = 'sha1'): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(counter);
  const mac = createHmac(algorithm, secret).update(msg).digest();
  const offset = (mac[mac.length - 1] as number) & 0x0f;
  const bin = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(bin % 10 ** digits).padStart(digits, '0');
}

export const TOTP_STEP_S = 30;

/** The time step of a moment (seconds since the epoch divided by the 30 s step). */
export const totpStep = (atMs: number, stepS = TOTP_STEP_S) => BigInt(Math.floor(atMs / 1000 / stepS));

export function totp(secret: Buffer, atMs: number, opts: { digits?: number; algorithm?: TotpAlgorithm; stepS?: number } = {}): string {
  return hotp(secret, totpStep(atMs, opts.stepS), opts.digits ?? 6, opts.algorithm ?? 'sha1');
}

/**
 * The step a 6-digit code matches, allowing one step either side for clock drift, or
 * undefined. A step at or before `lastStep` (the last one used) is refused: a code seen
 * over a shoulder or in a proxy log cannot be played again.
 */
export function matchTotp(secretB32: string, code: string, atMs: number, lastStep?: bigint | null): bigint | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const secret = base32Decode(secretB32);
  const now = totpStep(atMs);
  for (const step of [now - 1n, now, now + 1n]) {
    if (lastStep !== undefined && lastStep !== null && step <= lastStep) continue;
    if (timingSafeEqual(Buffer.from(hotp(secret, step)), Buffer.from(code))) return step;
  }
  return undefined;
}

/** A new 160-bit secret (RFC 4226's recommended length), base32. */
export const newTotpSecret = () => base32Encode(randomBytes(20));

export function otpauthUri(secretB32: string, account: string, issuer: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const q = new URLSearchParams({ secret: secretB32, issuer, algorithm: 'SHA1', digits: '6', period: String(TOTP_STEP_S) });
  return `otpauth://totp/${label}?${q.toString()}`;
}

/** Recovery codes: 10 one-time codes of 10 base32 characters (50 bits each), as `XXXXX-XXXXX`. */
export function newRecoveryCodes(n = 10): string[] {
  return Array.from({ length: n }, () => {
    const s = base32Encode(randomBytes(7)).slice(0, 10);
    return `${s.slice(0, 5)}-${s.slice(5)}`;
  });
}

/** Codes are random, not chosen by people, so a plain SHA-256 is enough to keep them unreadable. */
export const hashRecoveryCode = (code: string) => createHash('sha256').update(code.toUpperCase().replace(/[\s-]/g, '')).digest('hex');

export const looksLikeRecoveryCode = (code: string) => /^[A-Za-z2-7]{5}-?[A-Za-z2-7]{5}$/.test(code.trim());
