/**
 * Telephony: the SIP trunk endpoint, RTP, the call queue and agents, the media bridge to
 * speech recognition and the desk, the PBX audio ingress, and transfers to 110/119/120.
 */
import './events.js';

export { type AudioSink, CallCenter, type CallCenterOptions } from './call-center.js';
export { SipFailure, sipStatusOf, TelephonyErrors } from './errors.js';
export type { TranscriptEvent, TransferStatus } from './events.js';
export { alawToLinear, decodeG711, encodeG711, type G711, linearToAlaw, linearToUlaw, ulawToLinear } from './g711.js';
export type { CallLeg, Channel, LegEvents } from './leg.js';
export { resealCalls, resealReferrals, resealTranscripts } from './personal-data.js';
export {
  anonymiseEndedCalls,
  anonymiseReferrals,
  countCallsToAnonymise,
  countReferralsToAnonymise,
  countTranscriptsToRemove,
  removeTranscripts,
} from './retention.js';
export type {
  AgentState,
  AgentStateBody,
  Call,
  CallDetail,
  CallListQuery,
  HoldBody,
  IngressQuery,
  LiveCallInfo,
  Referral,
  Segment,
  TransferBody,
} from './schemas.js';
export { registerTelephony, type Telephony } from './service.js';
export { TELEPHONY_SETTINGS, type TelephonyConfig, type TelephonySettings, telephonyConfig } from './settings.js';
export { SipEndpoint, type SipEndpointOptions } from './sip-endpoint.js';
export type { AgentStateName, CallRecord, CallState, EndReason } from './store.js';
export { attachReferralToCase, insertCaseReferral, linkCallToCallback } from './store.js';
export { readPromptPcm8k } from './wav.js';
