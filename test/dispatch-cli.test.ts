/** The dispatch commands of `hotline`, run as a user runs them, against a fresh PostgreSQL database. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createTestDb, type TestDb } from '../db/testing.js';

const BIN = new URL('../bin/hotline.js', import.meta.url).pathname;

describe('hotline calendar and workorder commands', () => {
  let db: TestDb;
  let env: NodeJS.ProcessEnv;
  const dir = mkdtempSync(join(tmpdir(), 'hotline-dispatch-cli-'));
  before(async () => {
    db = await createTestDb('postgres');
    const url = (await db.query<{ db: string }>('SELECT current_database() AS db')).rows[0]?.db as string;
    const base = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
    base.pathname = `/${url}`;
    env = { ...process.env, LOG_LEVEL: 'silent', DATABASE_URL: base.toString(), DATA_DIR: dir };
  });
  after(async () => {
    await db?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  const hotline = (args: string[], input?: string) => {
    const r = spawnSync(process.execPath, [BIN, ...args], { env, input, encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  test('calendar set replaces a year from CSV or JSON; show prints it back', () => {
    const csv = join(dir, '2027.csv');
    writeFileSync(csv, 'day,kind,name\n2027-01-01,holiday,元旦\n# comment\n2027-02-06,workday,春节调休\n');
    const set = hotline(['calendar', 'set', '2027', csv]);
    assert.equal(set.code, 0, set.err);
    assert.match(set.out, /1 holidays, 1 make-up workdays/);
    const show = hotline(['calendar', 'show', '2027']);
    assert.equal(show.code, 0, show.err);
    assert.equal(show.out, 'day,kind,name\n2027-01-01,holiday,元旦\n2027-02-06,workday,春节调休\n');
    const json = hotline(['calendar', 'set', '2027', '-'], JSON.stringify([{ day: '2027-01-01', kind: 'holiday', name: '元旦' }]));
    assert.equal(json.code, 0, json.err);
    assert.match(hotline(['calendar', 'show', '2026']).out, /2026-10-10,workday,国庆节调休/);
  });

  test('bad input exits non-zero with a message and changes nothing', () => {
    const before = hotline(['calendar', 'show', '2027']).out;
    const cases: [string[], string | undefined, number, RegExp][] = [
      [['calendar', 'set', '2027', '-'], '2027-01-01,sometimes,x', 2, /kind "sometimes"/],
      [['calendar', 'set', '2027', '-'], '[{"day": "tomorrow"}]', 2, /not a date/],
      [['calendar', 'set', '2027', '-'], '[oops', 2, /not valid JSON/],
      [['calendar', 'set', '2027', '-'], '2026-05-01,holiday,x', 1, /not in 2027/],
      [['calendar', 'set', '2027', '-'], '2027-02-30,holiday,x', 1, /not a date/],
      [['calendar', 'set', '2027', join(dir, 'missing.csv')], undefined, 2, /Cannot read/],
      [['calendar', 'show', 'next'], undefined, 2, /YEAR/],
      [['workorder', 'overdue', '--limit', '0'], undefined, 2, /--limit/],
    ];
    for (const [args, input, code, message] of cases) {
      const r = hotline(args, input);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.out}${r.err}`);
      assert.match(r.err, message);
    }
    assert.equal(hotline(['calendar', 'show', '2027']).out, before);
  });

  test('workorder check-deadlines and overdue run', () => {
    const check = hotline(['workorder', 'check-deadlines']);
    assert.equal(check.code, 0, check.err);
    assert.match(check.out, /checked 0 running cases/);
    const overdue = hotline(['workorder', 'overdue']);
    assert.equal(overdue.code, 0, overdue.err);
    assert.match(overdue.out, /0 overdue/);
    const help = hotline(['--help']);
    for (const c of ['calendar show', 'calendar set', 'workorder check-deadlines', 'workorder overdue']) assert.ok(help.out.includes(c), c);
  });
});
