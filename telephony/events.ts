/** The events telephony publishes on the bus (the desk's live call panel listens to them). */
import type { AgentStateName, EndReason } from './store.js';

export interface TranscriptEvent {
  callId: number;
  leg: 'caller' | 'agent';
  /** The segment's number on its leg; a partial carries the number its final will have. */
  seq: number;
  text: string;
  final: boolean;
  startMs: number | null;
  endMs: number | null;
}

export type TransferStatus = 'started' | 'accepted' | 'trying' | 'ringing' | 'connected' | 'failed';

declare module '../core/events.js' {
  interface HotlineEvents {
    'call.arrived': { callId: number; channel: string; caller: string | null; emergency: boolean; queueLength: number };
    'call.offered': { callId: number; agentId: number; caller: string | null; emergency: boolean; timeoutMs: number };
    'call.offer_expired': { callId: number; agentId: number };
    /** A desk user placed an outbound call (click-to-call); it rings until call.answered or call.ended. */
    'call.dialing': { callId: number; agentId: number; called: string | null };
    'call.answered': { callId: number; agentId: number; queueWaitMs: number };
    'call.held': { callId: number; held: boolean };
    'call.transcript': TranscriptEvent;
    'call.dtmf': { callId: number; digit: string };
    /** A spoken keyword (an emergency rule's phrase) the keyword spotter heard on the caller's leg. */
    'call.keyword': { callId: number; leg: 'caller'; keyword: string; startMs: number; endMs: number };
    'call.transfer': {
      callId: number;
      referralId: number;
      target: string;
      mode: string;
      status: TransferStatus;
      sipStatus?: number;
      detail?: string;
    };
    /** `detail`: why an outbound call was not answered (the SIP status line, "no answer in time", "cancelled"). */
    'call.ended': { callId: number; reason: EndReason; agentId: number | null; detail?: string };
    'agent.state': { agentId: number; state: AgentStateName; reason?: string };
  }
}
