/**
 * The media bridge of live calls: the caller's audio to the recognizer, to the agent's desk
 * sinks and to a bridged transfer leg; the recognizer's results as transcript segments and
 * events; DTMF; the greeting and queue prompts played while a caller waits or is held.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { AsrEngine, AsrResult } from '../asr/index.js';
import type { EventBus } from '../core/index.js';
import type { Db } from '../db/index.js';
import type { LiveCall } from './live-call.js';
import { insertSegment, updateCall } from './store.js';

const ASR_PENDING_LIMIT = 500; // 10 s of 20 ms frames
/** How long the end of a call waits for a recognizer still starting, so a short call's audio is still transcribed. */
const ASR_START_WAIT_MS = 15_000;

export interface MediaDeps {
  db: Db;
  bus: EventBus;
  log: FastifyBaseLogger;
  /** The speech engine, looked up per call (it may start after telephony). */
  asr: () => AsrEngine | null | undefined;
  /** 8 kHz 16-bit PCM prompts played to SIP callers. */
  prompts: { greeting?: Buffer; queue?: Buffer };
  /** Stores a change of the call, in order with its other writes. */
  write(call: LiveCall, fn: () => Promise<unknown>): Promise<void>;
  /** Runs a callback of the call: a throw ends that call (and only it) as failed. */
  guarded(call: LiveCall, what: string, fn: () => void): void;
}

export class MediaBridge {
  constructor(private readonly d: MediaDeps) {}

  callerAudio(call: LiveCall, pcm: Buffer, ms: number): void {
    call.heardMs = ms;
    if (call.asr) call.asr.push(pcm);
    else if (call.asrPending && call.asrPending.length < ASR_PENDING_LIMIT) call.asrPending.push(pcm);
    if (call.state === 'answered') for (const s of call.sinks) s.send(pcm);
    call.bridge?.sendPcm(pcm);
  }

  dtmf(call: LiveCall, digit: string): void {
    call.dtmf += digit;
    this.d.bus.publish('call.dtmf', { callId: call.id, digit });
    void this.d.write(call, () => updateCall(this.d.db, call.id, {}, { dtmf: call.dtmf }));
  }

  openAsr(call: LiveCall): void {
    const engine = this.d.asr();
    if (!engine) {
      call.asrPending = null;
      return;
    }
    call.asrOpening = engine
      .openStream({
        sampleRate: 8000,
        onResult: (r) => this.asrResult(call, r),
        onKeyword: (h) => this.d.bus.publish('call.keyword', { callId: call.id, leg: 'caller', ...h }),
        onError: (err) => {
          this.d.log.error({ err, callId: call.id }, 'speech recognition failed for this call');
          call.asr = undefined;
        },
      })
      .then((stream) => {
        if (call.asrDone) {
          // The call ended while the recognizer was starting (slower than closeAsr waits): free it.
          void stream.close().catch(() => {});
          return;
        }
        call.asr = stream;
        for (const pcm of call.asrPending ?? []) stream.push(pcm);
        call.asrPending = null;
      })
      .catch((err) => {
        call.asrPending = null;
        this.d.log.warn({ err: (err as Error).message, callId: call.id }, 'no speech recognition for this call');
      });
  }

  /** The end of the call's recognition: its last words are flushed (before the record is closed). */
  async closeAsr(call: LiveCall): Promise<void> {
    // A short call may end while its recognizer is still starting: its audio is pending
    // and must still be transcribed, so wait for the start (bounded).
    if (call.asrOpening && !call.asr) {
      await Promise.race([call.asrOpening, new Promise((r) => setTimeout(r, ASR_START_WAIT_MS))]);
    }
    if (call.asr) await call.asr.close().catch((err) => this.d.log.warn({ err }, 'ASR close failed'));
    call.asr = undefined;
    call.asrDone = true;
  }

  private asrResult(call: LiveCall, r: AsrResult): void {
    const text = r.text.trim();
    if (!text) return;
    const startMs = r.startMs ?? null;
    const endMs = r.endMs ?? call.heardMs;
    if (r.final) {
      const seq = ++call.seq;
      call.finals.push(text);
      void this.d.write(call, () =>
        insertSegment(this.d.db, call.id, { leg: 'caller', seq, text, final: true, startMs, endMs, confidence: r.confidence ?? null }),
      );
      this.d.bus.publish('call.transcript', { callId: call.id, leg: 'caller', seq, text, final: true, startMs, endMs });
    } else {
      this.d.bus.publish('call.transcript', { callId: call.id, leg: 'caller', seq: call.seq + 1, text, final: false, startMs, endMs });
    }
  }

  startPrompts(call: LiveCall): void {
    const { greeting, queue } = this.d.prompts;
    if (greeting && call.state === 'queued' && !call.promptTimer) call.leg.sendPcm(greeting);
    if (!queue || call.promptTimer) return;
    call.promptTimer = setInterval(
      () =>
        this.d.guarded(call, 'queue prompt', () => {
          if (call.leg.queuedAudioMs < 200) call.leg.sendPcm(queue);
        }),
      200,
    );
  }

  stopPrompts(call: LiveCall): void {
    this.clearPromptTimer(call);
    call.leg.clearAudio();
  }

  /** Stops the queue prompt's timer without touching the leg (it is ending). */
  clearPromptTimer(call: LiveCall): void {
    if (call.promptTimer) clearInterval(call.promptTimer);
    call.promptTimer = undefined;
  }
}
