/**
 * A call leg as the call centre sees it, whatever carries it (a SIP dialog with RTP, a
 * Twilio media stream, an audio-fork WebSocket): 8 kHz 16-bit PCM in and out, DTMF, and
 * the controls the channel supports.
 */
export type Channel = 'sip' | 'twilio' | 'audio_fork' | 'outbound';

export type LegEnd = 'hangup' | 'timeout' | 'failed';

export interface LegEvents {
  /** Caller audio, 16-bit LE PCM at 8 kHz; `ms` from the start of the leg's media. */
  onAudio?(pcm: Buffer, ms: number): void;
  onDtmf?(digit: string): void;
  /** The far end went away (BYE, stream stopped, RTP timeout). */
  onEnded?(reason: LegEnd): void;
}

/** Progress of a blind transfer: the SIP status from the REFER's NOTIFYs (100, 180, 200, 486 ...). */
export type ReferProgress = (status: number, reason: string) => void;

export interface CallLeg {
  readonly channel: Channel;
  readonly callerNumber: string;
  readonly calledNumber: string;
  readonly sipCallId?: string;
  events: LegEvents;
  /** Media is expected from now on (RTP timeout clock starts). */
  start(): void;
  sendPcm(pcm: Buffer): void;
  clearAudio(): void;
  readonly queuedAudioMs: number;
  sendDtmf?(digits: string): Promise<void>;
  hold?(on: boolean): Promise<void>;
  /** Blind transfer (REFER); resolves when the REFER is accepted, progress follows. */
  refer?(target: string, onProgress: ReferProgress): Promise<void>;
  hangup(): Promise<void>;
}
