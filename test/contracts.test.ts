/**
 * The module contracts of docs/architecture.md, checked on the source so they stay true:
 *
 * - a module imports another only through its `index.ts` (the desk's browser code through
 *   `browser.ts`, the browser-safe part), product code never imports `app/` or `test/`, and
 *   the modules' value imports form no cycle;
 * - each table is created by the migrations of one module (its owner), only the owner's
 *   migrations alter it and only the owner's code writes it; another module's SQL reads it
 *   only when the owner lists it in its `tables.ts` (`PUBLISHED_TABLES`: columns it keeps
 *   stable for readers, like a view).
 *
 * Pure source scans: no database, no network.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SKIP = new Set(['node_modules', '.git', '.cache', 'dist', 'data', 'models', 'test-results']);
/** Not modules: the tests, the benchmarks and the scripts may reach into any file. */
const NOT_MODULES = new Set(['test', 'bench', 'scripts', 'bin', 'docs', 'deploy']);

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name) || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(relative(ROOT, p));
  }
  return out;
}

const files = walk(ROOT);
const moduleOf = (path: string) => path.split('/')[0] ?? '';
const isProductSource = (f: string) =>
  /\.(ts|tsx)$/.test(f) && !/\.test\.tsx?$/.test(f) && f.includes('/') && !NOT_MODULES.has(moduleOf(f));
const sources = files.filter(isProductSource);

interface ImportRef {
  file: string;
  target: string;
  typeOnly: boolean;
}

/** Relative imports and re-exports of a file, resolved to project paths. */
function importsOf(file: string): ImportRef[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const out: ImportRef[] = [];
  const re = /^\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"](\.{1,2}\/[^'"]+)['"]/gm;
  for (const m of text.matchAll(re)) {
    out.push({ file, target: normalize(join(dirname(file), m[2] as string)), typeOnly: Boolean(m[1]) });
  }
  for (const m of text.matchAll(/\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g)) {
    out.push({ file, target: normalize(join(dirname(file), m[1] as string)), typeOnly: false });
  }
  return out;
}

const allImports = sources.flatMap(importsOf);

describe('module imports', () => {
  test('a module reaches another only through its index.ts (the desk through browser.ts)', () => {
    const bad: string[] = [];
    for (const i of allImports) {
      const [from, to] = [moduleOf(i.file), moduleOf(i.target)];
      if (from === to) continue;
      const face = i.target.slice(to.length + 1).replace(/\.(js|ts|tsx)$/, '');
      const browser = i.file.startsWith('agent-desk/src/');
      const allowed = browser ? face === 'browser' || (i.typeOnly && face === 'index') : face === 'index';
      if (!allowed) bad.push(`${i.file} imports ${i.target}`);
    }
    assert.deepEqual(bad, [], "import the module's index.ts (export what you need from it) instead");
  });

  test('product code never imports app/ (the composition root) or test/', () => {
    const bad = allImports
      .filter((i) => ['app', 'test'].includes(moduleOf(i.target)) && moduleOf(i.file) !== moduleOf(i.target))
      .map((i) => `${i.file} imports ${i.target}`);
    assert.deepEqual(bad, []);
  });

  test('the modules form no import cycle', () => {
    const edges = new Map<string, Set<string>>();
    for (const i of allImports) {
      const [from, to] = [moduleOf(i.file), moduleOf(i.target)];
      if (from === to || i.typeOnly) continue;
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from)?.add(to);
    }
    const cycles: string[] = [];
    const visit = (m: string, path: string[]) => {
      for (const next of edges.get(m) ?? []) {
        if (path.includes(next)) cycles.push([...path.slice(path.indexOf(next)), next].join(' -> '));
        else if (path.length < 20) visit(next, [...path, next]);
      }
    };
    for (const m of edges.keys()) visit(m, [m]);
    assert.deepEqual([...new Set(cycles)], []);
  });
});

/** Tables by owner, from the CREATE TABLE statements of each module's migrations. */
function tableOwners(): Map<string, string> {
  const owners = new Map<string, string>();
  for (const f of files.filter((p) => /^[a-z-]+\/migrations\/\d{4}_[\w-]+\.sql$/.test(p))) {
    const sql = readFileSync(join(ROOT, f), 'utf8');
    for (const m of sql.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?([a-z_][a-z0-9_]*)/g)) {
      const table = m[1] as string;
      const previous = owners.get(table);
      assert.ok(!previous || previous === moduleOf(f), `table ${table} is created by both ${previous} and ${moduleOf(f)}`);
      owners.set(table, moduleOf(f));
    }
  }
  return owners;
}

const owners = tableOwners();
const tablePattern = [...owners.keys()].sort((a, b) => b.length - a.length).join('|');
/** SQL outside comments: statements are upper-case in this code base, prose is not. */
const stripComments = (text: string) =>
  text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '')
    .replace(/^\s*--.*$/gm, '');

function publishedTables(module: string): string[] {
  const path = join(ROOT, module, 'tables.ts');
  if (!existsSync(path)) return [];
  const m = /PUBLISHED_TABLES\s*=\s*\[([^\]]*)\]/.exec(readFileSync(path, 'utf8'));
  return m ? [...(m[1] as string).matchAll(/'([a-z_0-9]+)'/g)].map((x) => x[1] as string) : [];
}

describe('table ownership', () => {
  test('every table has one owner, and the tables the product uses are known', () => {
    for (const t of ['work_orders', 'calls', 'users', 'org_units', 'callbacks', 'referrals', 'classifier_feedback', 'pii_access_log']) {
      assert.ok(owners.has(t), `table ${t} is created by some module's migration`);
    }
    assert.equal(owners.get('work_orders'), 'dispatch');
    assert.equal(owners.get('referrals'), 'telephony');
  });

  test("a module's migrations change only its own tables", () => {
    const bad: string[] = [];
    const re = new RegExp(
      `\\b(ALTER TABLE(?: IF EXISTS)?(?: ONLY)?|ON|INSERT INTO|UPDATE|DELETE FROM|COMMENT ON TABLE)\\s+(${tablePattern})\\b`,
      'g',
    );
    for (const f of files.filter((p) => /^[a-z-]+\/migrations\/.*\.sql$/.test(p))) {
      for (const m of stripComments(readFileSync(join(ROOT, f), 'utf8')).matchAll(re)) {
        const owner = owners.get(m[2] as string);
        if (owner !== moduleOf(f)) bad.push(`${f}: ${m[1]} ${m[2]} (owned by ${owner})`);
      }
    }
    assert.deepEqual(bad, []);
  });

  test("only the owner's code writes a table", () => {
    const bad: string[] = [];
    const re = new RegExp(`\\b(INSERT INTO|UPDATE|DELETE FROM|TRUNCATE)\\s+(${tablePattern})\\b`, 'g');
    for (const f of sources) {
      for (const m of stripComments(readFileSync(join(ROOT, f), 'utf8')).matchAll(re)) {
        const owner = owners.get(m[2] as string);
        if (owner !== moduleOf(f)) bad.push(`${f}: ${m[1]} ${m[2]} (owned by ${owner}: call its function)`);
      }
    }
    assert.deepEqual(bad, []);
  });

  test("another module's SQL reads only the tables their owner publishes (tables.ts)", () => {
    const bad: string[] = [];
    const re = new RegExp(`\\b(FROM|JOIN)\\s+(${tablePattern})\\b`, 'g');
    for (const f of sources) {
      for (const m of stripComments(readFileSync(join(ROOT, f), 'utf8')).matchAll(re)) {
        const table = m[2] as string;
        const owner = owners.get(table) as string;
        if (owner === moduleOf(f)) continue;
        if (!publishedTables(owner).includes(table)) bad.push(`${f}: reads ${table} (owned by ${owner}, not in ${owner}/tables.ts)`);
      }
    }
    assert.deepEqual([...new Set(bad)], []);
  });
});
