import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether a presented secret (an API key, a bearer token) is one of `known`, in a time
 * that depends neither on where they differ nor on their lengths (both sides hashed).
 */
export function secretMatches(presented: string | null | undefined, known: readonly (string | null | undefined)[]): boolean {
  if (!presented) return false;
  const p = createHash('sha256').update(presented).digest();
  let hit = false;
  for (const k of known) if (k) hit = timingSafeEqual(p, createHash('sha256').update(k).digest()) || hit;
  return hit;
}
