/** The events callback/ publishes (the desk's callback queue and wallboard listen). */
import type { CallbackOutcome } from '../dispatch/index.js';

export interface CallbackEvent {
  callbackId: number;
  workOrderId: number;
  departmentId: number | null;
  state: string;
  outcome: CallbackOutcome | null;
  dueAt: string;
  attempts: number;
  /** The staff member who claimed or recorded it; null for the automated survey. */
  userId: number | null;
}

declare module '../core/events.js' {
  interface HotlineEvents {
    'callback.scheduled': CallbackEvent;
    'callback.claimed': CallbackEvent;
    'callback.attempt': CallbackEvent & { result: string };
    /** The staff member who claimed it placed a call to the citizen (click-to-call); call.* events follow. */
    'callback.calling': CallbackEvent & { callId: number };
    'callback.completed': CallbackEvent;
    /** An automated callback stopped in the dead letter (失败/需人工): staff retry it or take it over. */
    'callback.failed': CallbackEvent & { reason: string };
    /** A case left callback_pending without a call: anonymous, declined contact, or not sampled. */
    'callback.skipped': { workOrderId: number; departmentId: number | null; reason: string };
  }
}
