/**
 * The retention policy on both engines: what is older than its cut-off loses its personal
 * data (and only that), what is younger or still open is untouched, the plan counts what
 * apply then removes, and the audit trail can never be set shorter than six months.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError } from '../core/settings.js';
import { createTestDb, ENGINES } from '../db/testing.js';
import { applyRetention, retentionPlan, retentionPolicyFrom } from './index.js';

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY);
const policy = retentionPolicyFrom({
  RETENTION_TRANSCRIPT_DAYS: 365,
  RETENTION_PERSONAL_DAYS: 730,
  RETENTION_AUDIT_DAYS: 1095,
  RETENTION_SWEEP_HOURS: 0,
});

for (const engine of ENGINES) {
  test(`${engine}: the policy removes what is past its cut-off and nothing else`, async () => {
    const db = await createTestDb(engine);
    try {
      const call = async (endedDaysAgo: number, number: string) =>
        (
          await db.query<{ id: number }>(
            `INSERT INTO calls (caller_number, state, arrived_at, ended_at, end_reason) VALUES ($1, 'ended', $2, $2, 'answered') RETURNING id`,
            [number, ago(endedDaysAgo)],
          )
        ).rows[0]?.id as number;
      const segment = (callId: number, seq: number) =>
        db.query(`INSERT INTO transcript_segments (call_id, leg, seq, text) VALUES ($1, 'caller', $2, '我的电话是13800138000')`, [
          callId,
          seq,
        ]);
      const oldCall = await call(800, '13800138000');
      const midCall = await call(400, '13900139000');
      const newCall = await call(10, '13700137000');
      for (const c of [oldCall, midCall, newCall]) {
        await segment(c, 1);
        await segment(c, 2);
      }
      const order = async (n: string, closedDaysAgo: number | null, callId: number | null) =>
        (
          await db.query<{ id: number }>(
            `INSERT INTO work_orders (number, channel, caller_name, caller_phone, caller_phone_hash, address, description, state, call_id, created_at, closed_at)
             VALUES ($1, 'hotline', '张三', '13800138000', 'hash-of-the-number', '幸福路8号3单元', '噪音扰民，回电13800138000，身份证110101199003074578', $2, $3, $4, $5)
             RETURNING id`,
            [
              n,
              closedDaysAgo === null ? 'in_progress' : 'closed',
              callId,
              ago((closedDaysAgo ?? 900) + 5),
              closedDaysAgo === null ? null : ago(closedDaysAgo),
            ],
          )
        ).rows[0]?.id as number;
      const veryOld = await order('20230101-000001', 1200, oldCall);
      const old = await order('20240101-000001', 800, null);
      const recent = await order('20261101-000001', 30, null);
      const open = await order('20230601-000001', null, null);
      for (const id of [veryOld, old, recent, open]) {
        await db.query(`INSERT INTO work_order_events (work_order_id, action, to_state, created_at) VALUES ($1, 'create', 'x', $2)`, [
          id,
          ago(1300),
        ]);
        await db.query(`INSERT INTO callbacks (work_order_id, due_at, note) VALUES ($1, now(), '市民说电话13800138000可以打')`, [id]);
      }
      await db.query(
        `INSERT INTO referrals (call_id, line, target, mode, transcript_excerpt, address, created_at) VALUES ($1, '110', 'sip:110@x', 'record_only', '有人持刀', '幸福路', $2)`,
        [oldCall, ago(800)],
      );

      const plan = await retentionPlan(db, policy);
      assert.deepEqual(plan.transcripts, { calls: 2, segments: 4 }, 'the calls ended 800 and 400 days ago');
      assert.equal(plan.cases, 2, 'closed 1200 and 800 days ago');
      assert.equal(plan.calls, 1, 'ended 800 days ago');
      assert.equal(plan.referrals, 1);
      assert.equal(plan.auditRows, 1, 'only the case closed 1200 days ago is past the audit cut-off');

      const removed = await applyRetention(db, policy, 'test');
      assert.deepEqual(removed, { transcriptSegments: 4, cases: 2, calls: 1, referrals: 1, auditRows: 1 });

      const rows = await db.query<{
        id: number;
        caller_name: string | null;
        caller_phone: string | null;
        caller_phone_hash: string | null;
        address: string | null;
        description: string;
        anonymised_at: Date | null;
      }>('SELECT id, caller_name, caller_phone, caller_phone_hash, address, description, anonymised_at FROM work_orders ORDER BY id');
      const byId = new Map(rows.rows.map((r) => [r.id, r]));
      for (const id of [veryOld, old]) {
        const w = byId.get(id);
        assert.equal(w?.caller_name, null);
        assert.equal(w?.caller_phone, null);
        assert.equal(w?.caller_phone_hash, null, 'no longer found by the number');
        assert.equal(w?.address, null);
        assert.ok(w?.anonymised_at);
        assert.doesNotMatch(w?.description ?? '', /13800138000|110101199003074578/);
        assert.match(w?.description ?? '', /噪音扰民/, 'what the case was about stays');
      }
      for (const id of [recent, open]) {
        assert.equal(byId.get(id)?.caller_phone, '13800138000', 'a recent or open case keeps its data');
        assert.equal(byId.get(id)?.anonymised_at, null);
      }
      const notes = await db.query<{ work_order_id: number; note: string | null }>('SELECT work_order_id, note FROM callbacks');
      for (const n of notes.rows) assert.equal(n.note === null, n.work_order_id === veryOld || n.work_order_id === old);
      const events = await db.query<{ work_order_id: number }>('SELECT work_order_id FROM work_order_events');
      assert.deepEqual(events.rows.map((e) => e.work_order_id).sort(), [old, recent, open].sort(), "an open case's old audit row stays");
      const calls = await db.query<{ id: number; caller_number: string }>('SELECT id, caller_number FROM calls ORDER BY id');
      assert.deepEqual(
        calls.rows.map((c) => c.caller_number),
        ['138****8000', '13900139000', '13700137000'],
      );
      const segments = await db.query<{ call_id: number }>('SELECT call_id FROM transcript_segments');
      assert.deepEqual([...new Set(segments.rows.map((s) => s.call_id))], [newCall]);
      const ref = await db.query<{ transcript_excerpt: string | null; address: string | null; line: string }>(
        'SELECT transcript_excerpt, address, line FROM referrals',
      );
      assert.deepEqual(ref.rows[0], { transcript_excerpt: null, address: null, line: '110' });

      // A second run finds nothing more, and both runs are on record.
      assert.deepEqual(await applyRetention(db, policy, 'test'), { transcriptSegments: 0, cases: 0, calls: 0, referrals: 0, auditRows: 0 });
      const runs = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM retention_runs');
      assert.equal(runs.rows[0]?.n, 2);
    } finally {
      await db.destroy();
    }
  });
}

test('the audit trail cannot be kept shorter than six months; 0 keeps everything', async () => {
  assert.throws(
    () =>
      retentionPolicyFrom({ RETENTION_TRANSCRIPT_DAYS: 0, RETENTION_PERSONAL_DAYS: 0, RETENTION_AUDIT_DAYS: 90, RETENTION_SWEEP_HOURS: 0 }),
    (e: unknown) => e instanceof ConfigError && /at least 180 days/.test(e.message),
  );
  const keep = retentionPolicyFrom({
    RETENTION_TRANSCRIPT_DAYS: 0,
    RETENTION_PERSONAL_DAYS: 0,
    RETENTION_AUDIT_DAYS: 0,
    RETENTION_SWEEP_HOURS: 0,
  });
  const db = await createTestDb('pglite');
  try {
    await db.query(`INSERT INTO calls (caller_number, state, ended_at) VALUES ('13800138000', 'ended', now() - interval '20 years')`);
    const plan = await retentionPlan(db, keep);
    assert.deepEqual(plan.cutoffs, { transcripts: null, personal: null, audit: null });
    assert.equal(plan.calls, 0);
  } finally {
    await db.destroy();
  }
});

test('hotline retention plan prints the plan; apply refuses without --yes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-retention-'));
  try {
    const env = { ...process.env, DATA_DIR: dir, DATABASE_URL: '', LOG_LEVEL: 'silent', RETENTION_AUDIT_DAYS: '0' };
    const plan = spawnSync(process.execPath, ['bin/hotline.js', 'retention', 'plan', '--json'], {
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(plan.status, 0, plan.stderr);
    const parsed = JSON.parse(plan.stdout) as { cases: number; policy: { personalDays: number } };
    assert.equal(parsed.cases, 0);
    assert.equal(parsed.policy.personalDays, 730);
    const apply = spawnSync(process.execPath, ['bin/hotline.js', 'retention', 'apply'], { env, encoding: 'utf8', timeout: 120_000 });
    assert.equal(apply.status, 2);
    assert.match(apply.stderr, /--yes/);
    const bad = spawnSync(process.execPath, ['bin/hotline.js', 'retention', 'plan'], {
      env: { ...env, RETENTION_AUDIT_DAYS: '30' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(bad.status, 2, bad.stderr);
    assert.match(bad.stderr, /at least 180 days/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
