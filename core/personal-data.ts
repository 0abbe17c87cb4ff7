/**
 * Personal fields at rest (caller phone numbers and names) are sealed with the site's
 * key: AES-256-GCM, one random nonce per value, the key's id in front so a rotated key
 * can still open what it sealed. Exact-number search uses a keyed hash (HMAC-SHA-256)
 * kept beside the sealed value, so the database never holds a number in clear and a
 * stolen copy cannot be searched without the key either.
 *
 * Values without the prefix are plaintext from before sealing (or written by hand); they
 * are read as they are, and the start-up pass seals them.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';

const PREFIX = 'enc1:';

export interface DataKey {
  /** First 8 hex digits of the key's SHA-256: names the key in sealed values, reveals nothing. */
  id: string;
  enc: Buffer;
  mac: Buffer;
}

export interface DataKeyring {
  current: DataKey;
  /** Every key that may open a value: the current one first, then the previous ones. */
  all: DataKey[];
}

/** A DATA_KEY as written in the settings: 32 bytes in base64 (44 characters) or hex (64). */
export function parseDataKey(text: string, name = 'DATA_KEY'): Buffer {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  const raw = /^[A-Za-z0-9+/]{43}=?$/.test(t) ? Buffer.from(t, 'base64') : Buffer.alloc(0);
  if (raw.length !== 32) {
    throw new Error(
      `${name} is not a 32-byte key: give 44 characters of base64 or 64 hex digits (make one with: openssl rand -base64 32).`,
    );
  }
  return raw;
}

export function newDataKey(): string {
  return randomBytes(32).toString('base64');
}

function derive(key: Buffer): DataKey {
  const sub = (info: string) => Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), info, 32));
  return {
    id: createHash('sha256').update(key).digest('hex').slice(0, 8),
    enc: sub('hotline personal field encryption'),
    mac: sub('hotline phone search hash'),
  };
}

export function keyringFrom(current: Buffer, previous: Buffer[] = []): DataKeyring {
  const c = derive(current);
  const rest = previous.map(derive).filter((k) => k.id !== c.id);
  return { current: c, all: [c, ...rest] };
}

let active: DataKeyring | undefined;

/** Sets the process's keyring (at start, from DATA_KEY or the key file). */
export function setDataKeyring(ring: DataKeyring): void {
  active = ring;
}

/**
 * The process's keyring. A process that was never given one (a unit test, a bench) gets
 * a random key of its own: what it seals lives only as long as it does. The server and
 * the command line always set one at start (app/runtime.ts).
 */
export function dataKeyring(): DataKeyring {
  active ??= keyringFrom(randomBytes(32));
  return active;
}

export function isSealed(value: string | null | undefined): boolean {
  return typeof value === 'string' && value.startsWith(PREFIX);
}

/** Whether a value is sealed with the current key (nothing to do for a rotation). */
export function sealedWithCurrent(value: string | null | undefined, ring = dataKeyring()): boolean {
  return typeof value === 'string' && value.startsWith(`${PREFIX}${ring.current.id}:`);
}

export function seal(value: string | null | undefined, ring = dataKeyring()): string | null {
  if (value == null || value === '') return value ?? null;
  // Only a value that really opens counts as sealed: text that merely looks like one
  // (typed into a form) is sealed like any other text.
  let text = value;
  if (isSealed(value)) {
    try {
      text = open(value, ring) as string;
    } catch {
      text = value;
    }
    if (text !== value && sealedWithCurrent(value, ring)) return value;
  }
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', ring.current.enc, iv);
  const body = Buffer.concat([cipher.update(text as string, 'utf8'), cipher.final()]);
  return `${PREFIX}${ring.current.id}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
}

export class DataKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataKeyError';
  }
}

export function open(value: string | null | undefined, ring = dataKeyring()): string | null {
  if (value == null) return null;
  if (!isSealed(value)) return value;
  const [, id, b64] = value.split(':');
  const key = ring.all.find((k) => k.id === id);
  if (!key || !b64) {
    throw new DataKeyError(
      `A personal field was sealed with data key ${id}, which this process does not have: set DATA_KEY (and DATA_KEYS_PREVIOUS after a rotation) as on the other processes.`,
    );
  }
  const raw = Buffer.from(b64, 'base64');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.enc, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    throw new DataKeyError(`A personal field sealed with data key ${id} does not open: the value was altered or the key is wrong.`);
  }
}

/**
 * The digits that identify a phone number however it was written: 138-0013-8000,
 * +86 138 0013 8000 and 13800138000 are one number.
 */
export function phoneDigits(phone: string): string {
  const d = phone.replace(/\D/g, '');
  const cc = /^(?:0086|86)(1[3-9]\d{9})$/.exec(d);
  return cc ? (cc[1] as string) : d;
}

/** The keyed search hash of a phone number (in clear) under one key, or null for no number. */
export function phoneHash(phone: string | null | undefined, key = dataKeyring().current): string | null {
  if (!phone) return null;
  const digits = phoneDigits(phone);
  if (!digits) return null;
  return createHmac('sha256', key.mac).update(digits).digest('hex').slice(0, 32);
}

/** Its hash under every key: a search finds rows a rotation has not reached yet. */
export function phoneHashes(phone: string, ring = dataKeyring()): string[] {
  return ring.all.map((k) => phoneHash(phone, k)).filter((h): h is string => h !== null);
}

/**
 * ID and bank card numbers inside free text (a description, a transcript): 15-19 digits
 * not starting with 0, or 17 digits and X, standing alone. Case numbers (13 digits or
 * 8-6), phone numbers (11-12) and dates are shorter and stay as they are.
 */
const LONG_NUMBER = /(?<![\dA-Za-z])(?:[1-9]\d{16}[Xx]|[1-9]\d{14,18})(?![\dA-Za-z])/g;
const TOKEN = /\[\[(enc1:[0-9a-f]{8}:[A-Za-z0-9+/=]+)\]\]/g;

/** The text with each ID or card number sealed in place as [[enc1:…]]. */
export function sealNumbersInText(text: string, ring = dataKeyring()): string {
  // A token that does not open (typed, not sealed) is broken up so it stays plain text.
  const plain = text.replace(TOKEN, (m, v: string) => {
    try {
      return open(v, ring) as string;
    } catch {
      return m.replace('[[', '[ [');
    }
  });
  return plain.replace(LONG_NUMBER, (n) => `[[${seal(n, ring)}]]`);
}

/** The text with its sealed numbers opened (plain text passes through). */
export function openNumbersInText(text: string, ring?: DataKeyring): string;
export function openNumbersInText(text: string | null, ring?: DataKeyring): string | null;
export function openNumbersInText(text: string | null, ring = dataKeyring()): string | null {
  if (text == null || !text.includes('[[enc1:')) return text;
  return text.replace(TOKEN, (_m, v: string) => open(v, ring) as string);
}

/** Whether a text still holds a number in clear, or one sealed with an older key. */
export function textNeedsSealing(text: string | null, ring = dataKeyring()): boolean {
  if (!text) return false;
  LONG_NUMBER.lastIndex = 0;
  if (LONG_NUMBER.test(text)) return true;
  for (const m of text.matchAll(TOKEN)) if (!sealedWithCurrent(m[1], ring)) return true;
  return false;
}

/**
 * textNeedsSealing as a SQL condition on `column`, a cheap pre-filter for the reseal
 * passes (the exact test runs on each row found). `param` is the placeholder bound to
 * tokenOfCurrentKey(ring).
 */
export function sqlTextNeedsSealing(column: string, param: string): string {
  return `(${column} ~ '(^|[^0-9A-Za-z])[1-9][0-9]{14}' OR (${column} LIKE '%[[enc1:%' AND ${column} NOT LIKE ${param}))`;
}

/** A LIKE pattern for text holding a token of the current key. */
export const tokenOfCurrentKey = (ring = dataKeyring()) => `%[[enc1:${ring.current.id}:%`;

/** A LIKE pattern for a value sealed with the current key. */
export const sealedByCurrentKey = (ring = dataKeyring()) => `${PREFIX}${ring.current.id}:%`;
