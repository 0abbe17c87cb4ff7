/**
 * SIP over UDP and TCP on Node sockets, for sip.js's transport-agnostic core. The core
 * hands a transport only the text to send, so the destination is worked out here: a
 * response goes back where its request came from (looked up by the top Via branch, which
 * also handles NAT: RFC 3581 rport behaviour), a request goes to its first Route or its
 * Request-URI. TCP messages are framed by Content-Length (RFC 3261 §18.3).
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { Grammar } from 'sip.js';

export type Protocol = 'UDP' | 'TCP';

export interface SipPeer {
  protocol: Protocol;
  address: string;
  port: number;
}

export interface SipTransport {
  readonly protocol: Protocol;
  readonly port: number;
  readonly stats?: TransportStats;
  send(message: string): Promise<void>;
  /** Sends raw text to a known peer (stateless replies to messages the core never saw). */
  sendTo(peer: SipPeer, message: string): void;
  close(): Promise<void>;
}

export type MessageHandler = (text: string, peer: SipPeer) => void;

/** Limits on SIP over TCP, all checked by the transport (see SIP_TCP_* in settings.ts). */
export interface TcpLimits {
  /** Accepted connections open at once, from everyone. */
  maxConnections: number;
  /** Accepted connections open at once from one source address. */
  maxPerSource: number;
  /** A connection with no bytes either way for this long is closed (unless `busy`). */
  idleTimeoutMs: number;
  /** A message whose header block and body are not complete this long after its first byte closes the connection. */
  messageTimeoutMs: number;
  /** Whether a source address may connect at all; refused ones are destroyed at accept. */
  allow?(address: string): boolean;
  /** Whether a connection carries a live call: an idle one is then kept open. */
  busy?(peer: SipPeer): boolean;
}

export interface TransportOptions {
  host: string;
  port: number;
  maxMessageBytes: number;
  onMessage: MessageHandler;
  /** A message refused before parsing (too large, bad framing), for the log. */
  onRefused?(reason: string, peer: SipPeer): void;
  /**
   * A message over maxMessageBytes: given its first bytes, returns the reply to send (a 513
   * when its start line and Via are readable) or undefined to drop it.
   */
  onOversized?(head: string, peer: SipPeer): string | undefined;
  /** Our own handling of a message threw: logged, the transport goes on. */
  onError?(err: unknown, peer: SipPeer): void;
  tcp?: TcpLimits;
}

export interface TransportStats {
  /** TCP connections destroyed at accept (ACL, per-source or global cap). */
  tcpRefused: number;
  /** TCP connections closed by the idle or the incomplete-message timeout. */
  tcpTimedOut: number;
  /** Messages over the size limit (answered 513 or dropped). */
  oversized: number;
}

export const DEFAULT_TCP_LIMITS: TcpLimits = { maxConnections: 1024, maxPerSource: 32, idleTimeoutMs: 60_000, messageTimeoutMs: 10_000 };

const BRANCH_TTL_MS = 64 * 500; // 64*T1: a transaction's lifetime

/** Remembers where each request came from, by Via branch, until its transaction is over. */
class BranchMap {
  private map = new Map<string, { peer: SipPeer; at: number }>();
  private sweeps = 0;
  remember(text: string, peer: SipPeer) {
    const branch = topViaBranch(text);
    if (!branch) return;
    this.map.set(branch, { peer, at: Date.now() });
    if (++this.sweeps % 256 === 0) {
      const old = Date.now() - BRANCH_TTL_MS;
      for (const [k, v] of this.map) if (v.at < old) this.map.delete(k);
    }
  }
  lookup(text: string): SipPeer | undefined {
    const branch = topViaBranch(text);
    return branch ? this.map.get(branch)?.peer : undefined;
  }
}

function headerBlock(text: string): string {
  const end = text.indexOf('\r\n\r\n');
  return end < 0 ? text : text.slice(0, end);
}

function topViaBranch(text: string): string | undefined {
  const m = /^(?:via|v)[ \t]*:[^\r\n]*?;[ \t]*branch=([^;,\s]+)/im.exec(headerBlock(text));
  return m?.[1];
}

/** Where a request we send goes: the first Route (loose routing) or the Request-URI. */
export function requestDestination(text: string): { address: string; port: number } | undefined {
  const head = headerBlock(text);
  const route = /^route[ \t]*:[ \t]*<([^>]+)>/im.exec(head);
  const ruri = /^[A-Z]+ (\S+) SIP\/2\.0/.exec(head);
  const target = route?.[1] ?? ruri?.[1];
  if (!target) return undefined;
  const uri = Grammar.URIParse(target);
  if (!uri) return undefined;
  const maddr = uri.getParam('maddr');
  return { address: typeof maddr === 'string' ? maddr : uri.host, port: uri.port ?? 5060 };
}

/** Where a response goes when its request's branch is unknown: the top Via's received/rport or sent-by. */
function viaDestination(text: string): { address: string; port: number } | undefined {
  const m = /^(?:via|v)[ \t]*:[ \t]*SIP\/2\.0\/\w+[ \t]+([^;\s:]+)(?::(\d+))?([^\r\n]*)/im.exec(headerBlock(text));
  if (!m) return undefined;
  const params = m[3] ?? '';
  const received = /;received=([^;\s,]+)/i.exec(params)?.[1];
  const rport = /;rport=(\d+)/i.exec(params)?.[1];
  return { address: received ?? (m[1] as string), port: Number(rport ?? m[2] ?? 5060) };
}

const validPort = (p: number) => Number.isInteger(p) && p > 0 && p < 65536;

export async function openUdpTransport(opts: TransportOptions): Promise<SipTransport & { stats: TransportStats }> {
  const socket: UdpSocket = createSocket({ type: 'udp4', recvBufferSize: 1 << 20 });
  const branches = new BranchMap();
  const stats: TransportStats = { tcpRefused: 0, tcpTimedOut: 0, oversized: 0 };
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(opts.port, opts.host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  socket.on('error', () => {}); // ICMP port unreachable from a vanished peer
  // dgram.send throws synchronously on a bad port (0, >65535) and reports the rest (unresolvable
  // or unreachable address) to its callback or as 'error': neither may reach the process.
  const raw = (message: string, port: number, address: string, done?: (err?: Error) => void) => {
    if (!validPort(port)) return done?.(new Error(`cannot send SIP to port ${port}`));
    try {
      socket.send(message, port, address, (err) => done?.(err ?? undefined));
    } catch (err) {
      done?.(err as Error);
    }
  };
  socket.on('message', (msg, rinfo) => {
    const peer: SipPeer = { protocol: 'UDP', address: rinfo.address, port: rinfo.port };
    try {
      if (msg.length > opts.maxMessageBytes) {
        stats.oversized++;
        opts.onRefused?.(`message of ${msg.length} bytes is over the limit`, peer);
        const reply = opts.onOversized?.(msg.subarray(0, opts.maxMessageBytes).toString('utf8'), peer);
        if (reply) raw(reply, peer.port, peer.address);
        return;
      }
      const text = msg.toString('utf8');
      if (/^\s*$/.test(text)) return; // keep-alive
      branches.remember(text, peer);
      opts.onMessage(text, peer);
    } catch (err) {
      opts.onError?.(err, peer);
    }
  });
  const port = socket.address().port;
  const out = (message: string, address: string, p: number) =>
    new Promise<void>((resolve, reject) => raw(message, p, address, (err) => (err ? reject(err) : resolve())));
  return {
    protocol: 'UDP',
    port,
    stats,
    async send(message) {
      const dest = message.startsWith('SIP/2.0 ') ? (branches.lookup(message) ?? viaDestination(message)) : requestDestination(message);
      if (!dest) throw new Error('cannot tell where to send this SIP message (no Via/Request-URI)');
      await out(message, dest.address, dest.port);
    },
    sendTo(peer, message) {
      raw(message, peer.port, peer.address);
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** An IPv4 peer accepted on a dual-stack socket reads ::ffff:a.b.c.d: counted, logged and replied to as the IPv4 address it is. */
const plainAddress = (a: string) => (a.startsWith('::ffff:') ? a.slice(7) : a);

export async function openTcpTransport(opts: TransportOptions): Promise<SipTransport & { stats: TransportStats }> {
  const limits = opts.tcp ?? DEFAULT_TCP_LIMITS;
  const conns = new Map<string, Socket>();
  const branches = new BranchMap();
  const key = (a: string, p: number) => `${a}:${p}`;
  const stats: TransportStats = { tcpRefused: 0, tcpTimedOut: 0, oversized: 0 };
  const perSource = new Map<string, number>();
  let accepted = 0;

  const attach = (sock: Socket) => {
    const peer: SipPeer = { protocol: 'TCP', address: plainAddress(sock.remoteAddress ?? ''), port: sock.remotePort ?? 0 };
    conns.set(key(peer.address, peer.port), sock);
    let buf = Buffer.alloc(0);
    let closing = false;
    // Started at a message's first byte and not moved by later bytes of it: a message sent a
    // byte at a time cannot hold the connection longer than messageTimeoutMs.
    let partial: NodeJS.Timeout | undefined;
    const stopPartial = () => {
      if (partial) clearTimeout(partial);
      partial = undefined;
    };
    const close = (reason: string, reply?: string) => {
      closing = true;
      stopPartial();
      buf = Buffer.alloc(0);
      opts.onRefused?.(reason, peer);
      if (reply) sock.end(reply);
      else sock.destroy();
    };
    const oversized = (reason: string) => {
      stats.oversized++;
      close(reason, opts.onOversized?.(buf.subarray(0, opts.maxMessageBytes).toString('utf8'), peer));
    };
    const frame = () => {
      for (;;) {
        while (buf.length && (buf[0] === 0x0d || buf[0] === 0x0a)) buf = buf.subarray(1); // CRLF keep-alives
        if (!buf.length) return;
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) {
          if (buf.length > opts.maxMessageBytes) oversized('header block over the size limit');
          return;
        }
        const head = buf.subarray(0, end).toString('utf8');
        const cl = /^(?:content-length|l)[ \t]*:[ \t]*(\d+)[ \t]*$/im.exec(head);
        // A stream transport cannot find the next message without Content-Length.
        if (!cl)
          return close('message without a valid Content-Length on TCP', 'SIP/2.0 400 Missing Content-Length\r\nContent-Length: 0\r\n\r\n');
        const total = end + 4 + Number(cl[1]);
        if (total > opts.maxMessageBytes) return oversized(`message of ${total} bytes is over the limit`);
        if (buf.length < total) return;
        const text = buf.subarray(0, total).toString('utf8');
        buf = buf.subarray(total);
        stopPartial();
        branches.remember(text, peer);
        opts.onMessage(text, peer);
        if (closing) return;
      }
    };
    sock.setNoDelay(true);
    sock.on('data', (chunk) => {
      if (closing) return;
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      try {
        frame();
      } catch (err) {
        opts.onError?.(err, peer);
        close('message handling failed');
        return;
      }
      if (closing) return;
      if (!buf.length) stopPartial();
      else
        partial ??= setTimeout(() => {
          stats.tcpTimedOut++;
          close(`message not complete within ${limits.messageTimeoutMs} ms: connection closed`);
        }, limits.messageTimeoutMs);
    });
    sock.on('error', () => {});
    sock.on('close', () => {
      stopPartial();
      if (conns.get(key(peer.address, peer.port)) === sock) conns.delete(key(peer.address, peer.port));
    });
    // Bytes either way (keep-alive CRLFs included) restart this clock. A connection that still
    // carries a call stays: the trunk may send its BYE on it after a long silent conversation.
    sock.setTimeout(limits.idleTimeoutMs, () => {
      if (closing) return;
      if (limits.busy?.(peer)) {
        sock.setTimeout(limits.idleTimeoutMs);
        return;
      }
      stats.tcpTimedOut++;
      close(`no bytes for ${limits.idleTimeoutMs} ms: idle connection closed`);
    });
  };

  // Limits apply to connections peers open to us, before a byte is read: a source outside the
  // ACL (when there is no digest to challenge it with) or over its share is refused at once.
  const server: Server = createServer((sock) => {
    const address = plainAddress(sock.remoteAddress ?? '');
    const peer: SipPeer = { protocol: 'TCP', address, port: sock.remotePort ?? 0 };
    const refuse = (reason: string) => {
      stats.tcpRefused++;
      opts.onRefused?.(reason, peer);
      sock.on('error', () => {});
      sock.destroy();
    };
    if (limits.allow && !limits.allow(address)) return refuse('TCP connection refused: source not in SIP_TRUNK_ACL');
    if (accepted >= limits.maxConnections) return refuse(`TCP connection refused: ${accepted} connections open (SIP_TCP_MAX_CONNECTIONS)`);
    const mine = perSource.get(address) ?? 0;
    if (mine >= limits.maxPerSource)
      return refuse(`TCP connection refused: ${mine} connections open from this address (SIP_TCP_MAX_PER_SOURCE)`);
    accepted++;
    perSource.set(address, mine + 1);
    sock.once('close', () => {
      accepted--;
      const n = (perSource.get(address) ?? 1) - 1;
      if (n > 0) perSource.set(address, n);
      else perSource.delete(address);
    });
    attach(sock);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => {}); // EMFILE on accept and the like: the listener goes on
  const port = (server.address() as { port: number }).port;

  const connection = async (address: string, p: number): Promise<Socket> => {
    const existing = conns.get(key(address, p));
    if (existing && !existing.destroyed) return existing;
    if (!validPort(p)) throw new Error(`cannot connect to port ${p}`);
    const sock = connect({ host: address, port: p });
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', resolve);
      sock.once('error', reject);
    });
    attach(sock);
    return sock;
  };

  return {
    protocol: 'TCP',
    port,
    stats,
    async send(message) {
      const isResponse = message.startsWith('SIP/2.0 ');
      const dest = isResponse ? (branches.lookup(message) ?? viaDestination(message)) : requestDestination(message);
      if (!dest) throw new Error('cannot tell where to send this SIP message (no Via/Request-URI)');
      const sock = await connection(dest.address, dest.port);
      sock.write(message);
    },
    sendTo(peer, message) {
      const sock = conns.get(key(peer.address, peer.port));
      if (sock && !sock.destroyed) sock.write(message);
    },
    /** Open connections peers made to us (for tests and the readiness line). */
    get accepted() {
      return accepted;
    },
    async close() {
      for (const s of conns.values()) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  } as SipTransport & { stats: TransportStats; readonly accepted: number };
}
