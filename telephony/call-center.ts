/**
 * The call centre: every live call of one telephony process and what agents do with them.
 * It carries out the queue's decisions (queue.ts: emergencies first, then first come first
 * served, offered to available agents with a time limit), answering, hold, hangup and the
 * end of a call, and hands the rest to the files named for it: the media bridge
 * (media.ts), transfers (transfers.ts), click-to-call (outbound.ts). The database holds the
 * record of each call (store.ts); this object holds what is live.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { AsrEngine } from '../asr/index.js';
import type { EventBus, HotlineError } from '../core/index.js';
import { maskPhone } from '../core/index.js';
import type { Db } from '../db/index.js';
import { TelephonyErrors } from './errors.js';
import type { CallLeg, LegEnd } from './leg.js';
import { type AudioSink, type LiveCall, newLiveCall, writeInOrder } from './live-call.js';
import { MediaBridge } from './media.js';
import { type CallOutRequest, Dialer, type PlaceCall } from './outbound.js';
import {
  type Agent,
  Agents,
  type AgentView,
  agentView,
  answerCall,
  changeAgentState,
  makeOffer,
  nextOffers,
  offerRangOut,
  queueOrder,
  releaseAgent,
  withdrawOffer,
} from './queue.js';
import {
  type AgentStateName,
  type CallRecord,
  type EndReason,
  getCall,
  insertCall,
  type Referral,
  saveAgentState,
  updateCall,
} from './store.js';
import { type EmergencyLines, startTransfer, type TransferHost, type TransferRequest, transferTarget } from './transfers.js';

export type { AudioSink } from './live-call.js';

export interface CallCenterOptions {
  db: Db;
  bus: EventBus;
  log: FastifyBaseLogger;
  /** The speech engine, looked up per call (it may start after telephony). */
  asr: () => AsrEngine | null | undefined;
  offerTimeoutMs: number;
  /** 8 kHz 16-bit PCM prompts played to SIP callers. */
  prompts: { greeting?: Buffer; queue?: Buffer };
  /** SIP URIs of the emergency lines. */
  emergencyLines: EmergencyLines;
  /**
   * Places an outbound SIP call to a SIP URI, or to a plain number through the outbound
   * trunk (bridged transfers, click-to-call); absent when SIP is off. Aborting `signal`
   * cancels it while it rings.
   */
  placeCall?: PlaceCall;
  /** Why calls to plain numbers cannot be placed now (SIP off, no SIP_OUTBOUND_TRUNK); undefined when they can. */
  outboundProblem?: () => HotlineError | undefined;
  /** How long a blind transfer may wait for its final NOTIFY. */
  transferTimeoutMs?: number;
}

export class CallCenter {
  /** The live-call registry: every call of this process from its arrival to its final record. */
  private readonly calls = new Map<number, LiveCall>();
  private readonly agents = new Agents();
  private readonly media: MediaBridge;
  private readonly dialer: Dialer;
  private readonly transferHost: TransferHost;
  private closed = false;

  constructor(private readonly o: CallCenterOptions) {
    const write = (call: LiveCall, fn: () => Promise<unknown>) => this.write(call, fn);
    this.media = new MediaBridge({
      db: o.db,
      bus: o.bus,
      log: o.log,
      asr: o.asr,
      prompts: o.prompts,
      write,
      guarded: (call, what, fn) => this.guarded(call, what, fn),
    });
    this.dialer = new Dialer({
      db: o.db,
      bus: o.bus,
      log: o.log,
      placeCall: o.placeCall,
      outboundProblem: o.outboundProblem,
      closed: () => this.closed,
      liveCallOf: (userId) => {
        for (const c of this.calls.values()) if (c.agentId === userId && c.state !== 'ended') return c.id;
        return this.agents.find(userId)?.callId;
      },
      adopt: (rec, leg, userId) => this.adoptOutbound(rec, leg, userId),
    });
    this.transferHost = {
      db: o.db,
      bus: o.bus,
      log: o.log,
      placeCall: o.placeCall,
      transferTimeoutMs: o.transferTimeoutMs,
      isLive: (id) => this.calls.has(id),
      write,
      finish: (call, reason) => this.finish(call, reason),
      stopPrompts: (call) => this.media.stopPrompts(call),
      releaseAgent: (call) => this.releaseAgent(call),
    };
  }

  /** A new call on any channel: recorded, greeted, queued and offered. Returns its id. */
  async arrive(leg: CallLeg, opts: { emergency?: boolean; details?: object } = {}): Promise<number> {
    let rec: CallRecord;
    try {
      rec = await insertCall(this.o.db, {
        channel: leg.channel,
        direction: leg.channel === 'outbound' ? 'outbound' : 'inbound',
        sipCallId: leg.sipCallId,
        callerNumber: leg.callerNumber,
        calledNumber: leg.calledNumber,
        state: 'queued',
        details: opts.details,
      });
    } catch (err) {
      this.o.log.error({ err }, 'could not record the call: hanging up');
      await leg.hangup();
      throw err;
    }
    const call = newLiveCall(rec.id, leg, { state: 'queued', arrivedAt: Date.now(), emergency: opts.emergency ?? false });
    if (call.emergency) void this.write(call, () => updateCall(this.o.db, call.id, { emergency: true }));
    this.track(call);
    if (leg.channel === 'sip') this.media.startPrompts(call);
    this.o.bus.publish('call.arrived', {
      callId: call.id,
      channel: leg.channel,
      caller: maskPhone(leg.callerNumber),
      emergency: call.emergency,
      queueLength: queueOrder(this.calls.values()).length,
    });
    this.dispatch();
    return call.id;
  }

  /** Resolves when the call has ended and its record is final (tests, shutdown). */
  whenEnded(callId: number): Promise<void> {
    return this.calls.get(callId)?.done ?? Promise.resolve();
  }

  isLive(callId: number): boolean {
    return this.calls.has(callId);
  }

  /** Queue position (1-based) of a waiting call, for the desk. */
  live(callId: number): { queuePosition: number | null; offeredTo: number | null; dtmf: string } | undefined {
    const c = this.calls.get(callId);
    if (!c) return undefined;
    const pos = queueOrder(this.calls.values()).indexOf(c);
    return { queuePosition: pos >= 0 ? pos + 1 : null, offeredTo: c.offeredTo ?? null, dtmf: c.dtmf };
  }

  get activeCalls(): number {
    return this.calls.size;
  }

  /** Marks a call as an emergency (the classifier or the agent): it jumps the queue. */
  setEmergency(callId: number): void {
    const call = this.calls.get(callId);
    if (!call || call.emergency) return;
    call.emergency = true;
    void this.write(call, () => updateCall(this.o.db, call.id, { emergency: true }));
    this.dispatch();
  }

  // ---- queue and agents: queue.ts decides, this carries it out ----

  private dispatch(): void {
    if (this.closed) return;
    for (const { call, agent } of nextOffers(this.calls.values(), this.agents.all())) this.offer(call, agent);
  }

  private offer(call: LiveCall, agent: Agent): void {
    makeOffer(call, agent);
    call.offerTimer = setTimeout(() => this.guarded(call, 'offer timeout', () => this.offerExpired(call, agent)), this.o.offerTimeoutMs);
    void this.write(call, () => updateCall(this.o.db, call.id, { state: 'offered' }));
    this.o.bus.publish('call.offered', {
      callId: call.id,
      agentId: agent.id,
      caller: maskPhone(call.leg.callerNumber),
      emergency: call.emergency,
      timeoutMs: this.o.offerTimeoutMs,
    });
  }

  /** Takes back the offer of `call` and stops its timer. */
  private withdraw(call: LiveCall): void {
    this.clearOfferTimer(call);
    withdrawOffer(call, this.agents);
  }

  private clearOfferTimer(call: LiveCall): void {
    if (call.offerTimer) clearTimeout(call.offerTimer);
    call.offerTimer = undefined;
  }

  private offerExpired(call: LiveCall, agent: Agent): void {
    if (!offerRangOut(call, agent, this.agents, Date.now())) return;
    this.clearOfferTimer(call);
    void this.write(call, () => updateCall(this.o.db, call.id, { state: 'queued' }));
    this.o.bus.publish('call.offer_expired', { callId: call.id, agentId: agent.id });
    void this.announceAgent(agent, 'missed_offer');
    this.dispatch();
  }

  agentState(id: number): AgentView {
    return agentView(this.agents.get(id, Date.now()));
  }

  /** Publishes and stores the state queue.ts gave the agent. */
  private async announceAgent(a: Agent, reason?: string): Promise<void> {
    this.o.bus.publish('agent.state', { agentId: a.id, state: a.state, ...(reason ? { reason } : {}) });
    try {
      await saveAgentState(this.o.db, a.id, a.state);
    } catch (err) {
      this.o.log.error({ err, agentId: a.id }, 'could not store the agent state');
    }
  }

  /** The desk sets an agent's state (available, on_call, after_call, paused). */
  async setAgentState(agentId: number, state: AgentStateName): Promise<AgentView> {
    const a = this.agents.get(agentId, Date.now());
    const { requeued } = changeAgentState(a, state, this.calls, this.agents, Date.now());
    if (requeued) {
      this.clearOfferTimer(requeued);
      void this.write(requeued, () => updateCall(this.o.db, requeued.id, { state: 'queued' }));
    }
    await this.announceAgent(a);
    this.dispatch();
    return this.agentState(agentId);
  }

  // ---- agent actions ----

  private liveCall(callId: number): LiveCall {
    const call = this.calls.get(callId);
    if (!call) throw TelephonyErrors.CALL_NOT_LIVE({ callId });
    return call;
  }

  async answer(callId: number, agentId: number): Promise<void> {
    const call = this.liveCall(callId);
    const a = this.agents.get(agentId, Date.now());
    const { requeued } = answerCall(call, a, this.calls, this.agents, Date.now());
    if (requeued) this.clearOfferTimer(requeued);
    this.clearOfferTimer(call);
    this.media.stopPrompts(call);
    const answeredAt = call.answeredAt as number;
    const queueWaitMs = answeredAt - call.arrivedAt;
    await this.announceAgent(a);
    await this.write(call, () =>
      updateCall(this.o.db, call.id, { state: 'answered', agentId, answeredAt: new Date(answeredAt).toISOString(), queueWaitMs }),
    );
    this.o.bus.publish('call.answered', { callId, agentId, queueWaitMs });
    this.dispatch();
  }

  private ownCall(callId: number, agentId: number, supervisor: boolean): LiveCall {
    const call = this.liveCall(callId);
    if (!supervisor && call.agentId !== agentId) throw TelephonyErrors.CALL_NOT_YOURS({ callId });
    return call;
  }

  async hangup(callId: number, agentId: number, supervisor = false): Promise<void> {
    const ringing = this.dialer.ringing(callId);
    if (ringing) {
      if (!supervisor && ringing.agentId !== agentId) throw TelephonyErrors.OUTBOUND_CALL_NOT_YOURS({ callId });
      ringing.abort.abort();
      await ringing.settled;
      return;
    }
    const call = this.liveCall(callId);
    // An agent declines an offer by letting it ring out or pausing, never by hanging up on the caller.
    if (!supervisor && call.agentId !== agentId) throw TelephonyErrors.CALL_NOT_YOURS_TO_HANG_UP({ callId });
    await call.leg.hangup();
    await this.finish(call, call.answeredAt ? (call.transferred ? 'transferred' : 'answered') : 'rejected');
  }

  async hold(callId: number, agentId: number, on: boolean, supervisor = false): Promise<void> {
    const call = this.ownCall(callId, agentId, supervisor);
    if (on && call.state !== 'answered') throw TelephonyErrors.CALL_NOT_ANSWERED_FOR_HOLD({ callId, state: call.state });
    if (!on && call.state !== 'held') throw TelephonyErrors.CALL_NOT_HELD({ callId, state: call.state });
    if (call.leg.hold) {
      try {
        await call.leg.hold(on);
      } catch (err) {
        throw TelephonyErrors.HOLD_REFUSED({ reason: (err as Error).message });
      }
    }
    call.state = on ? 'held' : 'answered';
    if (on) this.media.startPrompts(call);
    else this.media.stopPrompts(call);
    await this.write(call, () => updateCall(this.o.db, call.id, { state: call.state }));
    this.o.bus.publish('call.held', { callId, held: on });
  }

  /** The agent's desk audio: caller PCM goes to `sink`; returns the function that takes the agent's PCM. */
  attachAgentAudio(callId: number, agentId: number, sink: AudioSink, supervisor = false): { fromAgent(pcm: Buffer): void; detach(): void } {
    const call = this.liveCall(callId);
    if (call.agentId !== agentId && !supervisor) throw TelephonyErrors.CALL_AUDIO_NOT_YOURS({ callId });
    call.sinks.add(sink);
    const speaking = call.agentId === agentId;
    return {
      fromAgent: (pcm) => {
        if (speaking && call.state === 'answered') call.leg.sendPcm(pcm);
      },
      detach: () => call.sinks.delete(sink),
    };
  }

  async sendDtmf(callId: number, agentId: number, digits: string): Promise<void> {
    const call = this.ownCall(callId, agentId, false);
    if (!call.leg.sendDtmf) throw TelephonyErrors.DTMF_UNSUPPORTED({ callId });
    await call.leg.sendDtmf(digits);
  }

  // ---- click-to-call (outbound.ts) ----

  /** Calls `number` for a desk user through the outbound trunk: see Dialer.callOut. */
  callOut(o: CallOutRequest): Promise<CallRecord> {
    return this.dialer.callOut(o);
  }

  /** The citizen answered a click-to-call: a live call of the user who placed it. */
  private async adoptOutbound(rec: CallRecord, leg: CallLeg, userId: number): Promise<void> {
    const arrivedAt = new Date(rec.arrivedAt).getTime();
    const answeredAt = Date.now();
    const call = newLiveCall(rec.id, leg, { state: 'answered', arrivedAt, emergency: false, agentId: userId, answeredAt });
    this.track(call);
    const ringMs = answeredAt - arrivedAt;
    await this.write(call, () =>
      updateCall(this.o.db, call.id, {
        state: 'answered',
        answeredAt: new Date(answeredAt).toISOString(),
        ...(leg.sipCallId ? { sipCallId: leg.sipCallId } : {}),
      }),
    );
    // queueWaitMs of an outbound call is how long it rang.
    this.o.bus.publish('call.answered', { callId: call.id, agentId: userId, queueWaitMs: ringMs });
  }

  // ---- transfers (transfers.ts) ----

  /** Resolves "110"/"119"/"120" or a SIP URI to where the call goes. */
  transferTarget(target: string): { line: Referral['line']; uri: string } {
    return transferTarget(this.o.emergencyLines, target);
  }

  async transfer(callId: number, agentId: number, req: TransferRequest, supervisor = false): Promise<Referral> {
    const call = this.ownCall(callId, agentId, supervisor);
    if (call.state !== 'answered' && call.state !== 'held') {
      throw TelephonyErrors.TRANSFER_CALL_NOT_ANSWERED({ callId, state: call.state });
    }
    return startTransfer(this.transferHost, this.o.emergencyLines, call, agentId, req);
  }

  // ---- the live-call registry ----

  /** Makes a new call live: its leg's audio, DTMF and end come here, and its recognizer opens. */
  private track(call: LiveCall) {
    this.calls.set(call.id, call);
    // The leg calls these from its socket and timer callbacks: a throw here ends this call
    // (logged), never the process or the other calls.
    call.leg.events = {
      onAudio: (pcm, ms) => this.guarded(call, 'caller audio', () => this.media.callerAudio(call, pcm, ms)),
      onDtmf: (digit) => this.guarded(call, 'DTMF', () => this.media.dtmf(call, digit)),
      onEnded: (reason) => {
        this.onLegEnded(call, reason).catch((err) => this.o.log.error({ err, callId: call.id }, 'could not end the call'));
      },
    };
    call.leg.start();
    this.media.openAsr(call);
  }

  private async onLegEnded(call: LiveCall, reason: LegEnd) {
    let end: EndReason;
    if (reason === 'timeout') end = 'timeout';
    else if (reason === 'failed') end = 'failed';
    else if (call.transferred) end = 'transferred';
    else if (call.answeredAt) end = 'answered';
    else end = 'abandoned';
    await this.finish(call, end);
  }

  /** Runs a timer's or the leg's callback for `call`: a throw ends that call as failed, and only it. */
  private guarded(call: LiveCall, what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.failCall(call, what, err);
    }
  }

  /** Ends one call after a fault in its own handling: logged, the leg hung up, the record `failed`. */
  private failCall(call: LiveCall, what: string, err: unknown): void {
    if (call.ending) return;
    this.o.log.error({ err, callId: call.id }, `call ended: its ${what} handling failed`);
    this.media.clearPromptTimer(call);
    call.leg
      .hangup()
      .catch(() => {})
      .then(() => this.finish(call, 'failed'))
      .catch((e) => this.o.log.error({ err: e, callId: call.id }, 'could not end the failed call'));
  }

  /** The agent is done with the call (it ended or was bridged away): desk audio closed, agent to after_call. */
  private releaseAgent(call: LiveCall) {
    for (const s of call.sinks) s.close(1000, 'call ended');
    call.sinks.clear();
    const a = releaseAgent(call, this.agents, Date.now());
    if (a) void this.announceAgent(a);
  }

  private finish(call: LiveCall, reason: EndReason): Promise<void> {
    call.ending ??= (async () => {
      this.withdraw(call);
      this.media.clearPromptTimer(call);
      call.state = 'ended';
      this.releaseAgent(call);
      if (call.bridge) await call.bridge.hangup().catch(() => {});
      await this.media.closeAsr(call);
      await this.write(call, () =>
        updateCall(
          this.o.db,
          call.id,
          { state: 'ended', endedAt: new Date().toISOString(), endReason: reason },
          call.dtmf ? { dtmf: call.dtmf } : undefined,
        ),
      );
      this.calls.delete(call.id);
      this.o.bus.publish('call.ended', { callId: call.id, reason, agentId: call.agentId ?? null });
      call.resolveDone();
      this.dispatch();
    })();
    return call.ending;
  }

  private write(call: LiveCall, fn: () => Promise<unknown>): Promise<void> {
    return writeInOrder(call, fn, this.o.log);
  }

  async record(callId: number): Promise<CallRecord | undefined> {
    const call = this.calls.get(callId);
    if (call) await call.writes;
    return getCall(this.o.db, callId);
  }

  /** Hangs up every live call (server shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    await this.dialer.cancelAll();
    await Promise.all(
      [...this.calls.values()].map(async (c) => {
        await c.leg.hangup().catch(() => {});
        await this.finish(c, 'failed');
      }),
    );
  }
}
