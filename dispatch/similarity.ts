/**
 * Text similarity for Chinese case descriptions: the Dice coefficient of character
 * bigrams. Needs no word segmentation and no database extension (PGlite ships no pg_trgm
 * by default), and is robust to the small wording changes of two callers reporting the same thing.
 */
export function bigrams(text: string): Map<string, number> {
  const chars = Array.from(text.toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, ''));
  const grams = new Map<string, number>();
  if (chars.length === 1) grams.set(chars[0] as string, 1);
  for (let i = 0; i + 1 < chars.length; i++) {
    const g = `${chars[i]}${chars[i + 1]}`;
    grams.set(g, (grams.get(g) ?? 0) + 1);
  }
  return grams;
}

export function similarity(a: string, b: string): number {
  return similarityTo(a)(b);
}

/** similarity(a, ·), with a's bigrams counted once: for comparing one text with many. */
export function similarityTo(a: string): (b: string) => number {
  const ga = bigrams(a);
  let totalA = 0;
  for (const n of ga.values()) totalA += n;
  return (b) => {
    let total = totalA;
    let shared = 0;
    for (const [g, n] of bigrams(b)) {
      total += n;
      shared += Math.min(n, ga.get(g) ?? 0);
    }
    return total ? (2 * shared) / total : 0;
  };
}
