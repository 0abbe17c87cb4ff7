/**
 * The embedded database on disk is the server user's alone: after opening, writing a
 * caller's number and closing, no file or folder under the data folder is group- or
 * world-accessible, and an install whose files were left 0666 is fixed at the next start.
 */
import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadConfig } from '../app/config.js';
import { openConfiguredDb } from '../app/runtime.js';
import { openDb } from './client.js';
import { restrictToOwner } from './owner-only.js';

const umaskBefore = process.umask();
const roots: string[] = [];
after(() => {
  process.umask(umaskBefore);
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** Every entry under `root` (itself included) whose mode lets group or others in. */
function openToOthers(root: string): string[] {
  const bad: string[] = [];
  const walk = (p: string) => {
    const st = lstatSync(p);
    if (st.mode & 0o077) bad.push(`${p} ${(st.mode & 0o777).toString(8)}`);
    if (st.isDirectory()) for (const n of readdirSync(p)) walk(join(p, n));
  };
  walk(root);
  return bad;
}

const tempRoot = () => {
  const r = mkdtempSync(join(tmpdir(), 'hotline-owner-'));
  roots.push(r);
  return r;
};

test('a new embedded database is owner-only after open, write and close', async () => {
  // The usual umask of a service account: without the fix, PGlite leaves 968 files 0666.
  process.umask(0o022);
  const dir = join(tempRoot(), 'pgdata');
  const db = await openDb({ dataDir: dir });
  await db.exec(`CREATE TABLE callers (phone text); INSERT INTO callers SELECT '13800138000' FROM generate_series(1, 5000); CHECKPOINT;`);
  // Files created while it runs are owner-only too (the umask), not only those fixed afterwards.
  assert.deepEqual(openToOthers(dir), [], 'while open');
  await db.close();
  const bad = openToOthers(dir);
  assert.deepEqual(bad.slice(0, 5), [], `${bad.length} entries open to others`);
  assert.ok(readdirSync(dir).length > 5, 'the cluster was written');
});

test('an existing install with world-readable files is fixed at the next start', async () => {
  process.umask(0o022);
  const dir = join(tempRoot(), 'pgdata');
  const first = await openDb({ dataDir: dir });
  await first.exec(`CREATE TABLE t (x text); INSERT INTO t VALUES ('110101199003071234')`);
  await first.close();
  // As an earlier version left it: folders 0755, files 0666.
  const loosen = (p: string) => {
    const st = lstatSync(p);
    chmodSync(p, st.isDirectory() ? 0o755 : 0o666);
    if (st.isDirectory()) for (const n of readdirSync(p)) loosen(join(p, n));
  };
  loosen(dir);
  assert.ok(openToOthers(dir).length > 100);
  const again = await openDb({ dataDir: dir });
  assert.deepEqual(openToOthers(dir).slice(0, 5), [], 'fixed on open, before any query');
  assert.equal((await again.query<{ x: string }>('SELECT x FROM t')).rows[0]?.x, '110101199003071234', 'and still readable');
  await again.close();
});

test('restrictToOwner keeps owner bits, leaves symlinks alone and counts what it changed', () => {
  const root = tempRoot();
  writeFileSync(join(root, 'run.sh'), '#!/bin/sh\n');
  chmodSync(join(root, 'run.sh'), 0o755);
  writeFileSync(join(root, 'model.onnx'), 'x');
  chmodSync(join(root, 'model.onnx'), 0o644);
  chmodSync(root, 0o755);
  assert.equal(restrictToOwner(root), 3);
  assert.equal(lstatSync(join(root, 'run.sh')).mode & 0o777, 0o700);
  assert.equal(lstatSync(join(root, 'model.onnx')).mode & 0o777, 0o600);
  assert.equal(lstatSync(root).mode & 0o777, 0o700);
  assert.equal(restrictToOwner(root), 0, 'nothing left to change');
});

test('the server start makes all of DATA_DIR owner-only (models trained earlier included)', async () => {
  process.umask(0o022);
  const dataDir = tempRoot();
  chmodSync(dataDir, 0o755);
  mkdirSync(join(dataDir, 'classifier', 'v1'), { recursive: true, mode: 0o755 });
  writeFileSync(join(dataDir, 'classifier', 'v1', 'model.onnx'), 'x', { mode: 0o644 });
  const db = await openConfiguredDb(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
  // What the server writes from now on (a retrained model) is owner-only as well.
  writeFileSync(join(dataDir, 'classifier', 'v2.json'), '{}');
  await db.close();
  assert.deepEqual(openToOthers(dataDir).slice(0, 5), []);
});
