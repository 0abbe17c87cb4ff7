/**
 * Personal numbers are stored whole but shown masked in lists and logs.
 * Mobile numbers keep the first 3 and last 4 digits (138****8000), as Chinese
 * government systems commonly display them; landlines keep the area code and the last 4
 * (0571****6666); ID and bank card numbers keep the first 6 (region or bank) and last 4.
 *
 * Every pattern below has bounded quantifiers only and no nested repetition, so a scan
 * costs a constant amount of work per character of text: log lines and request URLs of
 * any length cannot make the masker backtrack catastrophically.
 */

/** 0086 / +86 / 86, optionally followed by one separator. */
const CC = String.raw`(?:(?:\+|00)86|86)[-\s]?`;
const SEP = String.raw`[-\s]?`;

// A mobile number (1[3-9] + 9 digits), whole or grouped 3-4-4, optionally after the country code.
const MOBILE = String.raw`(${CC})?(1[3-9]\d)${SEP}(\d{4})${SEP}(\d{4})`;
// A landline: area code 0 + 2-3 digits (optionally in ASCII or full-width brackets), then a
// local number of 7-8 digits that starts with 2-9, whole or split before its last 4 digits.
const AREA = String.raw`[(（]?(0\d{2,3})[)）]?`;
const LOCAL = String.raw`([2-9]\d{2,3})${SEP}(\d{4})`;
const LANDLINE = `${AREA}${SEP}${LOCAL}`;
// A landline after the country code drops the area code's leading 0: +86 571 88886666.
const LANDLINE_CC = String.raw`(?:\+|00)86${SEP}[(（]?([1-9]\d{1,2})[)）]?${SEP}${LOCAL}`;

const NOT_AFTER = String.raw`(?<![\d+])`;
const NOT_BEFORE = String.raw`(?!\d)`;

const PHONE_IN_TEXT = new RegExp(`${NOT_AFTER}(?:${MOBILE}|${LANDLINE_CC}|${LANDLINE})${NOT_BEFORE}`, 'g');
const PHONE_WHOLE = new RegExp(`^\\s*(?:${MOBILE}|${LANDLINE_CC}|${LANDLINE})\\s*$`);
// Resident ID numbers (18 digits, the last may be X; or the old 15-digit ones) and bank card
// numbers (16-19 digits, also written in groups of 4). Case numbers (13 digits, or
// 8 + '-' + 6) and dates are shorter than 15 digits and stay readable. IDs and cards never
// start with 0, so 0086 13800138000 stays a phone number.
const ID_IN_TEXT = /(?<![\dA-Za-z])(\d{6})\d{8}(\d{3}[Xx])(?![\dA-Za-z])/g;
const LONG_DIGITS_IN_TEXT = /(?<!\d)[1-9]\d{14,18}(?!\d)/g;
const CARD_GROUPS_IN_TEXT = /(?<!\d)\d{4}(?:[\s-]\d{4}){3}(?:[\s-]\d{3})?(?!\d)/g;

/** The first 6 and last 4 digits of a long number, the rest starred. */
const keepEnds = (digits: string) => `${digits.slice(0, 6)}${'*'.repeat(digits.length - 10)}${digits.slice(-4)}`;

type PhoneGroups = (string | undefined)[];

/** The masked form of one phone match; groups as PHONE_IN_TEXT / PHONE_WHOLE capture them. */
function maskPhoneGroups(g: PhoneGroups, keepCountryCode: boolean): string {
  const [, cc, mHead, , mTail, ccArea, , ccLocalTail, area, , localTail] = g;
  if (mHead) return `${keepCountryCode && cc ? cc : ''}${mHead}****${mTail}`;
  if (ccArea) return `${keepCountryCode ? '+86 ' : '0'}${ccArea}****${ccLocalTail}`;
  return `${area}****${localTail}`;
}

export function maskPhone(phone: string | null | undefined): string | null {
  if (phone == null) return null;
  const p = String(phone);
  const known = PHONE_WHOLE.exec(p);
  if (known) return maskPhoneGroups(known, false);
  const digits = p.replace(/\D/g, '');
  if (digits.length >= 11) return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
  if (digits.length >= 7) return `${digits.slice(0, 2)}***${digits.slice(-2)}`;
  if (digits.length > 2) return `${'*'.repeat(digits.length - 2)}${digits.slice(-2)}`;
  return p.length ? '*'.repeat(p.length) : p;
}

export function maskIdNumber(id: string | null | undefined): string | null {
  if (id == null) return null;
  const s = String(id);
  if (s.length <= 10) return '*'.repeat(s.length);
  return `${s.slice(0, 6)}${'*'.repeat(s.length - 10)}${s.slice(-4)}`;
}

/** A name as lists show it: the family name and one star per other character (张*, 欧阳** → 欧***). */
export function maskName(name: string | null | undefined): string | null {
  if (name == null) return null;
  const chars = Array.from(String(name).trim());
  if (!chars.length) return '';
  return `${chars[0]}${'*'.repeat(Math.max(1, chars.length - 1))}`;
}

/**
 * An address as lists show it: the first few characters (district, street) and three stars,
 * so neither the building nor the length of the rest shows; digits in the kept part are starred too.
 */
export function maskAddress(address: string | null | undefined): string | null {
  if (address == null) return null;
  const chars = Array.from(String(address).trim());
  if (!chars.length) return '';
  const keep = Math.min(6, Math.floor(chars.length / 2));
  return `${chars.slice(0, keep).join('').replace(/\d/g, '*')}***`;
}

/**
 * Masks phone (mobile and landline, in the usual written forms), resident ID and bank card
 * numbers found inside free text (for logs, list snippets and descriptions shown to people
 * not working the case).
 */
export function maskText(text: string): string {
  return text
    .replace(ID_IN_TEXT, (_m, a: string, c: string) => `${a}********${c}`)
    .replace(CARD_GROUPS_IN_TEXT, (m: string) => keepEnds(m.replace(/\D/g, '')))
    .replace(LONG_DIGITS_IN_TEXT, keepEnds)
    .replace(PHONE_IN_TEXT, (...args: unknown[]) => maskPhoneGroups(args as PhoneGroups, true));
}
