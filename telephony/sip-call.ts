/** One SIP dialog with its RTP session, as a call leg. */
import type { Core } from 'sip.js';
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
  onGone(): void;
}

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
      onTimeout: () => void this.end('timeout'),
    });
    init.session.delegate = {
      onAck: () => {
        if (this.byePending) this.sendBye();
        else this.rtp.start();
      },
      onAckTimeout: () => {
        // With no ACK the session is over; RFC 3261 13.3.1.4 still asks for a BYE.
        if (this.byePending) this.sendBye();
        else void this.end('failed');
      },
      onBye: (req) => {
        req.accept();
        this.finish('hangup');
      },
      onInvite: (req) => this.onReinvite(req),
      onInfo: (req) => {
        // SIP INFO DTMF (application/dtmf-relay) from trunks without RFC 4733.
        const signal = /Signal\s*=\s*([0-9*#A-D])/i.exec(req.message.body ?? '')?.[1];
        req.accept();
        if (signal) this.events.onDtmf?.(signal);
      },
      onNotify: (req) => {
        req.accept();
        const m = /^SIP\/2\.0\s+(\d{3})\s*(.*)$/m.exec(req.message.body ?? '');
        if (m) this.referProgress?.(Number(m[1]), (m[2] ?? '').trim());
      },
      onRefer: (req) => void req.reject({ statusCode: 403, reasonPhrase: 'Transfers are placed by the hotline' }),
    };
  }

  private onReinvite(req: Core.IncomingInviteRequest) {
    let neg: Negotiated;
    try {
      neg = negotiate(parseSdp(req.message.body));
    } catch {
      req.reject({ statusCode: 488 });
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
            this.rtp.holding = on;
            resolve();
          },
          onReject: (res) => reject(new Error(`the peer refused the re-INVITE: ${res.message.statusCode} ${res.message.reasonPhrase}`)),
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
          onReject: (res) => reject(new Error(`the trunk refused the REFER: ${res.message.statusCode} ${res.message.reasonPhrase}`)),
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
    this.rtp.close();
    this.init.onGone();
    if (reason) this.events.onEnded?.(reason);
  }
}
