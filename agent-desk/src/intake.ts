/**
 * The intake form's proposals heard in the live call (POST /api/intake/propose): asked after
 * each final transcript segment, debounced, with at most one request in flight (a segment that
 * arrives meanwhile asks again when it returns). The desk sends the finals it shows, so a
 * segment just heard counts even before its row is stored, and each answer is kept with the
 * segments it was about, which is what its quotes point into.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, isMissingRoute } from './api.js';
import type { IntakeProposal, IntakeProposalRequest, IntakeQuote, Segment } from './types.js';

/** The server's bounds of one request (intake/prefill.ts MAX_SEGMENTS, MAX_CHARS). */
const MAX_SEGMENTS = 2000;
const MAX_CHARS = 50_000;

export const segmentKey = (s: Pick<Segment, 'leg' | 'seq'>) => `${s.leg}:${s.seq}`;

export interface IntakeProposals {
  callId: number;
  proposal: IntakeProposal;
  /** The segments sent, by index as the quotes count them. */
  segments: { key: string; text: string }[];
}

/** The latest segments within the request's bounds (a very long call keeps its end). */
function bounded(finals: Segment[]): Segment[] {
  const out: Segment[] = [];
  let chars = 0;
  for (let i = finals.length - 1; i >= 0 && out.length < MAX_SEGMENTS; i--) {
    const s = finals[i]!;
    if (!s.text.trim()) continue;
    chars += s.text.length;
    if (chars > MAX_CHARS) break;
    out.push(s);
  }
  return out.reverse();
}

export function useIntakeProposals(
  callId: number | null,
  finals: Segment[],
  delayMs = 500,
): { result: IntakeProposals | null; error?: string } {
  const [result, setResult] = useState<IntakeProposals | null>(null);
  const [error, setError] = useState<{ callId: number; message: string } | null>(null);
  const latest = useRef({ callId, finals });
  latest.current = { callId, finals };
  const inFlight = useRef(false);
  const again = useRef(false);

  const ask = useCallback(async () => {
    if (inFlight.current) {
      again.current = true;
      return;
    }
    inFlight.current = true;
    try {
      do {
        again.current = false;
        const { callId: id, finals: all } = latest.current;
        const segs = bounded(all);
        if (!id || !segs.length) break;
        try {
          const proposal = await api.post<IntakeProposal>('/api/intake/propose', {
            segments: segs.map((s) => ({
              text: s.text,
              leg: s.leg,
              id: segmentKey(s),
              ...(s.startMs != null ? { startMs: s.startMs } : {}),
              ...(s.endMs != null && (s.startMs == null || s.endMs >= s.startMs) ? { endMs: s.endMs } : {}),
            })),
          } satisfies IntakeProposalRequest);
          // An answer about an earlier call is dropped: the agent has moved on.
          if (latest.current.callId === id) {
            setResult({ callId: id, proposal, segments: segs.map((s) => ({ key: segmentKey(s), text: s.text })) });
            setError(null);
          }
        } catch (err) {
          // A server without the intake module: no suggestions, and nothing to say about it.
          if (latest.current.callId === id && !isMissingRoute(err)) setError({ callId: id, message: (err as Error).message });
        }
      } while (again.current);
    } finally {
      inFlight.current = false;
    }
  }, []);

  // A new final (or a final that replaced the last one) asks again, once things settle.
  const last = finals.at(-1);
  const signature = callId && last ? `${callId}|${finals.length}|${segmentKey(last)}|${last.text}` : '';
  useEffect(() => {
    if (!signature) return;
    const t = setTimeout(() => void ask(), delayMs);
    return () => clearTimeout(t);
  }, [signature, ask, delayMs]);

  return {
    result: result && result.callId === callId ? result : null,
    error: error && error.callId === callId ? error.message : undefined,
  };
}

/** A few words around a quote, from its segment: 我电话是幺三八… */
export function quoteContext(segmentText: string | undefined, q: IntakeQuote, max = 12): string {
  if (!segmentText || q.end > segmentText.length) return q.text.length > max ? `${q.text.slice(0, max - 1)}…` : q.text;
  const from = Math.max(0, q.start - 6);
  let s = segmentText.slice(from, q.end).trim();
  if (from > 0) s = `…${s}`;
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
