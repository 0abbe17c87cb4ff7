/**
 * The call's transcript: stored segments (after a reload or a resync) merged under the live
 * ones from call.transcript, and the quote of a suggestion marked in it.
 */
import { useCallback, useRef, useState } from 'react';
import { segmentKey } from '../../../intake.js';
import { useLiveEvents } from '../../../live.js';
import type { Segment, TranscriptEvent } from '../../../types.js';

/** Quoted words in one segment, for the call they were heard in. */
export interface QuoteMark {
  callId: number;
  key: string;
  start: number;
  end: number;
}

export function useTranscript(callId: number | null) {
  const [segments, setSegments] = useState<Map<string, Segment>>(new Map());
  const [mark, setMark] = useState<QuoteMark | null>(null);
  const containerRef = useRef<HTMLDivElement>(null);

  /** Stored segments never wipe live ones: a live final stays, a live partial gives way to a stored one. */
  const mergeStored = useCallback((stored: Segment[]) => {
    setSegments((m) => {
      const next = new Map(stored.map((s) => [segmentKey(s), s]));
      for (const [k, v] of m) if (!next.has(k) || !next.get(k)!.final) next.set(k, v);
      return next;
    });
  }, []);

  const reset = useCallback(() => {
    setSegments(new Map());
    setMark(null);
  }, []);

  useLiveEvents('call.transcript', (e) => {
    const p = e.payload as TranscriptEvent;
    if (e.type !== 'call.transcript' || p.callId !== callId) return;
    // A final replaces the partial with the same leg and number.
    setSegments((m) =>
      new Map(m).set(segmentKey(p), {
        leg: p.leg,
        seq: p.seq,
        text: p.text,
        final: !!p.final,
        startMs: p.startMs ?? null,
        endMs: p.endMs ?? null,
      }),
    );
  });

  /** Marks the quoted words in the transcript and scrolls to them. */
  const showQuote = (key: string, start: number, end: number) => {
    if (!callId) return;
    setMark({ callId, key, start, end });
    const row = containerRef.current?.querySelector(`[data-seg="${CSS.escape(key)}"]`);
    // A block body: scrollIntoView may return a Promise.
    void row?.scrollIntoView({ block: 'nearest' });
  };

  const lines = [...segments.values()].sort((a, b) => a.seq - b.seq || a.leg.localeCompare(b.leg));
  const finals = lines.filter((s) => s.final);
  const callerText = lines
    .filter((s) => s.leg === 'caller' && s.final)
    .map((s) => s.text)
    .join('，');
  return {
    lines,
    finals,
    callerText,
    mark: mark && mark.callId === callId ? mark : null,
    containerRef,
    mergeStored,
    reset,
    showQuote,
  };
}

export type Transcript = ReturnType<typeof useTranscript>;
