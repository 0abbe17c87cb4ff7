#!/usr/bin/env node
// Runs every *.test.ts under the project's folders with node's test runner (Node 20's
// --test takes no globs). Arguments narrow the run: `node test/run.mjs db auth`.
// `--unit` (npm run test:unit) runs only the tests that need nothing but `npm ci`: no
// database server or embedded database, no SIP/audio tools, no browser, no speech models or
// shared data, no Redis, no child processes; they take seconds.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const SKIP = new Set(['node_modules', 'data', 'dist', '.git', 'test-results', 'models']);
function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name) || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

/**
 * What the tests need from the machine, checked first so that a missing tool reads as one
 * clear line instead of dozens of failures. `.ci/run` installs all of it.
 */
function missingPrerequisites() {
  const missing = [];
  for (const tool of ['sipp', 'sox', 'baresip', 'espeak-ng']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0)
      missing.push(`${tool} (Debian package ${tool === 'sipp' ? 'sip-tester' : tool})`);
  }
  if (!existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium')) missing.push('chromium (Debian package chromium)');
  if (spawnSync('sh', ['-c', 'ls /usr/lib/*/libpocketsphinx.so.3']).status !== 0) missing.push('libpocketsphinx3 (Debian package)');
  const models = process.env.MODELS_DIR ?? 'models';
  if (!existsSync(join(models, 'asr', 'lib', 'libvosk.so'))) missing.push(`${models}/asr/lib/libvosk.so (sh scripts/setup-asr.sh)`);
  if (!existsSync(join(models, 'asr', 'lm', 'hotline.arpa'))) missing.push(`${models}/asr/lm/hotline.arpa (sh scripts/setup-asr.sh)`);
  if (!existsSync(join(models, 'asr', 'lm', 'pinyin-lm.json'))) missing.push(`${models}/asr/lm/pinyin-lm.json (sh scripts/setup-asr.sh)`);
  if (!existsSync(join(models, 'asr', 'sherpa'))) missing.push(`${models}/asr/sherpa (sh scripts/setup-asr.sh)`);
  return missing;
}

/** What marks a test as needing more than npm ci (see --unit above). */
const NEEDS_MORE = [
  /createTestDb|startTestServer|db\/testing|helpers\/(server|cases)|ENGINES|openDb|openConfiguredDb|PGlite/, // a database
  /sip\/harness|sipp|baresip|\bsox\b|espeak|playwright|chromium|e2e\//, // tools, the browser
  /pocketsphinx|[Ss]herpa|[Vv]osk|\/shared|SHARED_DIR|sharedDir|models\/asr|asrPaths|loadModel/, // models and data
  /[Rr]edis|spawn|execFile|fork\(/, // Redis, child processes
];
const isUnit = (f) => {
  const text = readFileSync(f, 'utf8');
  return !NEEDS_MORE.some((re) => re.test(text));
};

const args = process.argv.slice(2);
const unit = args.includes('--unit');
const filters = args.filter((a) => a !== '--unit');
const files = find('.')
  .filter((f) => !filters.length || filters.some((x) => f.includes(x)))
  .filter((f) => !unit || isUnit(f))
  .sort();
if (!files.length) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}
const missing = unit ? [] : missingPrerequisites();
if (missing.length) {
  const say = `the tests need ${missing.join(', ')}. On a fresh machine run .ci/run once (as root): it installs these and runs npm test.`;
  if (!filters.length) {
    console.error(`npm test: ${say}`);
    process.exit(1);
  }
  console.error(`warning: ${say}`);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`, ...files], {
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
