/**
 * Sealing the callers' names and numbers of cases, and ID numbers in their descriptions
 * (core/personal-data.ts): rows written before sealing existed, or sealed with a key that
 * has since been rotated, are resealed with the current key and get their search hash.
 */
import {
  dataKeyring,
  open,
  phoneHash,
  seal,
  sealedByCurrentKey,
  sealNumbersInText,
  sqlTextNeedsSealing,
  textNeedsSealing,
  tokenOfCurrentKey,
} from '../core/index.js';
import { type Db, eachInBatches } from '../db/index.js';

export async function resealCases(db: Db, ring = dataKeyring()): Promise<number> {
  return eachInBatches<{ id: number; caller_name: string | null; caller_phone: string | null; description: string }>(
    db,
    {
      select: 'caller_name, caller_phone, description',
      from: 'work_orders',
      where: `(caller_phone IS NOT NULL AND caller_phone NOT LIKE $2) OR (caller_name IS NOT NULL AND caller_name NOT LIKE $2)
              OR (caller_phone IS NOT NULL AND caller_phone_hash IS NULL) OR ${sqlTextNeedsSealing('description', '$3')}`,
      params: [sealedByCurrentKey(ring), tokenOfCurrentKey(ring)],
    },
    async (q, w) => {
      const phone = open(w.caller_phone, ring) || null;
      const description = textNeedsSealing(w.description, ring) ? sealNumbersInText(w.description, ring) : w.description;
      await q.query('UPDATE work_orders SET caller_name = $2, caller_phone = $3, caller_phone_hash = $4, description = $5 WHERE id = $1', [
        w.id,
        seal(w.caller_name || null, ring),
        seal(phone, ring),
        phoneHash(phone, ring.current),
        description,
      ]);
    },
  );
}
