/**
 * The emergency verdict of a whole recording (`hotline asr transcribe --emergency`), fused
 * the way a live call's watch fuses it: phrases the keyword spotter heard, the rules on
 * each final segment, and the model's head on the whole transcript when neither found one.
 */
import type { AsrResult, KeywordHit } from '../asr/index.js';
import type { EmergencyLine, EmergencyVerdict } from '../classifier/index.js';
import { ordinaryWhereWritten, type SpokenRule } from './spoken.js';

export interface RecordingEmergency {
  is: boolean;
  line: EmergencyLine | null;
  /** The words that set it off: rule matches in the text, phrases heard in the audio. */
  words: string[];
  source: ('speech' | 'text' | 'model')[];
  /** Where in the recording the first of them was said (ms), when known. */
  atMs: number | null;
  reason: string | null;
}

export async function recordingEmergency(input: {
  finals: AsrResult[];
  hits: KeywordHit[];
  check: (text: string) => EmergencyVerdict;
  spoken: ReadonlyMap<string, SpokenRule>;
  /** Rules and model together on a text (the classifier's); the model half is used only when nothing else fired. */
  modelCheck?: (text: string) => Promise<EmergencyVerdict>;
}): Promise<RecordingEmergency> {
  const words: string[] = [];
  const source = new Set<RecordingEmergency['source'][number]>();
  const reasons: string[] = [];
  let line: EmergencyLine | null = null;
  let atMs: number | null = null;
  const note = (at: number | null | undefined) => {
    if (at != null && (atMs === null || at < atMs)) atMs = at;
  };

  for (const seg of input.finals) {
    const v = input.check(seg.text);
    if (!v.is) continue;
    source.add('text');
    line ??= v.line;
    words.push(...v.matched);
    if (v.reason) reasons.push(v.reason);
    note(seg.startMs);
  }
  for (const hit of input.hits) {
    const rule = input.spoken.get(hit.keyword);
    if (!rule) continue;
    // The segment the phrase was said in.
    const seg = input.finals.find((f) => (f.startMs ?? 0) <= hit.endMs && (f.endMs ?? Number.POSITIVE_INFINITY) >= hit.startMs);
    if (seg && ordinaryWhereWritten(seg.text, hit.keyword, input.check)) continue;
    source.add('speech');
    line ??= rule.line;
    if (!words.includes(hit.keyword)) words.push(hit.keyword);
    reasons.push(`听到「${hit.keyword}」：${rule.reason}`);
    note(hit.startMs);
  }
  if (!source.size && input.modelCheck) {
    const text = input.finals.map((f) => f.text).join('');
    if (text.trim()) {
      const v = await input.modelCheck(text).catch(() => null);
      if (v?.is) {
        source.add('model');
        line = v.line;
        if (v.reason) reasons.push(v.reason);
        note(input.finals[0]?.startMs);
      }
    }
  }
  return {
    is: source.size > 0,
    line,
    words: [...new Set(words)],
    source: (['speech', 'text', 'model'] as const).filter((s) => source.has(s)),
    atMs,
    reason: reasons.length ? [...new Set(reasons)].join('；') : null,
  };
}
