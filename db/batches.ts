import type { Db, Queryable, Row } from './client.js';

/**
 * Visits the rows a query finds in batches of one transaction each, so a large table is
 * worked through piece by piece while the product serves. `where` is the condition on the
 * table; each row is visited once (keyed by id), and rows another transaction holds are
 * left for the next run. Returns how many rows were visited.
 */
export async function eachInBatches<T extends Row & { id: number }>(
  db: Db,
  query: { select: string; from: string; where: string; params?: readonly unknown[] },
  each: (q: Queryable, row: T) => Promise<void>,
  batch = 500,
): Promise<number> {
  let total = 0;
  let after = 0;
  for (;;) {
    const n = await db.tx(async (q) => {
      const rows = await q.query<T>(
        `SELECT id, ${query.select} FROM ${query.from} WHERE id > $1 AND (${query.where})
          ORDER BY id LIMIT ${batch} FOR UPDATE SKIP LOCKED`,
        [after, ...(query.params ?? [])],
      );
      for (const row of rows.rows) {
        await each(q, row);
        after = row.id;
      }
      return rows.rows.length;
    });
    total += n;
    if (n < batch) return total;
  }
}
