import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

// The real `hotline` command with the shipped model (models/classifier) on a fresh embedded database.
const dataDir = mkdtempSync(join(tmpdir(), 'clf-cli-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));
const hotline = (args: string[], input?: string, env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, ['bin/hotline.js', ...args], {
    input,
    encoding: 'utf8',
    env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env },
    timeout: 90_000,
  });

test('hotline classify: sensible proposals for real messages, emergencies flagged, bad lines answered', () => {
  const lines = [
    { id: 'wage', text: '公司拖欠我们三个月工资了，社保也没有给交，请劳动部门帮忙处理' },
    { id: 'school', text: '孩子上幼儿园报名太难，学位不够，学校还乱收费' },
    { id: 'smoke', text: '楼下饭店油烟直排，晚上噪音也很大，严重影响居民休息' },
    // (Bus complaints are mostly 城乡建设 in this data set, as its taxonomy files 公交 under 城市建设和市政管理.)
    { id: 'taxi', text: '出租车司机拒载还乱收费，故意绕路' },
    { id: 'knife', text: '小区门口有人持刀威胁路人' },
    { id: 'fire', text: '我们楼道里着火了，烟很大' },
    { id: 'empty', text: '' },
    { id: 'huge', text: '投诉'.repeat(6000) },
    { id: 'english', text: 'The street light is broken' },
  ];
  const input = `${lines.map((l) => JSON.stringify(l)).join('\n')}\n{broken json\n`;
  const r = hotline(['classify', '-'], input);
  assert.equal(r.status, 1, r.stderr);
  const out = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(out.length, lines.length + 1);
  const by = new Map(out.map((o) => [o.id, o]));
  // Leaves of the catalogue, with their path and the top-level class behind them.
  assert.equal(by.get('wage').category, 'M0503');
  assert.equal(by.get('wage').categoryName, '工资福利');
  assert.deepEqual(
    by.get('wage').path.map((p: { code: string }) => p.code),
    ['M05', 'M0503'],
  );
  assert.equal(by.get('wage').department, 'dept.hrss');
  assert.equal(by.get('wage').topLevel.category, 'M05');
  assert.equal(by.get('school').category, 'M0403');
  assert.equal(by.get('smoke').category, 'U06027', '油烟污染 of the city-management tree');
  assert.equal(by.get('taxi').category, 'M0301');
  for (const o of out.filter((x) => !x.error)) {
    for (const k of ['id', 'category', 'categoryName', 'path', 'department', 'departmentSource', 'emergency', 'top', 'topLevel', 'model'])
      assert.ok(k in o, `${k} in ${JSON.stringify(o)}`);
    assert.ok(o.model.startsWith('clf-'));
    assert.equal(o.top[0].category, o.category);
    assert.ok(o.top.every((t: { p: number }, i: number) => t.p >= 0 && t.p <= 1 && (i === 0 || t.p <= o.top[i - 1].p)));
  }
  assert.deepEqual(by.get('knife').emergency.line, '110');
  assert.deepEqual(by.get('fire').emergency.line, '119');
  assert.equal(by.get('wage').emergency.is, false);
  assert.match(by.get('empty').error, /empty/);
  assert.match(by.get('huge').error, /12000 characters/);
  assert.match(by.get('english').error, /no Chinese/);
  assert.match(out.at(-1).error, /not JSON/);
});

test('hotline classifier: missing data and wrong usage get a message and a non-zero exit', () => {
  const noData = hotline(['classifier', 'train', '--no-register', '--out', join(dataDir, 'm')], undefined, {
    SHARED_DIR: join(dataDir, 'nothing'),
  });
  assert.equal(noData.status, 1);
  assert.match(noData.stderr, /Training data not found .* set SHARED_DIR/);
  const usage = hotline(['classifier', 'promote']);
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /exactly one VERSION/);
  const missing = hotline(['classify', join(dataDir, 'missing.jsonl')]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /does not exist/);
  const models = hotline(['classifier', 'models']);
  assert.equal(models.status, 0, models.stderr);
});
