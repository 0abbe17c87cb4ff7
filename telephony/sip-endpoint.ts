/**
 * The SIP endpoint: sip.js's transport-agnostic core (parser, transactions, dialogs) over
 * our own UDP/TCP transports, one UserAgentCore per transport so that each dialog's Via
 * and requests stay on the transport it arrived on. This file decides who may call (ACL,
 * digest), enforces limits, negotiates SDP and turns dialogs into `SipCall` legs.
 */

import type { FastifyBaseLogger } from 'fastify';
import { Core, Grammar, URI } from 'sip.js';
import { maskPhone } from '../core/index.js';
import { TrunkAcl } from './acl.js';
import { type DigestCredentials, DigestVerifier } from './digest.js';
import { SipFailure } from './errors.js';
import { type PortRange, RtpSession } from './rtp-session.js';
import { buildSdp, type Negotiated, negotiate, parseSdp, SdpError } from './sdp.js';
import { SipCall, warning } from './sip-call.js';
import {
  DEFAULT_TCP_LIMITS,
  openTcpTransport,
  openUdpTransport,
  type Protocol,
  type SipPeer,
  type SipTransport,
  type TcpLimits,
} from './sip-transport.js';

export interface SipEndpointOptions {
  host: string;
  port: number;
  /** Address written into Contact, Via and SDP (what peers can reach). */
  advertiseHost: string;
  transports: Protocol[];
  acl: string[];
  auth?: DigestCredentials;
  maxCalls: number;
  maxMessageBytes: number;
  /** Limits on SIP over TCP (connections per source and in all, idle and incomplete-message timeouts). */
  tcp?: Partial<Pick<TcpLimits, 'maxConnections' | 'maxPerSource' | 'idleTimeoutMs' | 'messageTimeoutMs'>>;
  rtpRange: PortRange;
  rtpTimeoutMs: number;
  log: FastifyBaseLogger;
  /** A new inbound call was answered (200 OK sent); the receiver owns it from here. */
  onCall(call: SipCall): void;
  /** Counts for the log and the benchmarks: refused and malformed messages. */
  onRefused?(what: 'acl' | 'auth' | 'busy' | 'malformed' | 'codec' | 'loop', peer: SipPeer): void;
}

const MANDATORY = ['via', 'from', 'to', 'call-id', 'cseq'] as const;
const SHORT: Record<string, string> = { v: 'via', f: 'from', t: 'to', i: 'call-id', l: 'content-length', m: 'contact' };

/** Header names present in a raw message, with how often (for refusing broken ones with a 400 the peer can match). */
function headerNames(text: string): Map<string, number> {
  const head = text.split('\r\n\r\n')[0] ?? '';
  const names = new Map<string, number>();
  for (const line of head.split(/\r?\n/).slice(1)) {
    const m = /^([A-Za-z-]+)[ \t]*:/.exec(line);
    if (m) {
      const n = (m[1] as string).toLowerCase();
      const name = SHORT[n] ?? n;
      names.set(name, (names.get(name) ?? 0) + 1);
    }
  }
  return names;
}

/** Headers a message may carry once only (RFC 3261 §7.3.1: not comma-separated lists). */
const SINGLE = ['from', 'to', 'call-id', 'cseq', 'content-length', 'max-forwards'] as const;

let rawTag = 0;

/**
 * A final response built from the raw text, for requests the parser refused (or never saw
 * whole) that a peer could still match: it needs a request start line and a Via. `truncated`:
 * the text is the first bytes of an oversized message, so its last line may be cut and is left out.
 */
function rawReply(text: string, status: number, reason: string, o: { anyVersion?: boolean; truncated?: boolean } = {}): string | undefined {
  const end = text.indexOf('\r\n\r\n');
  let lines = (end >= 0 ? text.slice(0, end) : text).split(/\r?\n/);
  if (end < 0 && o.truncated) lines = lines.slice(0, -1);
  const version = o.anyVersion ? 'SIP/\\d+\\.\\d+' : 'SIP/2\\.0';
  if (!new RegExp(`^[A-Za-z]+ \\S+ ${version}$`).test(lines[0] ?? '') || /^ACK /i.test(lines[0] ?? '')) return undefined;
  const keep = lines.filter((l) => /^(via|v|from|f|to|t|call-id|i|cseq)[ \t]*:/i.test(l) && !/\0/.test(l));
  const names = new Set(keep.map((l) => SHORT[l.split(':')[0]?.trim().toLowerCase() ?? ''] ?? l.split(':')[0]?.trim().toLowerCase()));
  if (!names.has('via')) return undefined;
  // A UAS adds a To tag to its final response (RFC 3261 §8.2.6.2).
  const tagged = keep.map((l) => (/^(to|t)[ \t]*:/i.test(l) && !/;\s*tag=/i.test(l) ? `${l};tag=r${(++rawTag).toString(36)}` : l));
  return `SIP/2.0 ${status} ${reason.replace(/[\r\n]/g, ' ').slice(0, 100)}\r\n${tagged.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`;
}

const rawBadRequest = (text: string, reason: string) => rawReply(text, 400, reason);

export class SipEndpoint {
  readonly calls = new Map<string, SipCall>();
  private transports: SipTransport[] = [];
  private cores = new Map<Protocol, Core.UserAgentCore>();
  private digest?: DigestVerifier;
  private readonly acl: TrunkAcl;
  private stopped = false;
  stats = { received: 0, malformed: 0, refused: 0, calls: 0 };

  /** The transports' own counts: TCP connections refused and timed out, oversized messages. */
  get transportStats() {
    const sum = { tcpRefused: 0, tcpTimedOut: 0, oversized: 0 };
    for (const t of this.transports) {
      sum.tcpRefused += t.stats?.tcpRefused ?? 0;
      sum.tcpTimedOut += t.stats?.tcpTimedOut ?? 0;
      sum.oversized += t.stats?.oversized ?? 0;
    }
    return sum;
  }

  private constructor(private readonly opts: SipEndpointOptions) {
    this.acl = new TrunkAcl(opts.acl);
    if (opts.auth) this.digest = new DigestVerifier(opts.auth);
  }

  static async start(opts: SipEndpointOptions): Promise<SipEndpoint> {
    const ep = new SipEndpoint(opts);
    try {
      for (const protocol of opts.transports) {
        const topts = {
          host: opts.host,
          port: opts.port,
          maxMessageBytes: opts.maxMessageBytes,
          onMessage: (text: string, peer: SipPeer) => ep.receive(text, peer),
          onRefused: (reason: string, peer: SipPeer) => {
            ep.stats.malformed++;
            opts.log.warn({ peer: `${peer.address}:${peer.port}`, reason }, 'SIP message refused');
          },
          // RFC 3261 §21.5.14; over UDP only when the start line and Via survived the cut.
          onOversized: (head: string) => rawReply(head, 513, 'Message Too Large', { truncated: true }),
          onError: (err: unknown, peer: SipPeer) =>
            opts.log.error({ err, peer: `${peer.address}:${peer.port}` }, 'SIP message handling failed'),
          tcp: {
            ...DEFAULT_TCP_LIMITS,
            ...opts.tcp,
            // With digest configured an outside peer may still connect and be challenged;
            // without it nothing it could send would be accepted, so it is refused at accept.
            allow: (address: string) => Boolean(ep.digest) || ep.acl.allows(address),
            busy: (peer: SipPeer) =>
              [...ep.calls.values()].some(
                (c) => c && c.peer.protocol === 'TCP' && c.peer.address === peer.address && c.peer.port === peer.port,
              ),
          },
        };
        const t = protocol === 'UDP' ? await openUdpTransport(topts) : await openTcpTransport(topts);
        ep.transports.push(t);
        ep.cores.set(protocol, ep.makeCore(t));
      }
    } catch (err) {
      await ep.stop();
      throw err;
    }
    return ep;
  }

  /** The UDP (else first) port actually bound: tests bind port 0. */
  get port(): number {
    return this.transports[0]?.port ?? 0;
  }

  portOf(protocol: Protocol): number | undefined {
    return this.transports.find((t) => t.protocol === protocol)?.port;
  }

  private currentRuri: URI | undefined;

  private makeCore(transport: SipTransport): Core.UserAgentCore {
    const loggerFactory = new Core.LoggerFactory();
    loggerFactory.builtinEnabled = false;
    loggerFactory.level = 1; // warnings and errors
    loggerFactory.connector = (level, category, _label, content) => {
      if (level === 'error') this.opts.log.error({ category }, String(content));
      else if (level === 'warn') this.opts.log.debug({ category }, String(content));
    };
    const hostPort = `${this.opts.advertiseHost}:${transport.port}`;
    const contactUri = new URI('sip', 'hotline', this.opts.advertiseHost, transport.port, {
      transport: transport.protocol.toLowerCase(),
    });
    const self = this;
    const configuration: Core.UserAgentCoreConfiguration = {
      // The trunk routes any number it likes to us (12345, a DID, a queue code): the core
      // checks the Request-URI user against the AOR, so the AOR follows the request.
      get aor() {
        return self.currentRuri ?? contactUri;
      },
      contact: { pubGruu: undefined, tempGruu: undefined, uri: contactUri, toString: () => `<${contactUri.toString()}>` },
      displayName: '12345',
      loggerFactory,
      hackViaTcp: false,
      routeSet: [],
      sipjsId: Math.random().toString(36).slice(2, 7),
      supportedOptionTags: [],
      supportedOptionTagsResponse: [],
      userAgentHeaderFieldValue: '12345-hotline',
      viaForceRport: true,
      viaHost: hostPort,
      authenticationFactory: () => undefined,
      transportAccessor: () => transport as unknown as Core.Transport,
    };
    return new Core.UserAgentCore(configuration, { onInvite: (req) => this.onInvite(req, transport) });
  }

  private peers = new WeakMap<object, SipPeer>();

  private receive(text: string, peer: SipPeer): void {
    if (this.stopped) return;
    this.stats.received++;
    const transport = this.transports.find((t) => t.protocol === peer.protocol);
    const core = this.cores.get(peer.protocol);
    if (!transport || !core) return;
    const refuse = (reason: string): undefined => {
      this.stats.malformed++;
      this.opts.log.warn({ peer: `${peer.address}:${peer.port}`, reason }, 'malformed SIP message');
      const reply = rawBadRequest(text, reason);
      if (reply) transport.sendTo(peer, reply);
    };
    // RFC 3261 §8.2.2 / §21.5.15: a request in another SIP version gets 505 (when it can be answered).
    const startLine = /^([^\r\n]*)/.exec(text)?.[1] ?? '';
    const version = /^[A-Za-z]+ \S+ SIP\/(\d+\.\d+)$/.exec(startLine)?.[1] ?? /^SIP\/(\d+\.\d+) \d{3}\b/.exec(startLine)?.[1];
    if (version && version !== '2.0') {
      this.stats.malformed++;
      this.opts.log.warn({ peer: `${peer.address}:${peer.port}`, version }, 'SIP version not supported');
      const reply = rawReply(text, 505, 'Version Not Supported', { anyVersion: true });
      if (reply) transport.sendTo(peer, reply);
      return;
    }
    const names = headerNames(text);
    const missing = MANDATORY.filter((h) => !names.has(h));
    if (missing.length) return void refuse(`Missing ${missing.join(', ')}`);
    // The parser keeps the first of two Call-IDs (or CSeqs …); the peer may mean the other.
    const twice = SINGLE.filter((h) => (names.get(h) ?? 0) > 1);
    if (twice.length) return void refuse(`Duplicate ${twice.join(', ')} header`);
    let message: Core.IncomingRequestMessage | Core.IncomingResponseMessage | undefined;
    try {
      message = Core.Parser.parseMessage(text, core.loggerFactory.getLogger('sip.parser'));
    } catch {
      message = undefined;
    }
    if (!message) return void refuse('Malformed message');
    const declared = message.getHeader('content-length');
    if (declared !== undefined && Buffer.byteLength(message.body ?? '', 'utf8') < Number(declared)) return void refuse('Truncated body');
    if (message instanceof Core.IncomingRequestMessage) {
      if (!message.ruri && /^[A-Za-z]+ (?!sips?:)[A-Za-z][\w+.-]*:/.test(startLine)) {
        // tel:, urn: … in the Request-URI: RFC 3261 §8.2.2.1 answers 416.
        this.stats.malformed++;
        const reply = rawReply(text, 416, 'Unsupported URI Scheme');
        if (reply) transport.sendTo(peer, reply);
        return;
      }
      if (!message.ruri || !message.from?.uri || !message.to?.uri || !message.callId) return void refuse('Bad header values');
      // The CSeq method must be the request's (RFC 3261 §8.1.1.5); the core would match such a
      // request to the wrong transaction.
      const cseqMethod = /^\s*\d+\s+(\S+)\s*$/.exec(message.getHeader('cseq') ?? '')?.[1];
      if (cseqMethod !== message.method) return void refuse('CSeq method does not match the request method');
      if (message.method === 'PRACK') {
        // We never send reliable provisional responses (RFC 3262: no 100rel), so a PRACK
        // acknowledges nothing: RFC 3262 §3 asks for 481. (501 would contradict the Allow
        // header the core sends, which lists PRACK; and the core itself throws on a PRACK
        // outside a dialog, leaving the peer retransmitting into silence.)
        core.replyStateless(message, { statusCode: 481, reasonPhrase: 'No Reliable Provisional Response To Acknowledge' });
        return;
      }
      this.peers.set(message, peer);
      this.currentRuri = message.ruri;
      try {
        core.receiveIncomingRequestFromTransport(message);
      } catch (err) {
        this.opts.log.error({ err }, 'SIP request handling failed');
      } finally {
        this.currentRuri = undefined;
      }
    } else {
      try {
        core.receiveIncomingResponseFromTransport(message);
      } catch (err) {
        this.opts.log.error({ err }, 'SIP response handling failed');
      }
    }
  }

  private onInvite(req: Core.IncomingInviteRequest, transport: SipTransport): void {
    const msg = req.message;
    const peer = this.peers.get(msg) ?? { protocol: transport.protocol, address: '?', port: 0 };
    const caller = msg.from.uri.user ?? '';
    const log = this.opts.log.child({ peer: `${peer.address}:${peer.port}`, caller: maskPhone(caller) });
    if (!this.acl.allows(peer.address)) {
      if (!this.digest) {
        this.stats.refused++;
        log.warn('INVITE refused: source address is not in SIP_TRUNK_ACL');
        this.opts.onRefused?.('acl', peer);
        req.reject({ statusCode: 403, reasonPhrase: 'Forbidden: address not allowed' });
        return;
      }
      if (!this.digest.verify('INVITE', msg.getHeader('authorization'))) {
        this.stats.refused++;
        log.warn('INVITE challenged: not in SIP_TRUNK_ACL, no valid digest credentials');
        this.opts.onRefused?.('auth', peer);
        req.reject({ statusCode: 401, extraHeaders: [`WWW-Authenticate: ${this.digest.challenge()}`] });
        return;
      }
    }
    // A new INVITE (no To tag: a re-INVITE would have come through its dialog) with the Call-ID
    // of a call that is live: the same call arriving again by another path, or a broken peer.
    // Answering it would overwrite the live call here and collide with its record (the calls
    // table keeps Call-IDs unique). RFC 3261 §8.2.2.2 answers such merged requests with 482.
    if (this.calls.has(msg.callId)) {
      this.stats.refused++;
      log.warn('INVITE refused: its Call-ID belongs to a live call (482 Loop Detected)');
      this.opts.onRefused?.('loop', peer);
      req.reject({ statusCode: 482, reasonPhrase: 'Loop Detected' });
      return;
    }
    if (this.stopped || this.calls.size >= this.opts.maxCalls) {
      this.opts.onRefused?.('busy', peer);
      log.warn({ active: this.calls.size }, 'INVITE refused: SIP_MAX_CALLS reached');
      req.reject({ statusCode: 503, reasonPhrase: 'Too Many Calls', extraHeaders: ['Retry-After: 5'] });
      return;
    }
    const ctype = msg.getHeader('content-type');
    if (msg.body && !/^\s*application\/sdp/i.test(ctype ?? '')) {
      this.opts.onRefused?.('codec', peer);
      req.reject({ statusCode: 415, reasonPhrase: 'Unsupported Media Type', extraHeaders: ['Accept: application/sdp'] });
      return;
    }
    let neg: Negotiated;
    try {
      if (!msg.body) throw new SdpError('the INVITE has no SDP offer (offerless INVITE is not supported)');
      neg = negotiate(parseSdp(msg.body));
    } catch (err) {
      this.opts.onRefused?.('codec', peer);
      log.warn({ reason: (err as Error).message }, 'INVITE refused: SDP');
      req.reject({
        statusCode: 488,
        reasonPhrase: 'Not Acceptable Here',
        extraHeaders: [warning((err as Error).message)],
      });
      return;
    }
    req.trying();
    let cancelled = false;
    req.delegate = {
      onCancel: () => {
        cancelled = true;
      },
    };
    // Holds the place of this Call-ID while RTP is opened, so SIP_MAX_CALLS counts it.
    const placeholder = msg.callId;
    this.calls.set(placeholder, undefined as unknown as SipCall);
    RtpSession.open(this.opts.host, this.opts.rtpRange, this.opts.rtpTimeoutMs)
      .then((rtp) => {
        if (cancelled || this.stopped) {
          rtp.close();
          this.calls.delete(placeholder);
          return;
        }
        rtp.setRemote(neg.remoteAddress, neg.remotePort, neg.codec, neg.payloadType, neg.dtmfPayloadType);
        const answer = buildSdp({ address: this.opts.advertiseHost, port: rtp.port, neg });
        const res = req.accept({
          statusCode: 200,
          body: { contentDisposition: 'session', contentType: 'application/sdp', content: answer },
        });
        const pai = msg.getHeader('p-asserted-identity');
        const paiUser = pai ? Grammar.nameAddrHeaderParse(pai)?.uri.user : undefined;
        const call = new SipCall({
          session: res.session,
          rtp,
          neg,
          advertiseHost: this.opts.advertiseHost,
          direction: 'inbound',
          callerNumber: paiUser ?? caller,
          calledNumber: msg.ruri?.user ?? msg.to.uri.user ?? '',
          sipCallId: msg.callId,
          peer,
          emergency: /^\s*emergency\s*$/i.test(msg.getHeader('priority') ?? ''),
          log,
          onGone: () => this.calls.delete(msg.callId),
        });
        this.calls.set(msg.callId, call);
        this.stats.calls++;
        this.opts.onCall(call);
      })
      .catch((err) => {
        this.calls.delete(placeholder);
        log.error({ err }, 'could not set up the call');
        try {
          req.reject({ statusCode: 503, reasonPhrase: 'No Media Port' });
        } catch {
          // the transaction already ended (CANCEL)
        }
      });
  }

  /**
   * Places an outbound call (transfers, callbacks) to `target` (a SIP URI); resolves
   * when it is answered, rejects with the final status when it is not. Aborting `signal`
   * while it rings sends CANCEL (the desk's 挂断 before the citizen picks up).
   */
  async call(target: string, opts: { from?: string; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<SipCall> {
    const uri = Grammar.URIParse(target);
    if (!uri) throw new Error(`"${target}" is not a SIP URI`);
    const protocol: Protocol = String(uri.getParam('transport') ?? 'udp').toUpperCase() === 'TCP' ? 'TCP' : 'UDP';
    const core = this.cores.get(protocol) ?? this.cores.values().next().value;
    const transport = this.transports.find((t) => t.protocol === protocol) ?? this.transports[0];
    if (!core || !transport) throw new Error('the SIP endpoint is not running');
    const rtp = await RtpSession.open(this.opts.host, this.opts.rtpRange, this.opts.rtpTimeoutMs);
    const offer = buildSdp({ address: this.opts.advertiseHost, port: rtp.port });
    const fromUri = new URI('sip', opts.from ?? '12345', this.opts.advertiseHost, transport.port);
    const request = core.makeOutgoingRequestMessage(
      'INVITE',
      uri,
      fromUri,
      uri,
      {},
      [`Contact: <sip:hotline@${this.opts.advertiseHost}:${transport.port};transport=${protocol.toLowerCase()}>`],
      { contentDisposition: 'session', contentType: 'application/sdp', content: offer },
    );
    return new Promise<SipCall>((resolve, reject) => {
      let settled = false;
      const fail = (why: string | SipFailure) => {
        if (settled) return;
        settled = true;
        rtp.close();
        reject(typeof why === 'string' ? new Error(why) : why);
      };
      const timer = setTimeout(() => {
        fail('no answer in time');
        try {
          outgoing.cancel();
        } catch {
          // already final
        }
      }, opts.timeoutMs ?? 30_000);
      const onAbort = () => {
        clearTimeout(timer);
        fail('cancelled');
        try {
          outgoing.cancel();
        } catch {
          // already final
        }
      };
      const outgoing = core.invite(request, {
        onAccept: (response) => {
          clearTimeout(timer);
          opts.signal?.removeEventListener('abort', onAbort);
          response.ack();
          if (settled) {
            response.session.bye();
            return;
          }
          let neg: Negotiated;
          try {
            neg = negotiate(parseSdp(response.message.body));
          } catch (err) {
            // An answer with m=audio 0 (RFC 3264 §6: the stream rejected) or no usable codec:
            // this leg has no audio, so it ends here; the caller's other legs are not touched.
            this.opts.log.warn(
              { target: `${uri.user ? maskPhone(uri.user) : ''}@${uri.host}`, reason: (err as Error).message },
              'outbound call answered without usable audio: sent BYE',
            );
            try {
              response.session.bye();
            } catch {
              // the dialog is already gone
            }
            fail(`the answer's SDP was unusable: ${(err as Error).message}`);
            return;
          }
          settled = true;
          rtp.setRemote(neg.remoteAddress, neg.remotePort, neg.codec, neg.payloadType, neg.dtmfPayloadType);
          const call = new SipCall({
            session: response.session,
            rtp,
            neg,
            advertiseHost: this.opts.advertiseHost,
            direction: 'outbound',
            callerNumber: opts.from ?? '12345',
            calledNumber: uri.user ?? '',
            sipCallId: response.message.callId,
            peer: { protocol, address: uri.host, port: uri.port ?? 5060 },
            log: this.opts.log,
            onGone: () => this.calls.delete(response.message.callId),
          });
          this.calls.set(response.message.callId, call);
          rtp.start();
          resolve(call);
        },
        onReject: (response) => {
          clearTimeout(timer);
          opts.signal?.removeEventListener('abort', onAbort);
          fail(SipFailure.of(response.message));
        },
      });
      if (opts.signal?.aborted) onAbort();
      else opts.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  get activeCalls(): number {
    return this.calls.size;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const call of [...this.calls.values()]) if (call) await call.hangup().catch(() => {});
    for (const core of this.cores.values()) {
      try {
        core.dispose();
      } catch (err) {
        this.opts.log.warn({ err }, 'SIP core dispose failed');
      }
    }
    for (const t of this.transports) await t.close().catch(() => {});
    this.transports = [];
  }
}
