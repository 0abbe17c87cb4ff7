/**
 * Proposes the intake form's fields from a call's transcript: the caller's phone number,
 * the address, how to address them, what they want and whether they ask for anonymity.
 * Every proposal quotes the words it came from, so the agent sees why and can correct it;
 * nothing is proposed without a quote, and a field the call does not give stays absent.
 */
import { findAddress } from './address.js';
import { findAnonymous, findRequestType, type RequestType } from './cues.js';
import { displayName, findName, type Gender } from './person.js';
import { findPhone } from './phone.js';
import { buildStream, evidence, type Quote, quoteRange, type SegmentInput } from './stream.js';

export type { RequestType } from './cues.js';
export type { Gender } from './person.js';
export type { Quote, SegmentInput } from './stream.js';

/** A proposed value and the words it was heard in (`more` when they ran on into later segments). */
export interface Proposed<T> {
  value: T;
  from: Quote;
  more?: Quote[];
}

export interface PhoneProposal extends Proposed<string> {
  kind: 'mobile' | 'landline';
}

/** A street, community or grid of the organisation tree. */
export interface ResolvedPlace {
  unitId: number;
  kind: string;
  name: string;
}

export interface AddressProposal extends Proposed<string> {
  /** Where the address falls in the organisation tree; present when a resolver was given (null: no match). */
  place?: ResolvedPlace | null;
}

export interface NameValue {
  surname: string;
  /** What the form shows: 王女士, 王先生, the full name, or the surname alone. */
  display: string;
  full?: string;
  gender?: Gender;
}

export interface IntakeProposal {
  phone?: PhoneProposal;
  address?: AddressProposal;
  name?: Proposed<NameValue>;
  requestType?: Proposed<RequestType>;
  anonymous?: Proposed<true>;
}

export interface ProposeOptions {
  resolvePlace?: (address: string) => Promise<ResolvedPlace | null>;
}

/** Bounds of one request: a long call is a few hundred segments and a few thousand characters. */
export const MAX_SEGMENTS = 2000;
export const MAX_CHARS = 50_000;

/** What is wrong with a transcript, or null when it can be read. */
export function segmentsProblem(segments: unknown): string | null {
  if (!Array.isArray(segments)) return 'segments must be an array of { text, startMs?, endMs? }';
  if (segments.length > MAX_SEGMENTS) return `at most ${MAX_SEGMENTS} segments, got ${segments.length}`;
  let chars = 0;
  for (const [i, s] of segments.entries()) {
    if (!s || typeof s !== 'object' || typeof (s as SegmentInput).text !== 'string') return `segment ${i} has no text`;
    chars += (s as SegmentInput).text.length;
  }
  if (chars > MAX_CHARS) return `at most ${MAX_CHARS} characters of transcript, got ${chars}`;
  return null;
}

export async function proposeIntake(segments: readonly SegmentInput[], opts: ProposeOptions = {}): Promise<IntakeProposal> {
  const problem = segmentsProblem(segments);
  if (problem) throw new TypeError(`proposeIntake: ${problem}`);
  const st = buildStream(segments);
  const out: IntakeProposal = {};

  const phone = findPhone(st);
  if (phone) out.phone = { value: phone.value, kind: phone.kind, ...evidence(st, phone.start, phone.end) };

  const address = findAddress(st);
  if (address) {
    const quotes = address.parts.flatMap(([a, b]) => quoteRange(st, a, b));
    const [from, ...more] = quotes as [Quote, ...Quote[]];
    out.address = { value: address.value, from, ...(more.length ? { more } : {}) };
    if (opts.resolvePlace) out.address.place = await opts.resolvePlace(address.value);
  }

  const name = findName(st);
  if (name) {
    const ev = evidence(st, name.at[0], name.at[1]);
    const genderQuotes = name.genderAt ? quoteRange(st, name.genderAt[0], name.genderAt[1]) : [];
    const more = [...(ev.more ?? []), ...genderQuotes];
    const value: NameValue = { surname: name.surname, display: displayName(name) };
    if (name.full) value.full = name.full;
    if (name.gender) value.gender = name.gender;
    out.name = { value, from: ev.from, ...(more.length ? { more } : {}) };
  }

  const type = findRequestType(st);
  if (type) out.requestType = { value: type.value, ...evidence(st, type.at[0], type.at[1]) };

  const anonymous = findAnonymous(st);
  if (anonymous) out.anonymous = { value: true, ...evidence(st, anonymous.at[0], anonymous.at[1]) };

  return out;
}
