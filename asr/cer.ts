/** Character error rate, the usual measure for Chinese ASR: spaces and punctuation ignored. */

/** Keeps letters and digits of any script (Chinese characters included), drops the rest. */
export function normalizeForCer(text: string): string[] {
  return [...text.normalize('NFKC').replace(/[^\p{L}\p{N}]/gu, '')];
}

/** Edit distance (substitutions, deletions, insertions) between reference and hypothesis characters. */
export function editDistance(ref: readonly string[], hyp: readonly string[]): number {
  let prev = Array.from({ length: hyp.length + 1 }, (_, j) => j);
  for (let i = 1; i <= ref.length; i++) {
    const cur = [i];
    for (let j = 1; j <= hyp.length; j++) {
      const sub = (prev[j - 1] as number) + (ref[i - 1] === hyp[j - 1] ? 0 : 1);
      cur[j] = Math.min(sub, (prev[j] as number) + 1, (cur[j - 1] as number) + 1);
    }
    prev = cur;
  }
  return prev[hyp.length] as number;
}

export function cerCounts(reference: string, hypothesis: string): { errors: number; chars: number } {
  const ref = normalizeForCer(reference);
  return { errors: editDistance(ref, normalizeForCer(hypothesis)), chars: ref.length };
}
