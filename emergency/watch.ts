/**
 * The emergency path, fusing what is heard and what is read. The speech engine's keyword
 * spotter hears the rules' phrases in the caller's audio (`call.keyword`): an alert at once,
 * even when the recogniser wrote another word, unless the transcript has the phrase in a
 * context the rules call ordinary (去年那场火灾). Every final transcript segment (and every agent note sent here) goes
 * through the classifier's rule check synchronously, inside the bus delivery of the segment,
 * so the alert reaches the desk's channel in the same tick; nothing waits on a queue. A
 * segment no rule names then goes to the classifier's model (about a millisecond, in this
 * process), which can raise the alert the rules missed.
 */

import type { EmergencyVerdict } from '../classifier/index.js';
import type { EventBus } from '../core/index.js';
import { ordinaryWhereWritten, type SpokenRule } from './spoken.js';

export interface EmergencyAlert {
  callId: number | null;
  workOrderId: number | null;
  /** The agent on the call (the desk's channel sends the alert to them and to supervisors). */
  agentId: number | null;
  line: '110' | '119' | '120';
  reason: string;
  /** The words or patterns that triggered it. */
  matched: string[];
  text: string;
  source: 'transcript' | 'note';
  /** What found it: the keyword spotter in the audio, the rules on the text, the model's head. */
  detectedBy: ('speech' | 'text' | 'model')[];
  /** Milliseconds into the call where the words were said (transcript and speech alerts). */
  atMs: number | null;
  /** Whether the site's rules transfer this call without waiting for a click. */
  autoTransfer: boolean;
  /** When the triggering segment was published (ms since epoch), for latency figures. */
  segmentAt: number;
}

declare module '../core/events.js' {
  interface HotlineEvents {
    'emergency.alert': EmergencyAlert;
    'emergency.transferred': {
      callId: number;
      agentId: number | null;
      referralId: number;
      line: string;
      workOrderId: number | null;
      /** False when the case was left in its state (the user may not refer it); the referral still names it. */
      caseReferred: boolean;
      auto: boolean;
    };
    'emergency.transfer_failed': { callId: number; agentId: number | null; line: string; message: string };
  }
}

export interface WatchOptions {
  bus: EventBus;
  check: (text: string) => EmergencyVerdict;
  /** Rules and model together (the classifier's); asked only when the rules found nothing. */
  modelCheck?: (text: string) => Promise<EmergencyVerdict>;
  /** Patterns (as the rules name them) that transfer the call at once; empty = always by click. */
  autoTransferPatterns: ReadonlySet<string>;
  /** Called for an automatic transfer; errors are published as emergency.transfer_failed. */
  autoTransfer?: (alert: EmergencyAlert) => Promise<void>;
  /** The phrases the keyword spotter listens for, with their rules (none: speech hits are ignored). */
  spoken?: () => ReadonlyMap<string, SpokenRule>;
}

export interface EmergencyWatch {
  /** Checks an agent's note (or any text) about a call or case; publishes and returns the alert on a hit. */
  checkText(input: {
    text: string;
    callId?: number | null;
    workOrderId?: number | null;
    agentId?: number | null;
  }): Promise<EmergencyAlert | null>;
  agentOf(callId: number): number | null;
  /** The latest alerts of this process, newest first (the wallboard's list after a reload). */
  recent(limit?: number): EmergencyAlert[];
  /** The call's final segments so far (the last 500 characters), for the referral. */
  excerpt(callId: number): string;
  stop(): void;
}

const RECENT_ALERTS = 50;

export function startEmergencyWatch(o: WatchOptions): EmergencyWatch {
  const agents = new Map<number, number>();
  // One alert per call and line: a caller repeating "救命" must not flood the desk.
  const alerted = new Map<number, Set<string>>();
  const finals = new Map<number, string>();
  // The latest words of each call (partial or final): the context of a phrase heard in the audio.
  const lastText = new Map<number, string>();
  const latest: EmergencyAlert[] = [];

  const raise = (
    verdict: EmergencyVerdict,
    input: {
      text: string;
      callId: number | null;
      workOrderId: number | null;
      agentId: number | null;
      source: EmergencyAlert['source'];
      detectedBy: EmergencyAlert['detectedBy'];
      atMs?: number | null;
    },
  ): EmergencyAlert | null => {
    if (!verdict.is || !verdict.line) return null;
    if (input.callId !== null && input.source === 'transcript') {
      let seen = alerted.get(input.callId);
      if (!seen) {
        seen = new Set();
        alerted.set(input.callId, seen);
      }
      if (seen.has(verdict.line)) return null;
      seen.add(verdict.line);
    }
    const auto = input.callId !== null && verdict.matched.some((m) => o.autoTransferPatterns.has(m));
    const alert: EmergencyAlert = {
      callId: input.callId,
      workOrderId: input.workOrderId,
      agentId: input.agentId ?? (input.callId !== null ? (agents.get(input.callId) ?? null) : null),
      line: verdict.line,
      reason: verdict.reason ?? '',
      matched: verdict.matched,
      text: input.text,
      source: input.source,
      detectedBy: input.detectedBy,
      atMs: input.atMs ?? null,
      autoTransfer: auto,
      segmentAt: Date.now(),
    };
    o.bus.publish('emergency.alert', alert);
    latest.unshift(alert);
    latest.length = Math.min(latest.length, RECENT_ALERTS);
    if (auto && o.autoTransfer) {
      o.autoTransfer(alert).catch((err) =>
        o.bus.publish('emergency.transfer_failed', {
          callId: alert.callId as number,
          agentId: alert.agentId,
          line: alert.line,
          message: (err as Error).message,
        }),
      );
    }
    return alert;
  };

  const offs = [
    o.bus.subscribe('call.answered', (e) => {
      agents.set(e.callId, e.agentId);
    }),
    o.bus.subscribe('call.ended', (e) => {
      agents.delete(e.callId);
      alerted.delete(e.callId);
      finals.delete(e.callId);
      lastText.delete(e.callId);
    }),
    o.bus.subscribe('call.keyword', (e) => {
      // Like a transcript's rule hit, also while the caller waits in the queue (the wallboard sees it).
      const rule = o.spoken?.().get(e.keyword);
      if (!rule) return;
      if (ordinaryWhereWritten(lastText.get(e.callId) ?? '', e.keyword, o.check)) return;
      raise(
        { is: true, line: rule.line, reason: `听到「${e.keyword}」：${rule.reason}`, matched: [rule.pattern] },
        {
          text: e.keyword,
          callId: e.callId,
          workOrderId: null,
          agentId: null,
          source: 'transcript',
          detectedBy: ['speech'],
          atMs: e.startMs,
        },
      );
    }),
    o.bus.subscribe('call.transcript', (e) => {
      if (!e.text) return;
      lastText.set(e.callId, e.text);
      if (!e.final) return;
      finals.set(e.callId, `${finals.get(e.callId) ?? ''} ${e.text}`.trim().slice(-500));
      const base = { text: e.text, callId: e.callId, workOrderId: null, agentId: null, source: 'transcript' as const, atMs: e.startMs };
      const verdict = o.check(e.text);
      if (verdict.is || !o.modelCheck) {
        raise(verdict, { ...base, detectedBy: ['text'] });
        return;
      }
      // The call may have ended while the model ran: no alert for a call that is gone.
      void o.modelCheck(e.text).then(
        (v) => finals.has(e.callId) && raise(v, { ...base, detectedBy: v.matched.length ? ['text'] : ['model'] }),
        () => {},
      );
    }),
  ];

  return {
    checkText: async (input) => {
      const rules = o.check(input.text);
      const verdict = rules.is || !o.modelCheck ? rules : await o.modelCheck(input.text).catch(() => rules);
      return raise(verdict, {
        text: input.text,
        callId: input.callId ?? null,
        workOrderId: input.workOrderId ?? null,
        agentId: input.agentId ?? null,
        source: 'note',
        detectedBy: verdict.matched.length ? ['text'] : ['model'],
      });
    },
    agentOf: (callId) => agents.get(callId) ?? null,
    recent: (limit = RECENT_ALERTS) => latest.slice(0, limit),
    excerpt: (callId) => finals.get(callId) ?? '',
    stop: () => {
      for (const off of offs) off();
    },
  };
}
