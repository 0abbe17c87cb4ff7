/** One SIP dialog with its RTP session, as a call leg. */
import type { FastifyBaseLogger } from 'fastify';
import type { Core } from 'sip.js';
import { SipFailure } from './errors.js';
import type { CallLeg, LegEnd, LegEvents, ReferProgress } from './leg.js';
import type { RtpSession } from './rtp-session.js';
import { buildSdp, type Negotiated, negotiate, parseSdp } from './sdp.js';
import type { SipPeer } from './sip-transport.js';

export interface SipCallInit {
  session: Core.Session;
  rtp: RtpSession;
  neg: Negotiated;
  advertiseHost: string;
  direction: 'inbound' | 'outbound';
  callerNumber: string;
  calledNumber: string;
  sipCallId: string;
  peer: SipPeer;
  /** The INVITE said `Priority: emergency` (RFC 3261 §20.26). */
  emergency?: boolean;
  /** Where a fault of this call (a throw in its callbacks, a declined stream) is logged. */
  log?: FastifyBaseLogger;
  onGone(): void;
}

/** A Warning header (RFC 3261 §20.43, code 305: incompatible media format) with our reason. */
export const warning = (text: string) => `Warning: 305 12345 "${text.replace(/["\\\r\n]/g, ' ')}"`;

const sdpBody = (content: string) => ({ contentDisposition: 'session', contentType: 'application/sdp', content });

export class SipCall implements CallLeg {
  readonly channel;
  readonly callerNumber: string;
  readonly calledNumber: string;
  readonly sipCallId: string;
  readonly peer: SipPeer;
  readonly rtp: RtpSession;
  readonly emergency: boolean;
  events: LegEvents = {};
  /** The peer put us on hold (re-INVITE sendonly/inactive). */
  heldByPeer = false;
  private ended = false;
  /** We hung up before the caller's ACK came: the BYE goes out when it comes (or times out). */
  private byePending = false;
  private referProgress?: ReferProgress;

  constructor(private readonly init: SipCallInit) {
    this.channel = init.direction === 'inbound' ? ('sip' as const) : ('outbound' as const);
    this.callerNumber = init.callerNumber;
    this.calledNumber = init.calledNumber;
    this.sipCallId = init.sipCallId;
    this.peer = init.peer;
    this.rtp = init.rtp;
    this.emergency = init.emergency ?? false;
    this.rtp.on({
      onAudio: (pcm, ms) => this.events.onAudio?.(pcm, ms),
      onDtmf: (digit) => this.events.onDtmf?.(digit),
      onTimeout: () => this.endQuietly('timeout'),
      onError: (err) => this.fault('RTP', err),
    });
    // sip.js calls these from its transaction timers and our socket callbacks: a throw in
    // any of them (ours or the call centre's handlers behind them) ends this call only.
    const guard =
      <A extends unknown[]>(what: string, fn: (...a: A) => void) =>
      (...a: A) => {
        try {
          fn(...a);
        } catch (err) {
          this.fault(what, err);
        }
      };
    init.session.delegate = {
      onAck: guard('ACK', () => {
        if (this.byePending) this.sendBye();
        else this.rtp.start();
      }),
      onAckTimeout: guard('ACK timeout', () => {
        // With no ACK the session is over; RFC 3261 13.3.1.4 still asks for a BYE.
        if (this.byePending) this.sendBye();
        else this.endQuietly('failed');
      }),
      onBye: guard('BYE', (req: Core.IncomingByeRequest) => {
        req.accept();
        this.finish('hangup');
      }),
      onInvite: guard('re-INVITE', (req: Core.IncomingInviteRequest) => this.onReinvite(req)),
      onInfo: guard('INFO', (req: Core.IncomingInfoRequest) => {
        // SIP INFO DTMF (application/dtmf-relay) from trunks without RFC 4733.
        const signal = /Signal\s*=\s*([0-9*#A-D])/i.exec(req.message.body ?? '')?.[1];
        req.accept();
        if (signal) this.events.onDtmf?.(signal);
      }),
      onNotify: guard('NOTIFY', (req: Core.IncomingNotifyRequest) => {
        req.accept();
        const m = /^SIP\/2\.0\s+(\d{3})\s*(.*)$/m.exec(req.message.body ?? '');
        if (m) this.referProgress?.(Number(m[1]), (m[2] ?? '').trim());
      }),
      onRefer: guard('REFER', (req: Core.IncomingReferRequest) => {
        req.reject({ statusCode: 403, reasonPhrase: 'Transfers are placed by the hotline' });
      }),
    };
  }

  /**
   * Ends this call after a throw in one of its callbacks: logged with the call, BYE sent,
   * onEnded('failed'). The process and the other calls go on.
   */
  fault(where: string, err: unknown): void {
    if (this.ended) return;
    this.init.log?.error({ err, sipCallId: this.sipCallId }, `call ended: its ${where} handling failed`);
    this.endQuietly('failed');
  }

  /** end() from a timer or socket callback, where nothing may escape. */
  private endQuietly(reason: LegEnd): void {
    this.end(reason).catch((err) => this.init.log?.error({ err, sipCallId: this.sipCallId }, 'ending the call failed'));
  }

  private onReinvite(req: Core.IncomingInviteRequest) {
    let neg: Negotiated;
    try {
      neg = negotiate(parseSdp(req.message.body));
    } catch (err) {
      // Port 0 (RFC 3264 §8.2: the peer removes the audio stream) or no usable codec: refused,
      // and the call goes on with the media it had (RFC 3261 §14.2).
      this.init.log?.warn({ sipCallId: this.sipCallId, reason: (err as Error).message }, 're-INVITE refused: SDP');
      req.reject({ statusCode: 488, reasonPhrase: 'Not Acceptable Here', extraHeaders: [warning((err as Error).message)] });
      return;
    }
    this.heldByPeer = neg.direction === 'sendonly' || neg.direction === 'inactive';
    this.rtp.holding = this.heldByPeer;
    this.rtp.setRemote(neg.remoteAddress, neg.remotePort, neg.codec, neg.payloadType, neg.dtmfPayloadType);
    req.accept({ statusCode: 200, body: sdpBody(buildSdp({ address: this.init.advertiseHost, port: this.rtp.port, neg })) });
  }

  start(): void {
    this.rtp.start();
  }

  sendPcm(pcm: Buffer): void {
    this.rtp.sendPcm(pcm);
  }

  clearAudio(): void {
    this.rtp.clearQueue();
  }

  get queuedAudioMs(): number {
    return this.rtp.queuedMs;
  }

  sendDtmf(digits: string): Promise<void> {
    return this.rtp.sendDtmf(digits);
  }

  /** Holds (a=sendonly) or resumes (a=sendrecv) by re-INVITE. */
  hold(on: boolean): Promise<void> {
    const neg = { ...this.init.neg, direction: 'sendrecv' as const };
    const body = sdpBody(buildSdp({ address: this.init.advertiseHost, port: this.rtp.port, neg, direction: on ? 'sendonly' : 'sendrecv' }));
    return new Promise((resolve, reject) => {
      this.init.session.invite(
        {
          onAccept: (res) => {
            res.ack();
            // An answer with m=audio 0 removes the call's only stream (RFC 3264 §6): the call
            // has no audio left, so it ends rather than staying up silent.
            if (/^m=audio\s+0\s/m.test(res.message.body ?? '')) {
              this.init.log?.warn({ sipCallId: this.sipCallId }, 'the peer answered our re-INVITE with m=audio 0: ending the call');
              reject(new Error('the peer declined the audio stream (m=audio 0) in its answer'));
              this.endQuietly('failed');
              return;
            }
            this.rtp.holding = on;
            resolve();
          },
          onReject: (res) => reject(SipFailure.of(res.message, 'the peer refused the re-INVITE')),
        },
        { body },
      );
    });
  }

  refer(target: string, onProgress: ReferProgress): Promise<void> {
    this.referProgress = onProgress;
    return new Promise((resolve, reject) => {
      this.init.session.refer(
        {
          onAccept: (res) => {
            onProgress(res.message.statusCode ?? 202, res.message.reasonPhrase ?? 'Accepted');
            resolve();
          },
          onReject: (res) => reject(SipFailure.of(res.message, 'the trunk refused the REFER')),
        },
        { extraHeaders: [`Refer-To: <${target}>`, `Referred-By: <sip:12345@${this.init.advertiseHost}>`] },
      );
    });
  }

  async hangup(): Promise<void> {
    return this.end(undefined);
  }

  /** Sends BYE (when the dialog is up) and ends the leg; `reason` is reported to onEnded. */
  private async end(reason: LegEnd | undefined): Promise<void> {
    if (this.ended) return;
    const state = this.init.session.sessionState;
    // Between our 200 OK and the caller's ACK, the callee must not send BYE (RFC 3261 15):
    // sip.js throws if asked to. Hanging up in that window (an agent rejecting a fresh call,
    // a quick hangup under load) used to drop the BYE, leaving the caller on a dead line.
    if (state === 'AckWait') this.byePending = true;
    else if (state === 'Confirmed') this.sendBye();
    this.finish(reason);
  }

  private sendBye() {
    this.byePending = false;
    try {
      this.init.session.bye();
    } catch {
      // the dialog is already gone
    }
  }

  /** Ends the leg once; `reason` undefined = we hung up (no onEnded for our own hangup). */
  private finish(reason: LegEnd | undefined) {
    if (this.ended) return;
    this.ended = true;
    try {
      this.rtp.close();
    } finally {
      this.init.onGone();
    }
    if (reason) {
      try {
        this.events.onEnded?.(reason);
      } catch (err) {
        this.init.log?.error({ err, sipCallId: this.sipCallId }, 'the handler of this call ending failed');
      }
    }
  }
}
