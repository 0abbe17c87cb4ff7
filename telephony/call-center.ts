/**
 * The call centre: every live call, the queue (emergencies first, then first come first
 * served), offering calls to available agents with a time limit, answering, hold, hangup,
 * transfers, and the media bridge (caller audio to the ASR, to the agent's WebSocket and to
 * a bridged transfer leg; the agent's audio back to the caller). The database holds the
 * record of each call; this object holds what is live, in one telephony process.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { AsrEngine, AsrResult, AsrStream } from '../asr/index.js';
import type { EventBus, HotlineError } from '../core/index.js';
import { maskPhone } from '../core/index.js';
import type { Db } from '../db/index.js';
import { sipStatusOf, TelephonyErrors } from './errors.js';
import type { TransferStatus } from './events.js';
import type { CallLeg, LegEnd } from './leg.js';
import {
  type AgentState,
  type CallRecord,
  type CallState,
  type EndReason,
  getCall,
  insertCall,
  insertReferral,
  insertSegment,
  type Referral,
  saveAgentState,
  updateCall,
  updateReferral,
} from './store.js';

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
  emergencyLines: Partial<Record<'110' | '119' | '120', string>>;
  /**
   * Places an outbound SIP call to a SIP URI, or to a plain number through the outbound
   * trunk (bridged transfers, click-to-call); absent when SIP is off. Aborting `signal`
   * cancels it while it rings.
   */
  placeCall?: (uri: string, opts?: { timeoutMs?: number; signal?: AbortSignal }) => Promise<CallLeg>;
  /** Why calls to plain numbers cannot be placed now (SIP off, no SIP_OUTBOUND_TRUNK); undefined when they can. */
  outboundProblem?: () => HotlineError | undefined;
  /** How long a blind transfer may wait for its final NOTIFY. */
  transferTimeoutMs?: number;
}

/** Something that takes the agent's copy of the caller's audio (the desk WebSocket). */
export interface AudioSink {
  send(pcm: Buffer): void;
  close(code?: number, reason?: string): void;
}

interface LiveCall {
  id: number;
  leg: CallLeg;
  state: CallState;
  arrivedAt: number;
  emergency: boolean;
  offeredTo?: number;
  offerTimer?: NodeJS.Timeout;
  agentId?: number;
  answeredAt?: number;
  asr?: AsrStream;
  /** Audio that arrived while the recognizer was opening. */
  asrPending: Buffer[] | null;
  /** Settles when the recognizer has opened (or failed to). */
  asrOpening?: Promise<void>;
  /** The call's recognition is over (its stream closed or given up on): a stream that opens late is closed at once. */
  asrDone?: boolean;
  seq: number;
  heardMs: number;
  finals: string[];
  writes: Promise<void>;
  sinks: Set<AudioSink>;
  bridge?: CallLeg;
  dtmf: string;
  promptTimer?: NodeJS.Timeout;
  ending?: Promise<void>;
  transferred: boolean;
  done: Promise<void>;
  resolveDone: () => void;
}

/** A desk-placed outbound call that has not been answered yet (hanging up cancels it). */
interface Dialing {
  agentId: number;
  abort: AbortController;
  settled: Promise<void>;
}

interface Agent {
  id: number;
  state: AgentState;
  since: number;
  callId?: number;
  offeredCallId?: number;
}

const EXCERPT_CHARS = 500;
const ASR_PENDING_LIMIT = 500; // 10 s of 20 ms frames

export class CallCenter {
  private readonly calls = new Map<number, LiveCall>();
  private readonly agents = new Map<number, Agent>();
  private readonly dialing = new Map<number, Dialing>();
  /** Users between the check and the record of a click-to-call, so a double click places one call. */
  private readonly placing = new Set<number>();
  private closed = false;

  constructor(private readonly o: CallCenterOptions) {}

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
    if (leg.channel === 'sip') this.startPrompts(call);
    this.o.bus.publish('call.arrived', {
      callId: call.id,
      channel: leg.channel,
      caller: maskPhone(leg.callerNumber),
      emergency: call.emergency,
      queueLength: this.queue().length,
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
    const pos = this.queue().indexOf(c);
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

  // ---- queue and agents ----

  private queue(): LiveCall[] {
    return [...this.calls.values()]
      .filter((c) => c.state === 'queued')
      .sort((a, b) => Number(b.emergency) - Number(a.emergency) || a.arrivedAt - b.arrivedAt || a.id - b.id);
  }

  private dispatch(): void {
    if (this.closed) return;
    for (const call of this.queue()) {
      const agent = [...this.agents.values()]
        .filter((a) => a.state === 'available' && a.offeredCallId === undefined && a.callId === undefined)
        .sort((a, b) => a.since - b.since)[0];
      if (!agent) return;
      this.offer(call, agent);
    }
  }

  private offer(call: LiveCall, agent: Agent): void {
    call.state = 'offered';
    call.offeredTo = agent.id;
    agent.offeredCallId = call.id;
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

  private withdrawOffer(call: LiveCall): void {
    if (call.offerTimer) clearTimeout(call.offerTimer);
    call.offerTimer = undefined;
    const agent = call.offeredTo !== undefined ? this.agents.get(call.offeredTo) : undefined;
    if (agent && agent.offeredCallId === call.id) agent.offeredCallId = undefined;
    call.offeredTo = undefined;
  }

  private offerExpired(call: LiveCall, agent: Agent): void {
    if (call.state !== 'offered' || call.offeredTo !== agent.id) return;
    this.withdrawOffer(call);
    call.state = 'queued';
    void this.write(call, () => updateCall(this.o.db, call.id, { state: 'queued' }));
    this.o.bus.publish('call.offer_expired', { callId: call.id, agentId: agent.id });
    // An agent who lets a call ring out is away: pause them so calls stop going to them.
    void this.changeAgent(agent, 'paused', 'missed_offer');
    this.dispatch();
  }

  private agent(id: number): Agent {
    let a = this.agents.get(id);
    if (!a) {
      a = { id, state: 'offline', since: Date.now() };
      this.agents.set(id, a);
    }
    return a;
  }

  agentState(id: number): { state: AgentState; since: string; callId: number | null; offeredCallId: number | null } {
    const a = this.agent(id);
    return { state: a.state, since: new Date(a.since).toISOString(), callId: a.callId ?? null, offeredCallId: a.offeredCallId ?? null };
  }

  private async changeAgent(a: Agent, state: AgentState, reason?: string): Promise<void> {
    a.state = state;
    a.since = Date.now();
    this.o.bus.publish('agent.state', { agentId: a.id, state, ...(reason ? { reason } : {}) });
    try {
      await saveAgentState(this.o.db, a.id, state);
    } catch (err) {
      this.o.log.error({ err, agentId: a.id }, 'could not store the agent state');
    }
  }

  /** The desk sets an agent's state (available, on_call, after_call, paused). */
  async setAgentState(agentId: number, state: AgentState) {
    const a = this.agent(agentId);
    if (a.callId !== undefined && state === 'available') {
      throw TelephonyErrors.AGENT_STILL_ON_CALL({ callId: a.callId });
    }
    if (state === 'on_call' && a.callId === undefined) {
      throw TelephonyErrors.AGENT_ON_CALL_BY_ANSWER();
    }
    if (state !== 'available' && a.offeredCallId !== undefined) {
      const call = this.calls.get(a.offeredCallId);
      if (call) {
        this.withdrawOffer(call);
        call.state = 'queued';
        void this.write(call, () => updateCall(this.o.db, call.id, { state: 'queued' }));
      }
    }
    await this.changeAgent(a, state);
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
    const a = this.agent(agentId);
    if (call.state !== 'queued' && call.state !== 'offered') {
      throw TelephonyErrors.CALL_NOT_WAITING({ callId, state: call.state });
    }
    if (call.state === 'offered' && call.offeredTo !== agentId) {
      throw TelephonyErrors.CALL_OFFERED_TO_OTHER({ callId });
    }
    if (a.callId !== undefined) throw TelephonyErrors.AGENT_ALREADY_ON_CALL({ callId: a.callId });
    if (call.offeredTo !== agentId && a.state !== 'available') {
      throw TelephonyErrors.AGENT_NOT_AVAILABLE({ state: a.state });
    }
    if (a.offeredCallId !== undefined && a.offeredCallId !== callId) {
      const other = this.calls.get(a.offeredCallId);
      if (other) {
        this.withdrawOffer(other);
        other.state = 'queued';
      }
    }
    this.withdrawOffer(call);
    this.stopPrompts(call);
    call.state = 'answered';
    call.agentId = agentId;
    call.answeredAt = Date.now();
    a.callId = callId;
    const queueWaitMs = call.answeredAt - call.arrivedAt;
    await this.changeAgent(a, 'on_call');
    await this.write(call, () =>
      updateCall(this.o.db, call.id, {
        state: 'answered',
        agentId,
        answeredAt: new Date(call.answeredAt as number).toISOString(),
        queueWaitMs,
      }),
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
    const ringing = this.dialing.get(callId);
    if (ringing) {
      if (!supervisor && ringing.agentId !== agentId) throw TelephonyErrors.OUTBOUND_CALL_NOT_YOURS({ callId });
      ringing.abort.abort();
      await ringing.settled;
      return;
    }
    const call = this.liveCall(callId);
    // An agent declines an offer by letting it ring out or pausing, never by hanging up on the caller.
    if (!supervisor && call.agentId !== agentId) {
      throw TelephonyErrors.CALL_NOT_YOURS_TO_HANG_UP({ callId });
    }
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
    if (on) this.startPrompts(call);
    else this.stopPrompts(call);
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

  // ---- outbound calls placed from the desk (click-to-call) ----

  /** The call a user is on or is placing, if any. */
  private busyWith(userId: number): number | undefined {
    for (const [id, d] of this.dialing) if (d.agentId === userId) return id;
    for (const c of this.calls.values()) if (c.agentId === userId && c.state !== 'ended') return c.id;
    return this.agents.get(userId)?.callId;
  }

  /**
   * Calls `number` through the outbound trunk for a desk user (callback staff calling a
   * citizen back). The call is recorded at once (direction outbound, state ringing, owned by
   * the user) and returned; when the far end answers it becomes a live call of that user like
   * an answered inbound one: the desk audio WebSocket, hangup, DTMF and the transcript work
   * the same. Refused (nothing recorded) when no trunk is configured or the user is on a call.
   */
  async callOut(o: { number: string; userId: number; timeoutMs?: number; details?: object }): Promise<CallRecord> {
    const problem = this.o.placeCall ? this.o.outboundProblem?.() : TelephonyErrors.OUTBOUND_SIP_OFF();
    if (problem) throw problem;
    if (this.closed) throw TelephonyErrors.TELEPHONY_STOPPING();
    const number = o.number.replace(/[^\d+]/g, '');
    if (!number) throw TelephonyErrors.DIAL_NO_DIGITS({ number: maskPhone(o.number) });
    const busy = this.busyWith(o.userId);
    if (busy !== undefined) throw TelephonyErrors.USER_ALREADY_ON_CALL({ callId: busy });
    if (this.placing.has(o.userId)) throw TelephonyErrors.CALL_BEING_PLACED();
    this.placing.add(o.userId);
    let rec: CallRecord;
    try {
      rec = await insertCall(this.o.db, {
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
    this.o.bus.publish('call.dialing', { callId: rec.id, agentId: o.userId, called: maskPhone(number) });
    void this.connectOutbound(rec, number, o, abort)
      .catch((err) => this.o.log.error({ err, callId: rec.id }, 'outbound call failed'))
      .finally(() => {
        this.dialing.delete(rec.id);
        settle();
      });
    return rec;
  }

  private async connectOutbound(rec: CallRecord, number: string, o: { userId: number; timeoutMs?: number }, abort: AbortController) {
    const place = this.o.placeCall as NonNullable<CallCenterOptions['placeCall']>;
    let leg: CallLeg;
    try {
      leg = await place(number, { timeoutMs: o.timeoutMs ?? 30_000, signal: abort.signal });
    } catch (err) {
      const detail = (err as Error).message;
      const sipStatus = sipStatusOf(err);
      // Hung up from the desk before the citizen answered: abandoned; busy, refused or no answer: failed.
      const reason: EndReason = abort.signal.aborted ? 'abandoned' : 'failed';
      await updateCall(
        this.o.db,
        rec.id,
        { state: 'ended', endedAt: new Date().toISOString(), endReason: reason },
        { detail, ...(sipStatus !== undefined ? { sipStatus } : {}) },
      );
      this.o.bus.publish('call.ended', { callId: rec.id, reason, agentId: o.userId, detail });
      return;
    }
    if (abort.signal.aborted || this.closed) {
      await leg.hangup().catch(() => {});
      await updateCall(this.o.db, rec.id, { state: 'ended', endedAt: new Date().toISOString(), endReason: 'abandoned' });
      this.o.bus.publish('call.ended', { callId: rec.id, reason: 'abandoned', agentId: o.userId });
      return;
    }
    const arrivedAt = new Date(rec.arrivedAt).getTime();
    const answeredAt = Date.now();
    const call = newLiveCall(rec.id, leg, { state: 'answered', arrivedAt, emergency: false, agentId: o.userId, answeredAt });
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
    this.o.bus.publish('call.answered', { callId: call.id, agentId: o.userId, queueWaitMs: ringMs });
  }

  // ---- transfers ----

  /** Resolves "110"/"119"/"120" or a SIP URI to where the call goes. */
  transferTarget(target: string): { line: Referral['line']; uri: string } {
    if (target === '110' || target === '119' || target === '120') {
      const uri = this.o.emergencyLines[target];
      if (!uri) throw TelephonyErrors.TRANSFER_LINE_NOT_CONFIGURED({ line: target });
      return { line: target, uri };
    }
    if (!/^sips?:[^\s<>"]+$/.test(target)) throw TelephonyErrors.TRANSFER_TARGET_INVALID({ target });
    return { line: 'other', uri: target };
  }

  async transfer(
    callId: number,
    agentId: number,
    req: { target: string; mode: 'blind' | 'bridge'; reason?: string },
    supervisor = false,
  ): Promise<Referral> {
    const call = this.ownCall(callId, agentId, supervisor);
    if (call.state !== 'answered' && call.state !== 'held') {
      throw TelephonyErrors.TRANSFER_CALL_NOT_ANSWERED({ callId, state: call.state });
    }
    const { line, uri } = this.transferTarget(req.target);
    if (req.mode === 'blind' && !call.leg.refer) throw TelephonyErrors.TRANSFER_REFER_UNSUPPORTED({ channel: call.leg.channel });
    if (req.mode === 'bridge' && !this.o.placeCall) throw TelephonyErrors.TRANSFER_BRIDGE_UNAVAILABLE();
    const excerpt = call.finals.join(' ').slice(-EXCERPT_CHARS);
    const referral = await insertReferral(this.o.db, { callId, line, target: uri, mode: req.mode, reason: req.reason, excerpt, agentId });
    const prev = call.state;
    call.state = 'transferring';
    void this.write(call, () => updateCall(this.o.db, call.id, { state: 'transferring' }));
    const progress = (status: TransferStatus, sipStatus?: number, detail?: string) =>
      this.o.bus.publish('call.transfer', { callId, referralId: referral.id, target: uri, mode: req.mode, status, sipStatus, detail });
    progress('started');
    const failed = async (sipStatus: number | undefined, detail: string) => {
      await updateReferral(this.o.db, referral.id, { outcome: 'failed', sipStatus, detail });
      progress('failed', sipStatus, detail);
      if (this.calls.has(callId) && call.state === 'transferring') {
        call.state = prev;
        await this.write(call, () => updateCall(this.o.db, call.id, { state: prev }));
      }
    };
    // The transfer runs on after this request has been answered: its DB writes may fail
    // (a rejection nothing awaits would end the process), so they are logged with the call.
    const running =
      req.mode === 'blind'
        ? this.blindTransfer(call, referral, uri, progress, failed)
        : this.bridgeTransfer(call, referral, uri, progress, failed);
    running.catch((err) => this.o.log.error({ err, callId, referralId: referral.id }, 'transfer failed'));
    return referral;
  }

  private async blindTransfer(
    call: LiveCall,
    referral: Referral,
    uri: string,
    progress: (s: TransferStatus, sip?: number, detail?: string) => void,
    failed: (sip: number | undefined, detail: string) => Promise<void>,
  ) {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      failed(undefined, 'no final NOTIFY in time').catch((err) => this.o.log.error({ err, callId: call.id }, 'transfer timeout'));
    }, this.o.transferTimeoutMs ?? 30_000);
    const onProgress = (status: number, reason: string) => {
      if (settled) return;
      if (status === 202) return progress('accepted', status, reason);
      if (status < 200) return progress(status === 100 ? 'trying' : 'ringing', status, reason);
      settled = true;
      clearTimeout(timer);
      if (status < 300) {
        void (async () => {
          await updateReferral(this.o.db, referral.id, { outcome: 'connected', sipStatus: status, detail: reason });
          progress('connected', status, reason);
          call.transferred = true;
          await call.leg.hangup();
          await this.finish(call, 'transferred');
        })().catch((err) => this.o.log.error({ err }, 'transfer completion failed'));
      } else {
        failed(status, reason).catch((err) => this.o.log.error({ err, callId: call.id }, 'transfer failure not stored'));
      }
    };
    try {
      await call.leg.refer?.(uri, onProgress);
    } catch (err) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      await failed(sipStatusOf(err), (err as Error).message);
    }
  }

  private async bridgeTransfer(
    call: LiveCall,
    referral: Referral,
    uri: string,
    progress: (s: TransferStatus, sip?: number, detail?: string) => void,
    failed: (sip: number | undefined, detail: string) => Promise<void>,
  ) {
    let other: CallLeg;
    try {
      progress('trying');
      other = await (this.o.placeCall as (u: string) => Promise<CallLeg>)(uri);
    } catch (err) {
      await failed(sipStatusOf(err), (err as Error).message);
      return;
    }
    if (!this.calls.has(call.id)) {
      await other.hangup();
      await failed(undefined, 'the caller hung up before the line answered');
      return;
    }
    call.bridge = other;
    call.transferred = true;
    this.stopPrompts(call);
    other.events = {
      onAudio: (pcm) => call.leg.sendPcm(pcm),
      onEnded: () => {
        call.leg
          .hangup()
          .then(() => this.finish(call, 'transferred'))
          .catch((err) => this.o.log.error({ err, callId: call.id }, 'ending a bridged call failed'));
      },
    };
    await updateReferral(this.o.db, referral.id, { outcome: 'connected', sipStatus: 200, detail: 'bridged' });
    progress('connected', 200, 'bridged');
    // The agent's part is over: the caller now talks to the emergency line through us.
    this.releaseAgent(call);
  }

  /** Makes a new call live: its leg's audio, DTMF and end come here, and its recognizer opens. */
  private track(call: LiveCall) {
    this.calls.set(call.id, call);
    // The leg calls these from its socket and timer callbacks: a throw here ends this call
    // (logged), never the process or the other calls.
    call.leg.events = {
      onAudio: (pcm, ms) => this.guarded(call, 'caller audio', () => this.onCallerAudio(call, pcm, ms)),
      onDtmf: (digit) => this.guarded(call, 'DTMF', () => this.onDtmf(call, digit)),
      onEnded: (reason) => {
        this.onLegEnded(call, reason).catch((err) => this.o.log.error({ err, callId: call.id }, 'could not end the call'));
      },
    };
    call.leg.start();
    this.openAsr(call);
  }

  // ---- media ----

  private onCallerAudio(call: LiveCall, pcm: Buffer, ms: number) {
    call.heardMs = ms;
    if (call.asr) call.asr.push(pcm);
    else if (call.asrPending && call.asrPending.length < ASR_PENDING_LIMIT) call.asrPending.push(pcm);
    if (call.state === 'answered') for (const s of call.sinks) s.send(pcm);
    call.bridge?.sendPcm(pcm);
  }

  private onDtmf(call: LiveCall, digit: string) {
    call.dtmf += digit;
    this.o.bus.publish('call.dtmf', { callId: call.id, digit });
    void this.write(call, () => updateCall(this.o.db, call.id, {}, { dtmf: call.dtmf }));
  }

  private openAsr(call: LiveCall) {
    const engine = this.o.asr();
    if (!engine) {
      call.asrPending = null;
      return;
    }
    call.asrOpening = engine
      .openStream({
        sampleRate: 8000,
        onResult: (r) => this.onAsrResult(call, r),
        onKeyword: (h) => this.o.bus.publish('call.keyword', { callId: call.id, leg: 'caller', ...h }),
        onError: (err) => {
          this.o.log.error({ err, callId: call.id }, 'speech recognition failed for this call');
          call.asr = undefined;
        },
      })
      .then((stream) => {
        if (call.asrDone) {
          // The call ended while the recognizer was starting (slower than finish() waits): free it.
          void stream.close().catch(() => {});
          return;
        }
        call.asr = stream;
        for (const pcm of call.asrPending ?? []) stream.push(pcm);
        call.asrPending = null;
      })
      .catch((err) => {
        call.asrPending = null;
        this.o.log.warn({ err: (err as Error).message, callId: call.id }, 'no speech recognition for this call');
      });
  }

  private onAsrResult(call: LiveCall, r: AsrResult) {
    const text = r.text.trim();
    if (!text) return;
    const startMs = r.startMs ?? null;
    const endMs = r.endMs ?? call.heardMs;
    if (r.final) {
      const seq = ++call.seq;
      call.finals.push(text);
      void this.write(call, () =>
        insertSegment(this.o.db, call.id, { leg: 'caller', seq, text, final: true, startMs, endMs, confidence: r.confidence ?? null }),
      );
      this.o.bus.publish('call.transcript', { callId: call.id, leg: 'caller', seq, text, final: true, startMs, endMs });
    } else {
      this.o.bus.publish('call.transcript', { callId: call.id, leg: 'caller', seq: call.seq + 1, text, final: false, startMs, endMs });
    }
  }

  private startPrompts(call: LiveCall) {
    const { greeting, queue } = this.o.prompts;
    if (greeting && call.state === 'queued' && !call.promptTimer) call.leg.sendPcm(greeting);
    if (!queue || call.promptTimer) return;
    call.promptTimer = setInterval(
      () =>
        this.guarded(call, 'queue prompt', () => {
          if (call.leg.queuedAudioMs < 200) call.leg.sendPcm(queue);
        }),
      200,
    );
  }

  private stopPrompts(call: LiveCall) {
    if (call.promptTimer) clearInterval(call.promptTimer);
    call.promptTimer = undefined;
    call.leg.clearAudio();
  }

  // ---- ending ----

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
    if (call.promptTimer) clearInterval(call.promptTimer);
    call.promptTimer = undefined;
    call.leg
      .hangup()
      .catch(() => {})
      .then(() => this.finish(call, 'failed'))
      .catch((e) => this.o.log.error({ err: e, callId: call.id }, 'could not end the failed call'));
  }

  private releaseAgent(call: LiveCall) {
    for (const s of call.sinks) s.close(1000, 'call ended');
    call.sinks.clear();
    if (call.agentId === undefined) return;
    const a = this.agents.get(call.agentId);
    if (a && a.callId === call.id) {
      a.callId = undefined;
      void this.changeAgent(a, 'after_call');
    }
  }

  private finish(call: LiveCall, reason: EndReason): Promise<void> {
    call.ending ??= (async () => {
      this.withdrawOffer(call);
      if (call.promptTimer) clearInterval(call.promptTimer);
      call.state = 'ended';
      this.releaseAgent(call);
      if (call.bridge) await call.bridge.hangup().catch(() => {});
      // A short call may end while its recognizer is still starting: its audio is pending
      // and must still be transcribed, so wait for the start (bounded).
      if (call.asrOpening && !call.asr) {
        await Promise.race([call.asrOpening, new Promise((r) => setTimeout(r, 15_000))]);
      }
      // The last words are flushed before the record is closed.
      if (call.asr) await call.asr.close().catch((err) => this.o.log.warn({ err }, 'ASR close failed'));
      call.asr = undefined;
      call.asrDone = true;
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

  /** Runs DB writes of one call in order; a failed write is logged, never lost silently. */
  private write(call: LiveCall, fn: () => Promise<unknown>): Promise<void> {
    call.writes = call.writes.then(fn).then(
      () => undefined,
      (err) => this.o.log.error({ err, callId: call.id }, 'could not store a call change'),
    );
    return call.writes;
  }

  async record(callId: number): Promise<CallRecord | undefined> {
    const call = this.calls.get(callId);
    if (call) await call.writes;
    return getCall(this.o.db, callId);
  }

  /** Hangs up every live call (server shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    for (const d of this.dialing.values()) d.abort.abort();
    await Promise.all([...this.dialing.values()].map((d) => d.settled));
    await Promise.all(
      [...this.calls.values()].map(async (c) => {
        await c.leg.hangup().catch(() => {});
        await this.finish(c, 'failed');
      }),
    );
  }
}

/** A live call's bookkeeping at its start; `fields` says how it starts (queued inbound, or answered outbound). */
function newLiveCall(
  id: number,
  leg: CallLeg,
  fields: Pick<LiveCall, 'state' | 'arrivedAt' | 'emergency'> & Partial<Pick<LiveCall, 'agentId' | 'answeredAt'>>,
): LiveCall {
  let resolveDone = () => {};
  const done = new Promise<void>((r) => {
    resolveDone = r;
  });
  return {
    id,
    leg,
    ...fields,
    asrPending: [],
    seq: 0,
    heardMs: 0,
    finals: [],
    writes: Promise.resolve(),
    sinks: new Set(),
    dtmf: '',
    transferred: false,
    done,
    resolveDone,
  };
}
