/**
 * Retention of cases (dispatch's part of the site's policy): a case closed longer ago
 * than the policy allows loses the caller's name, phone and address, and the phone and
 * ID numbers in its description and callback notes are masked. What it was about, where
 * (the place unit), who handled it and its audit trail stay, so figures and reports of
 * past months do not change.
 */
import { maskText, openNumbersInText } from '../core/index.js';
import type { Db, Queryable } from '../db/index.js';

const BATCH = 500;

export async function countCasesToAnonymise(q: Queryable, closedBefore: Date): Promise<number> {
  const r = await q.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM work_orders WHERE anonymised_at IS NULL AND closed_at IS NOT NULL AND closed_at < $1',
    [closedBefore],
  );
  return r.rows[0]?.n ?? 0;
}

/** Anonymises in batches of one transaction each; returns how many cases it changed. */
export async function anonymiseClosedCases(db: Db, closedBefore: Date): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await db.tx(async (q) => {
      const rows = await q.query<{ id: number; description: string }>(
        `SELECT id, description FROM work_orders
          WHERE anonymised_at IS NULL AND closed_at IS NOT NULL AND closed_at < $1
          ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
        [closedBefore],
      );
      for (const w of rows.rows) {
        await q.query(
          `UPDATE work_orders SET caller_name = NULL, caller_phone = NULL, caller_phone_hash = NULL, address = NULL, description = $2,
                  channel_data = channel_data - 'email', anonymised_at = now()
            WHERE id = $1`,
          [w.id, maskText(openNumbersInText(w.description))],
        );
      }
      return rows.rows.length;
    });
    total += n;
    if (n < BATCH) return total;
  }
}

export async function countAuditToRemove(q: Queryable, closedBefore: Date): Promise<number> {
  const r = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM work_order_events e JOIN work_orders w ON w.id = e.work_order_id
      WHERE w.closed_at IS NOT NULL AND w.closed_at < $1 AND e.created_at < $1`,
    [closedBefore],
  );
  return r.rows[0]?.n ?? 0;
}

/**
 * Removes the audit rows of cases closed before the cut-off (the caller guarantees the
 * cut-off is at least six months back). Rows of open cases are never removed.
 */
export async function removeOldAudit(db: Db, closedBefore: Date): Promise<number> {
  const r = await db.query(
    `DELETE FROM work_order_events e USING work_orders w
      WHERE w.id = e.work_order_id AND w.closed_at IS NOT NULL AND w.closed_at < $1 AND e.created_at < $1`,
    [closedBefore],
  );
  return r.rowCount;
}
