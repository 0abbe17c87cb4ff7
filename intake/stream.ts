/**
 * A call's segments as one searchable string. Recognisers put spaces between words
 * (幺 三 八) and split a sentence across utterances, so the extractors search a compact
 * view: whitespace removed, full-width digits and letters made ASCII, segments joined by
 * SEP. Every compact character remembers its segment and offset, so a match can be quoted
 * back in the words the agent sees.
 */

/** One utterance or typed line, as the recogniser (or the agent) produced it. */
export interface SegmentInput {
  text: string;
  startMs?: number;
  endMs?: number;
  id?: string | number;
  /** Who spoke. When any segment says, only the caller's words count as the caller's statements. */
  leg?: 'caller' | 'agent';
}

/** Where a proposed value was heard: a stretch of one segment's original text. */
export interface Quote {
  /** Index into the segments given. */
  segment: number;
  /** Character offsets in that segment's text (end exclusive). */
  start: number;
  end: number;
  text: string;
  /** When it was said: interpolated inside the segment when it has start and end times. */
  atMs?: number;
  /** The segment's id, when it had one. */
  segmentId?: string | number;
}

/** Separator between segments in the compact text: never inside a word, so patterns stop at it. */
export const SEP = '\n';

export interface Stream {
  text: string;
  /** Per compact character: its segment (-1 for SEP) and offset in that segment's text. */
  seg: number[];
  off: number[];
  /** Per compact character: whether whitespace stood before it in the original (a pause, a group). */
  spaced: boolean[];
  /** Compact index where each segment starts. */
  segStart: number[];
  segments: readonly SegmentInput[];
  /** True for segments that are the agent's (only when legs are given). */
  agent: boolean[];
}

const WIDE_DIGIT = /[０-９Ａ-Ｚａ-ｚ]/;

export function buildStream(segments: readonly SegmentInput[]): Stream {
  const out: string[] = [];
  const seg: number[] = [];
  const off: number[] = [];
  const spaced: boolean[] = [];
  const segStart: number[] = [];
  segments.forEach((s, i) => {
    if (i > 0) {
      out.push(SEP);
      seg.push(-1);
      off.push(-1);
      spaced.push(true);
    }
    segStart.push(out.length);
    let space = false;
    const text = s.text ?? '';
    for (let j = 0; j < text.length; j++) {
      let c = text[j] as string;
      if (/\s/.test(c)) {
        space = true;
        continue;
      }
      if (WIDE_DIGIT.test(c)) c = String.fromCharCode(c.charCodeAt(0) - 0xfee0);
      out.push(c);
      seg.push(i);
      off.push(j);
      spaced.push(space);
      space = false;
    }
  });
  return { text: out.join(''), seg, off, spaced, segStart, segments, agent: segments.map((s) => s.leg === 'agent') };
}

/** Whether compact index i lies in an agent segment. */
export function isAgentAt(st: Stream, i: number): boolean {
  const s = st.seg[i];
  return s != null && s >= 0 && st.agent[s] === true;
}

/** Quotes for the compact range [a, b): one per segment it touches, SEPs skipped. */
export function quoteRange(st: Stream, a: number, b: number): Quote[] {
  const quotes: Quote[] = [];
  let i = a;
  while (i < b) {
    if (st.seg[i] === -1) {
      i++;
      continue;
    }
    const s = st.seg[i] as number;
    let j = i;
    while (j + 1 < b && st.seg[j + 1] === s) j++;
    const start = st.off[i] as number;
    const end = (st.off[j] as number) + 1;
    const segment = st.segments[s] as SegmentInput;
    const q: Quote = { segment: s, start, end, text: segment.text.slice(start, end) };
    const at = timeAt(segment, start);
    if (at !== undefined) q.atMs = at;
    if (segment.id !== undefined) q.segmentId = segment.id;
    quotes.push(q);
    i = j + 1;
  }
  return quotes;
}

function timeAt(s: SegmentInput, offset: number): number | undefined {
  if (typeof s.startMs !== 'number') return undefined;
  if (typeof s.endMs !== 'number' || s.endMs <= s.startMs || !s.text.length) return s.startMs;
  return Math.round(s.startMs + ((s.endMs - s.startMs) * offset) / s.text.length);
}

/** `from` and, when the words run on into later segments, `more`. */
export function evidence(st: Stream, a: number, b: number): { from: Quote; more?: Quote[] } {
  const [from, ...more] = quoteRange(st, a, b);
  if (!from) throw new Error(`empty evidence range ${a}..${b}`);
  return more.length ? { from, more } : { from };
}

/** Filler words a speaker puts anywhere, which say nothing. Longest first. */
export const FILLERS = ['那个', '就是', '然后', '这个', '呃', '嗯', '啊', '额', '哦', '噢', '唔', '诶', '欸', '哎', '呀'];

/** Length of the filler word at compact index i, or 0. */
export function fillerAt(text: string, i: number): number {
  for (const f of FILLERS) if (text.startsWith(f, i)) return f.length;
  return 0;
}
