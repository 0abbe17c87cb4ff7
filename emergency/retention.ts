/**
 * Retention of emergency referrals (emergency's part of the site's policy): the
 * transcript excerpt and address handed to 110/119/120 are removed once the referral is
 * older than the personal-data cut-off; the line, time, outcome and agent stay.
 */
import type { Db, Queryable } from '../db/index.js';

const WHERE = 'created_at < $1 AND (transcript_excerpt IS NOT NULL OR address IS NOT NULL)';

export async function countReferralsToAnonymise(q: Queryable, before: Date): Promise<number> {
  const r = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM referrals WHERE ${WHERE}`, [before]);
  return r.rows[0]?.n ?? 0;
}

export async function anonymiseReferrals(db: Db, before: Date): Promise<number> {
  const r = await db.query(`UPDATE referrals SET transcript_excerpt = NULL, address = NULL WHERE ${WHERE}`, [before]);
  return r.rowCount;
}
