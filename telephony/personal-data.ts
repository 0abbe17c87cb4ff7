/**
 * Sealing the callers' numbers of calls (core/personal-data.ts): plaintext rows and rows
 * of a rotated key are resealed with the current key and get their search hash, in
 * batches of one transaction each. Numbers masked by the retention policy are no longer
 * personal and stay as they are.
 */
import { dataKeyring, open, phoneHash, seal, sealNumbersInText, textNeedsSealing } from '../core/personal-data.js';
import type { Db } from '../db/index.js';

const BATCH = 500;

export async function resealCalls(db: Db, ring = dataKeyring()): Promise<number> {
  const current = `enc1:${ring.current.id}:%`;
  let total = 0;
  let after = 0;
  for (;;) {
    const n = await db.tx(async (q) => {
      // The citizen is the caller of an inbound call and the called party of an outbound one.
      const rows = await q.query<{ id: number; caller_number: string | null; called_number: string | null; direction: string }>(
        `SELECT id, caller_number, called_number, direction FROM calls
          WHERE id > $1 AND anonymised_at IS NULL
            AND ((caller_number IS NOT NULL AND caller_number <> '' AND (caller_number NOT LIKE $2 OR caller_number_hash IS NULL))
                 OR (direction = 'outbound' AND called_number IS NOT NULL AND called_number <> '' AND called_number NOT LIKE $2))
          ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
        [after, current],
      );
      for (const c of rows.rows) {
        const number = open(c.caller_number, ring) || null;
        const called = c.direction === 'outbound' ? seal(open(c.called_number, ring) || null, ring) : c.called_number;
        await q.query('UPDATE calls SET caller_number = $2, caller_number_hash = $3, called_number = $4 WHERE id = $1', [
          c.id,
          seal(number, ring),
          phoneHash(number, ring.current),
          called,
        ]);
        after = c.id;
      }
      return rows.rows.length;
    });
    total += n;
    if (n < BATCH) return total;
  }
}

/** Transcript segments with an ID or card number in clear, or sealed with an older key. */
export async function resealTranscripts(db: Db, ring = dataKeyring()): Promise<number> {
  let total = 0;
  let after = 0;
  for (;;) {
    const n = await db.tx(async (q) => {
      const rows = await q.query<{ id: number; text: string }>(
        `SELECT id, text FROM transcript_segments
          WHERE id > $1 AND (text ~ '(^|[^0-9A-Za-z])[1-9][0-9]{14}' OR (text LIKE '%[[enc1:%' AND text NOT LIKE $2))
          ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
        [after, `%[[enc1:${ring.current.id}:%`],
      );
      for (const s of rows.rows) {
        if (textNeedsSealing(s.text, ring)) {
          await q.query('UPDATE transcript_segments SET text = $2 WHERE id = $1', [s.id, sealNumbersInText(s.text, ring)]);
        }
        after = s.id;
      }
      return rows.rows.length;
    });
    total += n;
    if (n < BATCH) return total;
  }
}

/** Referral excerpts with an ID or card number in clear, or sealed with an older key. */
export async function resealReferrals(db: Db, ring = dataKeyring()): Promise<number> {
  const r = await db.query<{ id: number; transcript_excerpt: string }>(
    `SELECT id, transcript_excerpt FROM referrals
      WHERE transcript_excerpt ~ '(^|[^0-9A-Za-z])[1-9][0-9]{14}' OR (transcript_excerpt LIKE '%[[enc1:%' AND transcript_excerpt NOT LIKE $1)`,
    [`%[[enc1:${ring.current.id}:%`],
  );
  let n = 0;
  for (const x of r.rows) {
    if (!textNeedsSealing(x.transcript_excerpt, ring)) continue;
    await db.query('UPDATE referrals SET transcript_excerpt = $2 WHERE id = $1', [x.id, sealNumbersInText(x.transcript_excerpt, ring)]);
    n++;
  }
  return n;
}
