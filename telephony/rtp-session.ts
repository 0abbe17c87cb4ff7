/**
 * One call leg's RTP: a UDP socket from the configured port range, G.711 decode of
 * received audio through the reorder buffer, RFC 4733 DTMF in and out, paced sending
 * of 20 ms frames, and a timeout when the peer stops sending.
 */

import { randomInt } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { decodeG711, encodeG711, type G711 } from './g711.js';
import { ReorderBuffer } from './jitter.js';
import { buildRtp, buildTelephoneEvent, parseRtp, parseTelephoneEvent, type RtpPacket } from './rtp-packet.js';

export const FRAME_SAMPLES = 160; // 20 ms at 8 kHz
export const FRAME_BYTES = FRAME_SAMPLES * 2;

export interface PortRange {
  min: number;
  max: number;
}

export interface RtpSessionEvents {
  /** 16-bit LE PCM at 8 kHz, in sequence order. `ms` counts from the first packet. */
  onAudio?(pcm: Buffer, ms: number): void;
  onDtmf?(digit: string, durationMs: number): void;
  onTimeout?(): void;
  /**
   * This session's own code, or a handler it called, threw from a timer or socket callback.
   * The session stops sending; its owner should end the call. Without this handler the
   * session just closes: a fault of one call never reaches the process or the other calls.
   */
  onError?(err: Error): void;
}

const usedPorts = new Set<number>();

/** Binds an even port from the range (RTCP would take the odd one above it). */
async function bindInRange(host: string, range: PortRange): Promise<Socket> {
  const count = Math.floor((range.max - range.min) / 2) + 1;
  const start = randomInt(0, count);
  for (let i = 0; i < Math.min(count, 64); i++) {
    const port = range.min + ((start + i) % count) * 2;
    if (usedPorts.has(port)) continue;
    const sock = createSocket('udp4');
    try {
      await new Promise<void>((resolve, reject) => {
        sock.once('error', reject);
        sock.bind(port, host, () => {
          sock.off('error', reject);
          resolve();
        });
      });
      usedPorts.add(port);
      return sock;
    } catch {
      sock.close();
    }
  }
  throw new Error(`no free RTP port in ${range.min}-${range.max}: widen RTP_PORT_MIN/RTP_PORT_MAX or lower SIP_MAX_CALLS`);
}

// One ticker paces every session's outgoing audio: fewer timers than one per call.
const senders = new Set<RtpSession>();
let ticker: NodeJS.Timeout | undefined;
function tick() {
  const now = performance.now();
  for (const s of senders) {
    try {
      s.pump(now);
    } catch (err) {
      // One session's throw used to escape this interval and end the process with every call in it.
      removeSender(s);
      s.fault(err);
    }
  }
}
function addSender(s: RtpSession) {
  senders.add(s);
  ticker ??= setInterval(tick, 10);
}
function removeSender(s: RtpSession) {
  senders.delete(s);
  if (!senders.size && ticker) {
    clearInterval(ticker);
    ticker = undefined;
  }
}

export class RtpSession {
  readonly port: number;
  codec: G711 = 'pcmu';
  payloadType = 0;
  dtmfPayloadType: number | undefined = 101;
  remote: { address: string; port: number } | undefined;
  /** Paused timeouts while the call is on hold (a held peer may send nothing). */
  holding = false;
  packetsIn = 0;
  packetsOut = 0;
  /** Sends the socket reported failed afterwards (ICMP unreachable, unresolvable address). */
  sendErrors = 0;
  /** A callback of this session threw; it sends nothing more. */
  faulted = false;

  private readonly socket: Socket;
  private readonly reorder: ReorderBuffer;
  private events: RtpSessionEvents = {};
  private readonly ssrc = randomInt(1, 0xffffffff);
  private seq = randomInt(0, 0xffff);
  private ts = randomInt(0, 0x7fffffff);
  private queue: Buffer[] = [];
  private nextSendAt = 0;
  private firstTs: number | undefined;
  private lastHeard = performance.now();
  private lastDtmfTs: number | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private closed = false;
  private dtmfBusy: Promise<void> = Promise.resolve();

  private constructor(
    socket: Socket,
    private readonly timeoutMs: number,
  ) {
    this.socket = socket;
    this.port = socket.address().port;
    this.reorder = new ReorderBuffer(3, (p) => this.deliver(p));
    socket.on('message', (msg, rinfo) => this.guard(() => this.receive(msg, rinfo.address, rinfo.port)));
    socket.on('error', () => {}); // ICMP unreachable from a gone peer must not crash the process
  }

  static async open(host: string, range: PortRange, timeoutMs: number): Promise<RtpSession> {
    return new RtpSession(await bindInRange(host, range), timeoutMs);
  }

  on(events: RtpSessionEvents): void {
    this.events = events;
  }

  setRemote(address: string, port: number, codec: G711, payloadType: number, dtmfPayloadType?: number): void {
    this.remote = { address, port };
    this.codec = codec;
    this.payloadType = payloadType;
    this.dtmfPayloadType = dtmfPayloadType;
  }

  /** Starts the RTP timeout clock (from the moment media is expected). */
  start(): void {
    this.lastHeard = performance.now();
    if (this.timeoutMs > 0 && !this.watchdog) {
      this.watchdog = setInterval(
        () =>
          this.guard(() => {
            if (!this.holding && performance.now() - this.lastHeard > this.timeoutMs) {
              clearInterval(this.watchdog);
              this.watchdog = undefined;
              this.events.onTimeout?.();
            }
          }),
        Math.min(1000, this.timeoutMs / 2),
      );
    }
  }

  private receive(msg: Buffer, address: string, port: number) {
    if (this.closed) return;
    const p = parseRtp(msg);
    if (!p) return;
    // Symmetric RTP: answer where the audio really comes from (NAT, SBCs).
    if (this.remote && (this.remote.address !== address || this.remote.port !== port) && this.packetsIn === 0) {
      this.remote = { address, port };
    }
    this.packetsIn++;
    this.lastHeard = performance.now();
    if (p.payloadType === this.dtmfPayloadType || (this.dtmfPayloadType === undefined && p.payloadType === 101)) {
      const ev = parseTelephoneEvent(p.payload);
      // Each event keeps one RTP timestamp; its end packet is sent three times.
      if (ev?.end && this.lastDtmfTs !== p.timestamp) {
        this.lastDtmfTs = p.timestamp;
        this.events.onDtmf?.(ev.digit, Math.round(ev.duration / 8));
      }
      return;
    }
    if (p.payloadType !== 0 && p.payloadType !== 8) return;
    this.reorder.push(p);
    if (this.flushTimer) this.flushTimer.refresh();
    else this.flushTimer = setTimeout(() => this.guard(() => this.reorder.flush()), 100);
  }

  private deliver(p: RtpPacket) {
    this.firstTs ??= p.timestamp;
    const ms = Math.round((((p.timestamp - this.firstTs) >>> 0) / 8000) * 1000);
    this.events.onAudio?.(decodeG711(p.payloadType === 8 ? 'pcma' : 'pcmu', p.payload), ms);
  }

  get lateDropped(): number {
    return this.reorder.dropped;
  }

  /** Queues 16-bit PCM (any length) to be sent in 20 ms packets at real-time pace. */
  sendPcm(pcm: Buffer): void {
    if (this.closed || this.faulted) return;
    for (let off = 0; off < pcm.length; off += FRAME_BYTES) {
      let frame = pcm.subarray(off, off + FRAME_BYTES);
      if (frame.length < FRAME_BYTES) frame = Buffer.concat([frame, Buffer.alloc(FRAME_BYTES - frame.length)]);
      this.queue.push(frame);
    }
    if (!senders.has(this)) {
      this.nextSendAt = performance.now();
      addSender(this);
    }
  }

  /** Drops queued audio (a prompt interrupted by the agent answering). */
  clearQueue(): void {
    this.queue = [];
  }

  get queuedMs(): number {
    return this.queue.length * 20;
  }

  /** Called by the shared ticker: sends every frame that is due. */
  pump(now: number): void {
    while (this.queue.length && now >= this.nextSendAt) {
      const frame = this.queue.shift() as Buffer;
      this.sendPacket(this.payloadType, encodeG711(this.codec, frame), false);
      this.ts += FRAME_SAMPLES;
      this.nextSendAt += 20;
    }
    if (!this.queue.length) removeSender(this);
  }

  private sendPacket(pt: number, payload: Buffer, marker: boolean, timestamp = this.ts) {
    // No RTP to port 0 (it means "no stream") or to a port dgram refuses: send() throws on those.
    if (!this.remote || this.closed || !validPort(this.remote.port)) return;
    const pkt = buildRtp({ payloadType: pt, marker, sequence: this.seq, timestamp, ssrc: this.ssrc, payload });
    this.seq = (this.seq + 1) & 0xffff;
    this.packetsOut++;
    // Asynchronous failures (unreachable, unresolvable address) come to the callback and are
    // only counted; a synchronous throw propagates to the guard of the timer that sent it.
    this.socket.send(pkt, this.remote.port, this.remote.address, (err) => {
      if (err) this.sendErrors++;
    });
  }

  /** Runs a callback of this session's timers or socket: a throw faults this session only. */
  private guard(fn: () => void): void {
    if (this.closed) return;
    try {
      fn();
    } catch (err) {
      this.fault(err);
    }
  }

  /** Stops this session after a throw in its callbacks and tells its owner (once). */
  fault(err: unknown): void {
    if (this.closed || this.faulted) return;
    this.faulted = true;
    removeSender(this);
    this.queue = [];
    const error = err instanceof Error ? err : new Error(String(err));
    try {
      if (this.events.onError) this.events.onError(error);
      else this.close();
    } catch {
      this.close();
    }
  }

  /** Sends DTMF digits as RFC 4733 events (each 100 ms, 60 ms apart). */
  sendDtmf(digits: string): Promise<void> {
    const run = async () => {
      const pt = this.dtmfPayloadType ?? 101;
      try {
        await send(pt);
      } catch (err) {
        this.fault(err);
        throw err;
      }
    };
    const send = async (pt: number) => {
      for (const digit of digits) {
        const start = this.ts;
        for (let i = 1; i <= 5; i++) {
          this.sendPacket(pt, buildTelephoneEvent({ digit, end: false, volume: 10, duration: i * FRAME_SAMPLES }), i === 1, start);
          await sleep(20);
        }
        for (let i = 0; i < 3; i++)
          this.sendPacket(pt, buildTelephoneEvent({ digit, end: true, volume: 10, duration: 6 * FRAME_SAMPLES }), false, start);
        this.ts += 6 * FRAME_SAMPLES;
        await sleep(60);
      }
    };
    this.dtmfBusy = this.dtmfBusy.then(run, run);
    return this.dtmfBusy;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    removeSender(this);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.watchdog) clearInterval(this.watchdog);
    usedPorts.delete(this.port);
    try {
      this.socket.close();
    } catch {
      // already closed (a socket error closed it)
    }
  }
}

const validPort = (p: number) => Number.isInteger(p) && p > 0 && p < 65536;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
