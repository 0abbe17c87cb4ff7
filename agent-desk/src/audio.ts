/**
 * The agent's call audio in the browser: the telephony audio WebSocket
 * (/ws/calls/:id/audio, 16-bit LE mono PCM at 8 kHz in 20 ms frames, both ways) joined to
 * the speaker and the microphone through one AudioWorklet, which resamples between
 * 8 kHz and the sound card's rate off the main thread.
 */
import { useCallback, useEffect, useRef, useState } from 'react';

// The worklet runs in its own global scope, so it travels as source text.
const WORKLET = `
class PcmBridge extends AudioWorkletProcessor {
  constructor() {
    super();
    this.ratio = sampleRate / 8000;
    this.play = new Float32Array(8000 * 2); // 2 s of caller audio at 8 kHz
    this.readPos = 0; this.writePos = 0; this.fill = 0;
    this.out = new Int16Array(160); this.outLen = 0; this.acc = 0; this.accN = 0; this.phase = 0;
    this.port.onmessage = (e) => {
      const pcm = new Int16Array(e.data);
      for (let i = 0; i < pcm.length; i++) {
        if (this.fill >= this.play.length) { this.readPos = (this.readPos + 1) % this.play.length; this.fill--; }
        this.play[this.writePos] = pcm[i] / 32768;
        this.writePos = (this.writePos + 1) % this.play.length; this.fill++;
      }
    };
  }
  process(inputs, outputs) {
    const out = outputs[0][0];
    if (out) {
      for (let i = 0; i < out.length; i++) {
        if (this.fill > 0) {
          out[i] = this.play[this.readPos];
          this.phase += 1 / this.ratio;
          if (this.phase >= 1) { this.phase -= 1; this.readPos = (this.readPos + 1) % this.play.length; this.fill--; }
        } else out[i] = 0;
      }
      for (let c = 1; c < outputs[0].length; c++) outputs[0][c].set(out);
    }
    const mic = inputs[0] && inputs[0][0];
    if (mic) {
      for (let i = 0; i < mic.length; i++) {
        this.acc += mic[i]; this.accN++;
        if (this.accN >= this.ratio) {
          const v = Math.max(-1, Math.min(1, this.acc / this.accN));
          this.out[this.outLen++] = v * 32767;
          this.acc = 0; this.accN -= this.ratio;
          if (this.outLen === 160) { this.port.postMessage(this.out.slice().buffer); this.outLen = 0; }
        }
      }
    }
    return true;
  }
}
registerProcessor('pcm-bridge', PcmBridge);
`;

export interface AudioLink {
  stop(): void;
  /** Why the microphone is not heard, when it is not. */
  micProblem?: string;
}

export async function startCallAudio(callId: number, onClosed: (reason: string) => void): Promise<AudioLink> {
  const ctx = new AudioContext();
  const url = URL.createObjectURL(new Blob([WORKLET], { type: 'text/javascript' }));
  await ctx.audioWorklet.addModule(url);
  URL.revokeObjectURL(url);
  const node = new AudioWorkletNode(ctx, 'pcm-bridge', { numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1] });
  node.connect(ctx.destination);

  let mic: MediaStream | undefined;
  let micProblem: string | undefined;
  try {
    mic = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true } });
    ctx.createMediaStreamSource(mic).connect(node);
  } catch (err) {
    micProblem = `无法使用麦克风（${(err as Error).message}）：来电人听不到您的声音，请检查浏览器的麦克风权限。`;
  }

  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(`${proto}//${location.host}/ws/calls/${callId}/audio`);
  ws.binaryType = 'arraybuffer';
  ws.onmessage = (m) => {
    if (m.data instanceof ArrayBuffer) node.port.postMessage(m.data, [m.data]);
  };
  node.port.onmessage = (e) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(e.data);
  };
  ws.onclose = (e) => onClosed(e.code === 1000 ? '通话已结束' : `通话音频已断开${e.reason ? `（${e.reason}）` : ''}`);
  await ctx.resume().catch(() => {});

  return {
    micProblem,
    stop() {
      ws.onclose = null;
      ws.close();
      for (const t of mic?.getTracks() ?? []) t.stop();
      void ctx.close();
    },
  };
}

/** A ring tone made on the spot (nothing to download): two short beeps every 1.5 s. */
export function startRinging(): () => void {
  let ctx: AudioContext | undefined;
  try {
    ctx = new AudioContext();
  } catch {
    return () => {};
  }
  const beep = () => {
    if (!ctx) return;
    for (const offset of [0, 0.25]) {
      const o = ctx.createOscillator();
      const g = ctx.createGain();
      o.frequency.value = 880;
      g.gain.value = 0.15;
      o.connect(g).connect(ctx.destination);
      o.start(ctx.currentTime + offset);
      o.stop(ctx.currentTime + offset + 0.18);
    }
  };
  beep();
  const t = setInterval(beep, 1500);
  return () => {
    clearInterval(t);
    void ctx?.close();
    ctx = undefined;
  };
}

/**
 * The call audio of a view, open while `callId` is set (the agent's answered call, the
 * callback staff's connected call). `note` says why the caller or the microphone is not
 * heard; `stop` closes the audio at once (the call ended before the view moved on).
 */
export function useCallAudio(callId: number | null) {
  const [note, setNote] = useState<string>();
  const link = useRef<AudioLink | null>(null);
  const stop = useCallback(() => {
    link.current?.stop();
    link.current = null;
  }, []);
  // Follows the call id only: re-renders must not restart the audio.
  useEffect(() => {
    if (!callId) return;
    let stopped = false;
    setNote(undefined);
    startCallAudio(callId, (reason) => !stopped && setNote(reason)).then(
      (l) => {
        if (stopped) return l.stop();
        link.current = l;
        setNote(l.micProblem);
      },
      (err) => setNote(`通话音频不可用：${(err as Error).message}`),
    );
    return () => {
      stopped = true;
      stop();
    };
  }, [callId, stop]);
  return { note, setNote, stop };
}
