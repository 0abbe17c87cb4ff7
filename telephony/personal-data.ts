/**
 * Sealing the callers' numbers of calls, and ID numbers in transcripts and referral
 * excerpts (core/personal-data.ts): plaintext rows and rows of a rotated key are resealed
 * with the current key. Numbers masked by the retention policy are no longer personal and
 * stay as they are.
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

export async function resealCalls(db: Db, ring = dataKeyring()): Promise<number> {
  // The citizen is the caller of an inbound call and the called party of an outbound one.
  return eachInBatches<{ id: number; caller_number: string | null; called_number: string | null; direction: string }>(
    db,
    {
      select: 'caller_number, called_number, direction',
      from: 'calls',
      where: `anonymised_at IS NULL
        AND ((caller_number IS NOT NULL AND caller_number <> '' AND (caller_number NOT LIKE $2 OR caller_number_hash IS NULL))
             OR (direction = 'outbound' AND called_number IS NOT NULL AND called_number <> '' AND called_number NOT LIKE $2))`,
      params: [sealedByCurrentKey(ring)],
    },
    async (q, c) => {
      const number = open(c.caller_number, ring) || null;
      const called = c.direction === 'outbound' ? seal(open(c.called_number, ring) || null, ring) : c.called_number;
      await q.query('UPDATE calls SET caller_number = $2, caller_number_hash = $3, called_number = $4 WHERE id = $1', [
        c.id,
        seal(number, ring),
        phoneHash(number, ring.current),
        called,
      ]);
    },
  );
}

/** Free text of a table with an ID or card number in clear, or sealed with an older key. */
function resealText(db: Db, table: 'transcript_segments' | 'referrals', column: string, ring: ReturnType<typeof dataKeyring>) {
  return eachInBatches<{ id: number; text: string }>(
    db,
    { select: `${column} AS text`, from: table, where: sqlTextNeedsSealing(column, '$2'), params: [tokenOfCurrentKey(ring)] },
    async (q, row) => {
      if (!textNeedsSealing(row.text, ring)) return;
      await q.query(`UPDATE ${table} SET ${column} = $2 WHERE id = $1`, [row.id, sealNumbersInText(row.text, ring)]);
    },
  );
}

/** Transcript segments with an ID or card number in clear, or sealed with an older key. */
export const resealTranscripts = (db: Db, ring = dataKeyring()) => resealText(db, 'transcript_segments', 'text', ring);

/** Referral excerpts with an ID or card number in clear, or sealed with an older key. */
export const resealReferrals = (db: Db, ring = dataKeyring()) => resealText(db, 'referrals', 'transcript_excerpt', ring);
