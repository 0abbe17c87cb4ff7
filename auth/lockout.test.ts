/**
 * Guesses sent in parallel are all checked against the lock before their slow password
 * check: a right one that finishes after the lock landed must still be refused.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTestDb } from '../db/testing.js';
import { recordSuccess } from './lockout.js';
import { createUser } from './users.js';

test('a login whose account got locked while its password was being checked is refused', async () => {
  const db = await createTestDb('pglite');
  try {
    const u = await createUser(db, { username: 'racer', password: 'Racer-Passw0rd!', role: 'agent', orgUnitCode: undefined });
    // The lock lands meanwhile (the other guesses' failures).
    await db.query("UPDATE users SET locked_until = now() + interval '15 minutes' WHERE id = $1", [u.id]);
    const left = await recordSuccess(db, u.id);
    assert.ok(left > 14 * 60_000 && left <= 15 * 60_000, `still locked for ${left} ms`);
    const row = await db.query<{ locked: boolean }>('SELECT locked_until IS NOT NULL AS locked FROM users WHERE id = $1', [u.id]);
    assert.equal(row.rows[0]?.locked, true, 'the lock stays');
    // Unlocked, the same call clears the failures and lets the login go on.
    await db.query('UPDATE users SET locked_until = NULL, failed_logins = 3 WHERE id = $1', [u.id]);
    assert.equal(await recordSuccess(db, u.id), 0);
    const after = await db.query<{ failed: number }>('SELECT failed_logins AS failed FROM users WHERE id = $1', [u.id]);
    assert.equal(after.rows[0]?.failed, 0);
  } finally {
    await db.destroy();
  }
});
