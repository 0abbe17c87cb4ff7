/**
 * Every declared error code has its Chinese text in errors.ts, every text there belongs to a
 * code still declared, and a text names only placeholders its code's message declares (the
 * server sends those as `params`; any other would show as "?").
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ERRORS_ZH, errorTextZh, placeholders } from './errors.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Not modules with a catalogue: the composition root, the tests and the tools. */
const NOT_MODULES = new Set(['app', 'test', 'bench', 'scripts', 'bin', 'docs', 'deploy', 'node_modules']);

async function declared() {
  // Each module's index.ts loads its catalogue (defineErrors registers the codes).
  for (const dir of readdirSync(ROOT).sort()) {
    if (NOT_MODULES.has(dir) || dir.startsWith('.') || !existsSync(join(ROOT, dir, 'index.ts'))) continue;
    await import(join(ROOT, dir, 'index.ts'));
  }
  const core = await import(join(ROOT, 'core', 'index.ts'));
  return core.declaredErrors() as { code: string; module: string; message: string }[];
}

test('every declared error code has a Chinese text, and every text a declared code', async () => {
  const codes = await declared();
  assert.ok(codes.length > 50, `only ${codes.length} codes declared: did the modules' index.ts load?`);
  const missing = codes.filter((e) => !(e.code in ERRORS_ZH)).map((e) => `${e.code} (${e.module}): ${e.message}`);
  assert.deepEqual(missing, [], 'add a Chinese text to agent-desk/src/errors.ts for each of these');
  const known = new Set(codes.map((e) => e.code));
  const stale = Object.keys(ERRORS_ZH).filter((c) => !known.has(c));
  assert.deepEqual(stale, [], 'these codes are declared by no module any more: remove them from agent-desk/src/errors.ts');
});

test("a Chinese text names only its code's parameters", async () => {
  const bad: string[] = [];
  for (const e of await declared()) {
    const zh = ERRORS_ZH[e.code];
    if (zh === undefined) continue;
    const params = new Set(placeholders(e.message));
    const unknown = placeholders(zh).filter((p) => !params.has(p));
    if (unknown.length) bad.push(`${e.code}: {${unknown.join('}, {')}} not in "${e.message}"`);
  }
  assert.deepEqual(bad, []);
});

test('texts fill their parameters, in the desk words where it has them', () => {
  assert.equal(errorTextZh('RATE_LIMITED', { seconds: 30 }), '操作过于频繁，请 30 秒后再试。');
  assert.equal(
    errorTextZh('ROLE_REFUSED', { role: 'agent', method: 'POST', route: '/api/users', allowed: 'supervisor (值班长), admin (管理员)' }),
    '您的角色（话务员）无权进行此操作，仅限：值班长、管理员。',
  );
  assert.equal(errorTextZh('CALL_NOT_WAITING', { callId: 7, state: 'ended' }), '通话 7 当前为“已结束”，不在等待接听，无法接听。');
  assert.equal(errorTextZh('WORK_ORDER_NOT_FOUND', {}), '工单 ? 不存在。');
  assert.equal(errorTextZh('NO_SUCH_CODE', {}), undefined);
});
