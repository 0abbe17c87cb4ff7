/**
 * Call audio from sites that already have a PBX, over WebSocket, as call legs:
 * - Twilio Media Streams messages: connected, start (with customParameters from/to),
 *   media (base64 µ-law 8 kHz), dtmf, stop. Audio back goes as `media` messages.
 * - Raw PCM after a JSON start frame (FreeSWITCH mod_audio_fork, jambonz listen): the first
 *   text frame carries the call's metadata, then binary 16-bit LE PCM at 8 or 16 kHz. Audio
 *   back goes as binary frames in the stream's rate (jambonz bidirectional raw audio).
 */
import type { WebSocket } from 'ws';
import { decodeG711, encodeG711 } from './g711.js';
import type { CallLeg, LegEvents } from './leg.js';
import { PcmRateStream } from './wav.js';

abstract class WsLeg implements CallLeg {
  abstract readonly channel: 'twilio' | 'audio_fork';
  callerNumber = '';
  calledNumber = '';
  sipCallId?: string;
  events: LegEvents = {};
  protected samples = 0;
  protected ended = false;

  constructor(protected readonly ws: WebSocket) {}

  start(): void {}
  abstract sendPcm(pcm: Buffer): void;
  clearAudio(): void {}
  get queuedAudioMs(): number {
    return 0;
  }

  protected audio(pcm8k: Buffer) {
    const ms = Math.round(this.samples / 8);
    this.samples += pcm8k.length / 2;
    this.events.onAudio?.(pcm8k, ms);
  }

  /** The stream ended from the PBX's side. */
  remoteEnded() {
    if (this.ended) return;
    this.ended = true;
    this.events.onEnded?.('hangup');
  }

  async hangup(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(1000, 'call ended by the hotline');
  }
}

export class TwilioLeg extends WsLeg {
  readonly channel = 'twilio' as const;
  streamSid = '';

  sendPcm(pcm: Buffer): void {
    if (this.ended || !this.streamSid) return;
    const payload = encodeG711('pcmu', pcm).toString('base64');
    this.ws.send(JSON.stringify({ event: 'media', streamSid: this.streamSid, media: { payload } }));
  }

  override clearAudio(): void {
    if (!this.ended && this.streamSid) this.ws.send(JSON.stringify({ event: 'clear', streamSid: this.streamSid }));
  }

  /**
   * Handles one message; returns 'start' when the call can be created, an error text for
   * a message that breaks the protocol.
   */
  handle(raw: string): 'start' | 'stop' | undefined | { error: string } {
    let m: Record<string, unknown>;
    try {
      m = JSON.parse(raw);
    } catch {
      return { error: 'a message is not JSON: Twilio Media Streams messages are JSON text frames' };
    }
    switch (m.event) {
      case 'connected':
        return undefined;
      case 'start': {
        const s = (m.start ?? {}) as Record<string, unknown>;
        const fmt = (s.mediaFormat ?? {}) as Record<string, unknown>;
        if (fmt.encoding && fmt.encoding !== 'audio/x-mulaw')
          return { error: `unsupported media encoding ${String(fmt.encoding)}: send audio/x-mulaw` };
        if (fmt.sampleRate && Number(fmt.sampleRate) !== 8000)
          return { error: `unsupported sample rate ${String(fmt.sampleRate)}: send 8000` };
        const p = (s.customParameters ?? {}) as Record<string, unknown>;
        this.streamSid = String(s.streamSid ?? m.streamSid ?? '');
        this.sipCallId = s.callSid ? `twilio:${String(s.callSid)}` : undefined;
        this.callerNumber = String(p.from ?? p.From ?? p.caller ?? '');
        this.calledNumber = String(p.to ?? p.To ?? p.called ?? '12345');
        return 'start';
      }
      case 'media': {
        const media = (m.media ?? {}) as Record<string, unknown>;
        if (media.track && media.track !== 'inbound') return undefined;
        if (typeof media.payload !== 'string') return { error: 'a media message has no base64 payload' };
        this.audio(decodeG711('pcmu', Buffer.from(media.payload, 'base64')));
        return undefined;
      }
      case 'dtmf': {
        const digit = String(((m.dtmf ?? {}) as Record<string, unknown>).digit ?? '');
        if (/^[0-9*#A-D]$/.test(digit)) this.events.onDtmf?.(digit);
        return undefined;
      }
      case 'stop':
        return 'stop';
      default:
        return undefined; // mark and future events are not needed here
    }
  }
}

export class AudioForkLeg extends WsLeg {
  readonly channel = 'audio_fork' as const;
  sampleRate: 8000 | 16000 = 8000;
  private carry: Buffer = Buffer.alloc(0);
  /** 16 kHz streams: the caller down to the call's 8 kHz, the agent up to the stream's rate. */
  private readonly down = new PcmRateStream(16000, 8000);
  private readonly up = new PcmRateStream(8000, 16000);

  /** Reads the JSON start frame; returns an error text when it is unusable. */
  begin(raw: string, queryRate?: number): string | undefined {
    let m: Record<string, unknown>;
    try {
      m = JSON.parse(raw);
    } catch {
      return 'the first frame must be JSON metadata (e.g. {"callSid":"...","from":"138...","to":"12345","sampleRate":8000})';
    }
    if (typeof m !== 'object' || m === null) return 'the first frame must be a JSON object';
    const rate = Number(m.sampleRate ?? m.sample_rate ?? queryRate ?? 8000);
    if (rate !== 8000 && rate !== 16000) return `sampleRate ${rate} is not supported: use 8000 or 16000`;
    this.sampleRate = rate;
    this.callerNumber = String(m.from ?? m.caller ?? m.callerNumber ?? m.ani ?? '');
    this.calledNumber = String(m.to ?? m.called ?? m.calledNumber ?? m.dnis ?? '12345');
    const id = m.callSid ?? m.callId ?? m.uuid;
    this.sipCallId = id ? `fork:${String(id)}` : undefined;
    return undefined;
  }

  pcm(data: Buffer) {
    // Frames may split a sample: keep the odd byte for the next frame.
    let buf = this.carry.length ? Buffer.concat([this.carry, data]) : data;
    if (buf.length % 2) {
      this.carry = Buffer.from(buf.subarray(buf.length - 1));
      buf = buf.subarray(0, buf.length - 1);
    } else this.carry = Buffer.alloc(0);
    if (!buf.length) return;
    if (this.sampleRate === 8000) return this.audio(Buffer.from(buf));
    const pcm8k = this.down.push(buf);
    if (pcm8k.length) this.audio(pcm8k);
  }

  sendPcm(pcm: Buffer): void {
    if (this.ended || this.ws.readyState !== this.ws.OPEN) return;
    if (this.sampleRate === 8000) return void this.ws.send(pcm);
    const pcm16k = this.up.push(pcm);
    if (pcm16k.length) this.ws.send(pcm16k);
  }
}
