/**
 * Personal numbers are stored whole but shown masked in lists and logs.
 * Mobile numbers keep the first 3 and last 4 digits (138****8000), as Chinese
 * government systems commonly display them; ID numbers keep the first 6 (region) and last 4.
 */
export function maskPhone(phone: string | null | undefined): string | null {
  if (phone == null) return null;
  const p = String(phone);
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

const PHONE_IN_TEXT = /(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)/g;
const ID_IN_TEXT = /(?<![\dXx])(\d{6})(\d{8})(\d{3}[\dXx])(?![\dXx])/g;

/** Masks mobile and ID numbers found inside free text (for logs and list snippets). */
export function maskText(text: string): string {
  return text.replace(ID_IN_TEXT, (_m, a, _b, c) => `${a}********${c}`).replace(PHONE_IN_TEXT, '$1****$3');
}
