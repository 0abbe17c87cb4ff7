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
  send(message: string): Promise<void>;
  /** Sends raw text to a known peer (stateless replies to messages the core never saw). */
  sendTo(peer: SipPeer, message: string): void;
  close(): Promise<void>;
}

export type MessageHandler = (text: string, peer: SipPeer) => void;

export interface TransportOptions {
  host: string;
  port: number;
  maxMessageBytes: number;
  onMessage: MessageHandler;
  /** A message refused before parsing (too large, bad framing), for the log. */
  onRefused?(reason: string, peer: SipPeer): void;
}

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

export async function openUdpTransport(opts: TransportOptions): Promise<SipTransport> {
  const socket: UdpSocket = createSocket({ type: 'udp4', recvBufferSize: 1 << 20 });
  const branches = new BranchMap();
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(opts.port, opts.host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  socket.on('error', () => {}); // ICMP port unreachable from a vanished peer
  socket.on('message', (msg, rinfo) => {
    const peer: SipPeer = { protocol: 'UDP', address: rinfo.address, port: rinfo.port };
    if (msg.length > opts.maxMessageBytes) return opts.onRefused?.(`message of ${msg.length} bytes is over the limit`, peer);
    const text = msg.toString('utf8');
    if (/^\s*$/.test(text)) return; // keep-alive
    branches.remember(text, peer);
    opts.onMessage(text, peer);
  });
  const port = socket.address().port;
  const out = (message: string, address: string, p: number) =>
    new Promise<void>((resolve, reject) => socket.send(message, p, address, (err) => (err ? reject(err) : resolve())));
  return {
    protocol: 'UDP',
    port,
    async send(message) {
      const dest = message.startsWith('SIP/2.0 ') ? (branches.lookup(message) ?? viaDestination(message)) : requestDestination(message);
      if (!dest) throw new Error('cannot tell where to send this SIP message (no Via/Request-URI)');
      await out(message, dest.address, dest.port);
    },
    sendTo(peer, message) {
      socket.send(message, peer.port, peer.address);
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

export async function openTcpTransport(opts: TransportOptions): Promise<SipTransport> {
  const conns = new Map<string, Socket>();
  const branches = new BranchMap();
  const key = (a: string, p: number) => `${a}:${p}`;

  const attach = (sock: Socket) => {
    const peer: SipPeer = { protocol: 'TCP', address: sock.remoteAddress ?? '', port: sock.remotePort ?? 0 };
    conns.set(key(peer.address, peer.port), sock);
    let buf = Buffer.alloc(0);
    sock.setNoDelay(true);
    sock.on('data', (chunk) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      for (;;) {
        while (buf.length && (buf[0] === 0x0d || buf[0] === 0x0a)) buf = buf.subarray(1); // CRLF keep-alives
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) {
          if (buf.length > opts.maxMessageBytes) {
            opts.onRefused?.('header block over the size limit', peer);
            sock.destroy();
          }
          return;
        }
        const head = buf.subarray(0, end).toString('utf8');
        const cl = /^(?:content-length|l)[ \t]*:[ \t]*(\d+)/im.exec(head);
        // A stream transport cannot find the next message without Content-Length.
        if (!cl) {
          opts.onRefused?.('message without Content-Length on TCP', peer);
          sock.end('SIP/2.0 400 Missing Content-Length\r\nContent-Length: 0\r\n\r\n');
          return;
        }
        const total = end + 4 + Number(cl[1]);
        if (total > opts.maxMessageBytes) {
          opts.onRefused?.(`message of ${total} bytes is over the limit`, peer);
          sock.destroy();
          return;
        }
        if (buf.length < total) return;
        const text = buf.subarray(0, total).toString('utf8');
        buf = buf.subarray(total);
        branches.remember(text, peer);
        opts.onMessage(text, peer);
      }
    });
    sock.on('error', () => {});
    sock.on('close', () => conns.delete(key(peer.address, peer.port)));
    sock.setTimeout(15 * 60_000, () => sock.destroy());
  };

  const server: Server = createServer(attach);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as { port: number }).port;

  const connection = async (address: string, p: number): Promise<Socket> => {
    const existing = conns.get(key(address, p));
    if (existing && !existing.destroyed) return existing;
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
    async send(message) {
      const isResponse = message.startsWith('SIP/2.0 ');
      const dest = isResponse ? (branches.lookup(message) ?? viaDestination(message)) : requestDestination(message);
      if (!dest) throw new Error('cannot tell where to send this SIP message (no Via/Request-URI)');
      const sock = await connection(dest.address, dest.port);
      sock.write(message);
    },
    sendTo(peer, message) {
      conns.get(key(peer.address, peer.port))?.write(message);
    },
    async close() {
      for (const s of conns.values()) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
