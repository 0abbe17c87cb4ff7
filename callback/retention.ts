/**
 * Retention of callbacks (callback's part of the site's policy): the staff's note on a
 * callback can hold what the citizen said about themselves, so it goes when the case it
 * belongs to is anonymised. Idempotent: each sweep clears what the last one left.
 */
import type { Db } from '../db/index.js';

export async function forgetNotesOfAnonymisedCases(db: Db): Promise<number> {
  const r = await db.query(
    `UPDATE callbacks c SET note = NULL
       FROM work_orders w
      WHERE w.id = c.work_order_id AND w.anonymised_at IS NOT NULL AND c.note IS NOT NULL`,
  );
  return r.rowCount;
}
