/**
 * Sealing the callers' numbers of calls (core/personal-data.ts): plaintext rows and rows
 * of a rotated key are resealed with the current key and get their search hash, in
 * batches of one transaction each. Numbers masked by the retention policy are no longer
 * personal and stay as they are.
 */
import { dataKeyring, open, phoneHash, seal } from '../core/personal-data.js';
import type { Db } from '../db/index.js';

const BATCH = 500;

export async function resealCalls(db: Db, ring = dataKeyring()): Promise<number> {
  const current = `enc1:${ring.current.id}:%`;
  let total = 0;
  let after = 0;
  for (;;) {
    const n = await db.tx(async (q) => {
      const rows = await q.query<{ id: number; caller_number: string }>(
        `SELECT id, caller_number FROM calls
          WHERE id > $1 AND anonymised_at IS NULL AND caller_number IS NOT NULL AND caller_number <> ''
            AND (caller_number NOT LIKE $2 OR caller_number_hash IS NULL)
          ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
        [after, current],
      );
      for (const c of rows.rows) {
        const number = open(c.caller_number, ring);
        await q.query('UPDATE calls SET caller_number = $2, caller_number_hash = $3 WHERE id = $1', [
          c.id,
          seal(number, ring),
          phoneHash(number, ring.current),
        ]);
        after = c.id;
      }
      return rows.rows.length;
    });
    total += n;
    if (n < BATCH) return total;
  }
}
