/**
 * A client of the vosk-server WebSocket protocol, so a site can point ASR_URL at existing
 * ASR servers (or at another hotline's /asr/ws). One WebSocket per stream; streams are
 * spread over the URLs in turn and bounded by the pool size like the local engines.
 */
import WebSocket from 'ws';
import { AsrErrors } from './errors.js';
import { asrBusy } from './pool.js';
import { cleanTranscript } from './text.js';
import type { AsrEngine, AsrResult, AsrStream, StreamOptions } from './types.js';

export interface RemoteOptions {
  urls: string[];
  size: number;
  /** Extra headers (e.g. Authorization for a hotline /asr/ws). */
  headers?: Record<string, string>;
  connectTimeoutMs?: number;
}

interface VoskWord {
  word: string;
  start: number;
  end: number;
  conf: number;
}

/** One vosk-server reply as a result, or undefined for an empty partial. */
export function voskReplyToResult(msg: { partial?: string; text?: string; result?: VoskWord[] }): AsrResult | undefined {
  if (typeof msg.partial === 'string') {
    const text = cleanTranscript(msg.partial);
    return text ? { text, final: false } : undefined;
  }
  if (typeof msg.text === 'string') {
    const text = cleanTranscript(msg.text);
    if (!text) return undefined;
    const words = msg.result ?? [];
    const last = words.at(-1);
    return {
      text,
      final: true,
      startMs: words[0] ? Math.round(words[0].start * 1000) : undefined,
      endMs: last ? Math.round(last.end * 1000) : undefined,
      confidence: words.length ? words.reduce((s, w) => s + w.conf, 0) / words.length : undefined,
    };
  }
  return undefined;
}

export function createRemoteEngine(opts: RemoteOptions): AsrEngine {
  if (!opts.urls.length) throw new Error('ASR_ENGINE=remote needs ASR_URL: one or more ws:// URLs of vosk-server compatible ASR servers.');
  for (const u of opts.urls) {
    if (!/^wss?:\/\//.test(u)) throw new Error(`ASR_URL ${u} is not a WebSocket URL: write ws://host:port/ or wss://...`);
  }
  let open = 0;
  let next = 0;
  const sockets = new Set<WebSocket>();

  async function openStream(options: StreamOptions): Promise<AsrStream> {
    if (open >= opts.size) throw asrBusy(opts.size);
    const url = opts.urls[next++ % opts.urls.length] as string;
    open++;
    let counted = true;
    const uncount = () => {
      if (counted) open--;
      counted = false;
    };
    const ws = new WebSocket(url, { headers: opts.headers });
    sockets.add(ws);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no answer within the timeout')), opts.connectTimeoutMs ?? 5000);
        ws.once('open', () => {
          clearTimeout(timer);
          resolve();
        });
        ws.once('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
        ws.once('unexpected-response', (_req, res) => {
          clearTimeout(timer);
          reject(new Error(`HTTP ${res.statusCode}`));
        });
      });
    } catch (err) {
      uncount();
      sockets.delete(ws);
      ws.terminate();
      throw AsrErrors.ASR_REMOTE_UNREACHABLE({ url, reason: (err as Error).message });
    }
    ws.send(JSON.stringify({ config: { sample_rate: options.sampleRate } }));
    let finished = false;
    const closedPromise = new Promise<void>((resolve) => {
      ws.on('close', () => {
        uncount();
        sockets.delete(ws);
        if (!finished) options.onError?.(new Error(`the remote ASR server ${url} closed the stream`));
        finished = true;
        resolve();
      });
    });
    ws.on('error', (e) => options.onError?.(e));
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      try {
        const r = voskReplyToResult(JSON.parse(data.toString()));
        if (r) options.onResult(r);
      } catch {
        options.onError?.(new Error(`the remote ASR server ${url} sent a message that is not JSON`));
      }
    });
    return {
      push(pcm) {
        if (finished || ws.readyState !== WebSocket.OPEN) return;
        ws.send(Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength));
      },
      async close() {
        if (finished) return;
        if (ws.readyState === WebSocket.OPEN) ws.send('{"eof" : 1}');
        finished = true;
        const timer = setTimeout(() => ws.terminate(), 15000);
        await closedPromise;
        clearTimeout(timer);
      },
    };
  }

  return {
    name: 'remote',
    openStream,
    async close() {
      for (const ws of sockets) ws.terminate();
      sockets.clear();
    },
  };
}
