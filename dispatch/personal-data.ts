/**
 * Sealing the callers' names and numbers of cases, and ID numbers in their descriptions
 * (core/personal-data.ts): rows written
 * before sealing existed, or sealed with a key that has since been rotated, are resealed
 * with the current key and get their search hash; batches of one transaction each, so a
 * large table is done piece by piece while the hotline serves.
 */
import { dataKeyring, open, phoneHash, seal, sealNumbersInText, textNeedsSealing } from '../core/personal-data.js';
import type { Db } from '../db/index.js';

const BATCH = 500;

export async function resealCases(db: Db, ring = dataKeyring()): Promise<number> {
  const current = `enc1:${ring.current.id}:%`;
  let total = 0;
  let after = 0;
  for (;;) {
    const n = await db.tx(async (q) => {
      const rows = await q.query<{ id: number; caller_name: string | null; caller_phone: string | null; description: string }>(
        `SELECT id, caller_name, caller_phone, description FROM work_orders
          WHERE id > $1 AND ((caller_phone IS NOT NULL AND caller_phone NOT LIKE $2) OR (caller_name IS NOT NULL AND caller_name NOT LIKE $2)
                 OR (caller_phone IS NOT NULL AND caller_phone_hash IS NULL)
                 OR description ~ '(^|[^0-9A-Za-z])[1-9][0-9]{14}'
                 OR (description LIKE '%[[enc1:%' AND description NOT LIKE $3))
          ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
        [after, current, `%[[enc1:${ring.current.id}:%`],
      );
      for (const w of rows.rows) {
        const phone = open(w.caller_phone, ring) || null;
        const description = textNeedsSealing(w.description, ring) ? sealNumbersInText(w.description, ring) : w.description;
        await q.query(
          'UPDATE work_orders SET caller_name = $2, caller_phone = $3, caller_phone_hash = $4, description = $5 WHERE id = $1',
          [w.id, seal(w.caller_name || null, ring), seal(phone, ring), phoneHash(phone, ring.current), description],
        );
        after = w.id;
      }
      return rows.rows.length;
    });
    total += n;
    if (n < BATCH) return total;
  }
}
