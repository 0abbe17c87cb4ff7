/**
 * Outbound calls placed from the desk (click-to-call): recorded at once as ringing and
 * owned by the user; hanging up while it rings cancels it; once the citizen answers, the
 * call centre takes it over as a live call of that user.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { EventBus, HotlineError } from '../core/index.js';
import { maskPhone } from '../core/index.js';
import type { Db } from '../db/index.js';
import { sipStatusOf, TelephonyErrors } from './errors.js';
import type { CallLeg } from './leg.js';
import { type CallRecord, type EndReason, insertCall, updateCall } from './store.js';

const DEFAULT_RING_TIMEOUT_MS = 30_000;

export type PlaceCall = (uri: string, opts?: { timeoutMs?: number; signal?: AbortSignal }) => Promise<CallLeg>;

export interface CallOutRequest {
  number: string;
  userId: number;
  timeoutMs?: number;
  details?: object;
}

/** What the dialer needs of the call centre. */
export interface DialerHost {
  db: Db;
  bus: EventBus;
  log: FastifyBaseLogger;
  placeCall?: PlaceCall;
  outboundProblem?: () => HotlineError | undefined;
  closed(): boolean;
  /** The live call the user is on, if any. */
  liveCallOf(userId: number): number | undefined;
  /** The citizen answered: the call becomes a live call of the user. */
  adopt(rec: CallRecord, leg: CallLeg, userId: number): Promise<void>;
}

/** A desk-placed outbound call that has not been answered yet (hanging up cancels it). */
interface Dialing {
  agentId: number;
  abort: AbortController;
  settled: Promise<void>;
}

export class Dialer {
  private readonly dialing = new Map<number, Dialing>();
  /** Users between the check and the record of a click-to-call, so a double click places one call. */
  private readonly placing = new Set<number>();

  constructor(private readonly h: DialerHost) {}

  /** The user's call still ringing, if `callId` is one. */
  ringing(callId: number): Dialing | undefined {
    return this.dialing.get(callId);
  }

  /** The call a user is on or is placing, if any. */
  busyWith(userId: number): number | undefined {
    for (const [id, d] of this.dialing) if (d.agentId === userId) return id;
    return this.h.liveCallOf(userId);
  }

  /**
   * Calls `number` through the outbound trunk for a desk user (callback staff calling a
   * citizen back). The call is recorded at once (direction outbound, state ringing, owned by
   * the user) and returned; when the far end answers it becomes a live call of that user like
   * an answered inbound one: the desk audio WebSocket, hangup, DTMF and the transcript work
   * the same. Refused (nothing recorded) when no trunk is configured or the user is on a call.
   */
  async callOut(o: CallOutRequest): Promise<CallRecord> {
    const problem = this.h.placeCall ? this.h.outboundProblem?.() : TelephonyErrors.OUTBOUND_SIP_OFF();
    if (problem) throw problem;
    if (this.h.closed()) throw TelephonyErrors.TELEPHONY_STOPPING();
    const number = o.number.replace(/[^\d+]/g, '');
    if (!number) throw TelephonyErrors.DIAL_NO_DIGITS({ number: maskPhone(o.number) });
    const busy = this.busyWith(o.userId);
    if (busy !== undefined) throw TelephonyErrors.USER_ALREADY_ON_CALL({ callId: busy });
    if (this.placing.has(o.userId)) throw TelephonyErrors.CALL_BEING_PLACED();
    this.placing.add(o.userId);
    let rec: CallRecord;
    try {
      rec = await insertCall(this.h.db, {
        channel: 'outbound',
        direction: 'outbound',
        callerNumber: '12345',
        calledNumber: number,
        state: 'ringing',
        agentId: o.userId,
        details: o.details,
      });
    } finally {
      this.placing.delete(o.userId);
    }
    const abort = new AbortController();
    let settle = () => {};
    const settled = new Promise<void>((r) => {
      settle = r;
    });
    this.dialing.set(rec.id, { agentId: o.userId, abort, settled });
    this.h.bus.publish('call.dialing', { callId: rec.id, agentId: o.userId, called: maskPhone(number) });
    void this.connect(rec, number, o, abort)
      .catch((err) => this.h.log.error({ err, callId: rec.id }, 'outbound call failed'))
      .finally(() => {
        this.dialing.delete(rec.id);
        settle();
      });
    return rec;
  }

  /** Cancels every call still ringing (shutdown) and waits for each to be recorded as ended. */
  async cancelAll(): Promise<void> {
    for (const d of this.dialing.values()) d.abort.abort();
    await Promise.all([...this.dialing.values()].map((d) => d.settled));
  }

  private async connect(rec: CallRecord, number: string, o: { userId: number; timeoutMs?: number }, abort: AbortController) {
    const place = this.h.placeCall as PlaceCall;
    let leg: CallLeg;
    try {
      leg = await place(number, { timeoutMs: o.timeoutMs ?? DEFAULT_RING_TIMEOUT_MS, signal: abort.signal });
    } catch (err) {
      const detail = (err as Error).message;
      const sipStatus = sipStatusOf(err);
      // Hung up from the desk before the citizen answered: abandoned; busy, refused or no answer: failed.
      const reason: EndReason = abort.signal.aborted ? 'abandoned' : 'failed';
      await updateCall(
        this.h.db,
        rec.id,
        { state: 'ended', endedAt: new Date().toISOString(), endReason: reason },
        { detail, ...(sipStatus !== undefined ? { sipStatus } : {}) },
      );
      this.h.bus.publish('call.ended', { callId: rec.id, reason, agentId: o.userId, detail });
      return;
    }
    if (abort.signal.aborted || this.h.closed()) {
      await leg.hangup().catch(() => {});
      await updateCall(this.h.db, rec.id, { state: 'ended', endedAt: new Date().toISOString(), endReason: 'abandoned' });
      this.h.bus.publish('call.ended', { callId: rec.id, reason: 'abandoned', agentId: o.userId });
      return;
    }
    await this.h.adopt(rec, leg, o.userId);
  }
}
