/**
 * Telephony's errors: what the call API answers (declared codes), and `SipFailure`, the
 * typed value a SIP request that got a final non-2xx answer rejects with, so callers read
 * `err.status` instead of parsing "486 Busy Here" back out of a message.
 */
import { defineErrors } from '../core/index.js';

export const TelephonyErrors = defineErrors('telephony', {
  // ---- agents ----
  AGENT_STILL_ON_CALL: {
    status: 409,
    message: 'You are still on call {callId}: hang up or transfer it before setting yourself available.',
  },
  AGENT_ON_CALL_BY_ANSWER: {
    status: 409,
    message: 'on_call is set by answering a call (POST /api/calls/:id/answer); choose available, after_call or paused.',
  },
  AGENT_ALREADY_ON_CALL: { status: 409, message: 'You are already on call {callId}: finish it first.' },
  AGENT_NOT_AVAILABLE: {
    status: 409,
    message: 'Your state is {state}: set yourself available (POST /api/agents/me/state) to take calls.',
  },
  // ---- calls ----
  CALL_NOT_FOUND: { status: 404, message: 'No call {callId}: see GET /api/calls for the list.' },
  CALL_NOT_LIVE: { status: 404, message: 'Call {callId} is not live (it ended or never existed): see GET /api/calls/{callId}.' },
  CALL_AUDIO_NOT_LIVE: { status: 404, message: 'Call {callId} is not live: audio is only available during the call.' },
  CALL_NOT_WAITING: { status: 409, message: 'Call {callId} is {state}, not waiting: it cannot be answered.' },
  CALL_OFFERED_TO_OTHER: { status: 409, message: 'Call {callId} is being offered to another agent.' },
  CALL_NOT_YOURS: { status: 409, message: 'Call {callId} is not yours: only the agent who answered it may do this.' },
  CALL_NOT_YOURS_TO_HANG_UP: { status: 409, message: 'Call {callId} is not yours: only the agent who answered it may hang up.' },
  OUTBOUND_CALL_NOT_YOURS: { status: 409, message: 'Call {callId} is not yours: only the user who placed it may hang up.' },
  CALL_AUDIO_NOT_YOURS: { status: 409, message: 'Call {callId} is not yours: answer it first.' },
  CALL_NOT_ANSWERED_FOR_HOLD: { status: 409, message: 'Call {callId} is {state}: only an answered call can be held.' },
  CALL_NOT_HELD: { status: 409, message: 'Call {callId} is {state}, not on hold.' },
  HOLD_REFUSED: { status: 409, message: '{reason}.' },
  DTMF_UNSUPPORTED: { status: 400, message: 'Call {callId} is on a channel that cannot send DTMF.' },
  // ---- click-to-call ----
  OUTBOUND_SIP_OFF: {
    status: 400,
    message: 'Outbound calls need the SIP endpoint (SIP_ENABLED=true) and an outbound trunk (SIP_OUTBOUND_TRUNK).',
  },
  OUTBOUND_TRUNK_MISSING: {
    status: 400,
    message: 'No outbound trunk is configured: set SIP_OUTBOUND_TRUNK (host[:port]) to call citizens from the desk.',
  },
  OUTBOUND_SIP_DOWN: { status: 400, message: 'Outbound calls need the SIP endpoint, which is not running: {reason}.' },
  TELEPHONY_STOPPING: { status: 409, message: 'The telephony service is stopping: try again in a moment.' },
  DIAL_NO_DIGITS: { status: 400, message: '"{number}" has no digits to dial.' },
  USER_ALREADY_ON_CALL: { status: 409, message: 'You are already on call {callId}: hang up before placing another.' },
  CALL_BEING_PLACED: { status: 409, message: 'Your previous call is being placed: wait for it, or hang it up.' },
  // ---- transfers ----
  TRANSFER_LINE_NOT_CONFIGURED: {
    status: 400,
    message: 'The {line} line is not configured: set TRANSFER_{line}_URI to its SIP URI.',
  },
  TRANSFER_TARGET_INVALID: {
    status: 400,
    message: '"{target}" is not a transfer target: use 110, 119, 120 or a SIP URI (sip:user@host).',
  },
  TRANSFER_CALL_NOT_ANSWERED: { status: 409, message: 'Call {callId} is {state}: only an answered call can be transferred.' },
  TRANSFER_REFER_UNSUPPORTED: { status: 400, message: 'A {channel} call cannot be transferred by REFER: use mode "bridge".' },
  TRANSFER_BRIDGE_UNAVAILABLE: {
    status: 400,
    message: 'Bridged transfers need the SIP endpoint (SIP_ENABLED) and a route to the target.',
  },
  // ---- PBX ingress ----
  INGRESS_OFF: {
    status: 401,
    message: 'Audio ingress is off: set INGRESS_TOKEN on the server and give it as ?token= or a Bearer header.',
  },
  INGRESS_TOKEN_WRONG: { status: 401, message: 'Wrong or missing ingress token: give INGRESS_TOKEN as ?token= or a Bearer header.' },
});

/**
 * A SIP request that the peer answered with a final non-2xx status (486 Busy Here, 603
 * Decline ...). The message reads as before ("486 Busy Here", or `prefix: 486 Busy Here`),
 * so logs and stored details do not change; code tells failures apart by `status`.
 */
export class SipFailure extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    prefix?: string,
  ) {
    super(prefix ? `${prefix}: ${status} ${reason}` : `${status} ${reason}`);
    this.name = 'SipFailure';
  }

  /** From a final response as sip.js hands it over (its typings leave the status optional). */
  static of(res: { statusCode?: number; reasonPhrase?: string }, prefix?: string): SipFailure {
    return new SipFailure(res.statusCode ?? 0, res.reasonPhrase ?? '', prefix);
  }
}

/** The SIP status of a failure, when the peer gave one. */
export function sipStatusOf(err: unknown): number | undefined {
  return err instanceof SipFailure ? err.status : undefined;
}
