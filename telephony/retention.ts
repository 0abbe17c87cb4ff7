/**
 * Retention of calls (telephony's part of the site's policy): transcripts of calls that
 * ended before one cut-off are deleted; caller numbers of calls that ended before another
 * are masked (the masked form keeps the figures by carrier and area readable).
 */
import { maskPhone, open } from '../core/index.js';
import type { Db, Queryable } from '../db/index.js';

export async function countTranscriptsToRemove(q: Queryable, endedBefore: Date): Promise<{ calls: number; segments: number }> {
  const r = await q.query<{ calls: number; segments: number }>(
    `SELECT count(DISTINCT s.call_id)::int AS calls, count(*)::int AS segments
       FROM transcript_segments s JOIN calls c ON c.id = s.call_id
      WHERE c.ended_at IS NOT NULL AND c.ended_at < $1`,
    [endedBefore],
  );
  return r.rows[0] ?? { calls: 0, segments: 0 };
}

export async function removeTranscripts(db: Db, endedBefore: Date): Promise<number> {
  const r = await db.query(
    `DELETE FROM transcript_segments s USING calls c
      WHERE c.id = s.call_id AND c.ended_at IS NOT NULL AND c.ended_at < $1`,
    [endedBefore],
  );
  return r.rowCount;
}

export async function countCallsToAnonymise(q: Queryable, endedBefore: Date): Promise<number> {
  const r = await q.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM calls WHERE anonymised_at IS NULL AND ended_at IS NOT NULL AND ended_at < $1',
    [endedBefore],
  );
  return r.rows[0]?.n ?? 0;
}

export async function anonymiseEndedCalls(db: Db, endedBefore: Date): Promise<number> {
  return db.tx(async (q) => {
    const rows = await q.query<{ id: number; caller_number: string | null; called_number: string | null; direction: string }>(
      `SELECT id, caller_number, called_number, direction FROM calls
        WHERE anonymised_at IS NULL AND ended_at IS NOT NULL AND ended_at < $1 FOR UPDATE SKIP LOCKED`,
      [endedBefore],
    );
    for (const c of rows.rows) {
      // A masked number is no longer personal: kept in clear, and its search hash goes.
      await q.query(
        `UPDATE calls SET caller_number = $2, caller_number_hash = NULL, called_number = $3, details = details - 'dtmf', anonymised_at = now()
          WHERE id = $1`,
        [c.id, maskPhone(open(c.caller_number)), c.direction === 'outbound' ? maskPhone(open(c.called_number)) : c.called_number],
      );
    }
    return rows.rows.length;
  });
}

// Referrals to 110/119/120: the transcript excerpt and address handed over go at the
// personal-data cut-off; the line, time, outcome and agent stay.
const REFERRAL_WHERE = 'created_at < $1 AND (transcript_excerpt IS NOT NULL OR address IS NOT NULL)';

export async function countReferralsToAnonymise(q: Queryable, before: Date): Promise<number> {
  const r = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM referrals WHERE ${REFERRAL_WHERE}`, [before]);
  return r.rows[0]?.n ?? 0;
}

export async function anonymiseReferrals(db: Db, before: Date): Promise<number> {
  const r = await db.query(`UPDATE referrals SET transcript_excerpt = NULL, address = NULL WHERE ${REFERRAL_WHERE}`, [before]);
  return r.rowCount;
}
