/**
 * Leaf category and department proposals, measured through classify() on the demo
 * district (PGlite in memory, the shipped model, the shipped catalogue words):
 *
 *   eval [FILE]          leaf, department and top-level accuracy, top-3, calibration, by style
 *                        (default classifier/eval/leaf-eval.jsonl: written for this, never tuned on)
 *   replay N [FILE]      N dispatcher corrections recorded one by one (shuffled, seed 1),
 *                        then accuracy on the rest, for N = 0 and the given N
 *   pairs [FILE]         for every leaf with two or more requests: the first recorded as a
 *                        dispatcher's decision, accuracy on the others before and after
 *   tune [FILE]          grid search of the scoring weights (default classifier/leaf-tune.jsonl)
 *
 * Run: node --import tsx bench/classifier-leaf.ts eval
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { seed } from '../app/seed.js';
import { recordFeedback } from '../classifier/feedback.js';
import { DEFAULT_WEIGHTS, type LeafWeights } from '../classifier/leaf.js';
import { mulberry32 } from '../classifier/linear.js';
import { type ClassifyResult, createClassifier } from '../classifier/service.js';
import { openDb } from '../db/index.js';
import { migrate } from '../db/migrate.js';
import { DEFAULT_DISPATCH_SETTINGS, proposalRoute } from '../dispatch/index.js';
import { defaultCatalogue } from '../org/index.js';

interface Row {
  text: string;
  category: string;
  department?: string;
  style?: string;
}

const [mode = 'eval', ...args] = process.argv.slice(2);
const readRows = (file: string): Row[] =>
  readFileSync(resolve(file), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Row);

const parents = new Map(defaultCatalogue().map((c) => [c.code, c.parent]));
const rootOf = (code: string) => {
  let c = code;
  for (let p = parents.get(c); p; p = parents.get(c)) c = p;
  return c;
};

const db = await openDb({});
await migrate(db);
await seed(db, { demo: true });
const route = proposalRoute(DEFAULT_DISPATCH_SETTINGS);
// WEIGHTS='{"minSimilarity":0.2}' tries other weights without editing the code.
const WEIGHTS: LeafWeights = { ...DEFAULT_WEIGHTS, ...(process.env.WEIGHTS ? JSON.parse(process.env.WEIGHTS) : {}) };
const modelsDir = resolve(process.env.MODELS_DIR ?? 'models');

async function run(rows: Row[], weights: LeafWeights, topK = 3) {
  const clf = createClassifier({ db, modelsDir, route, weights, topK, pick: process.env.PICK === 'department' ? 'department' : 'leaf' });
  const out: { row: Row; r: ClassifyResult }[] = [];
  for (const row of rows) out.push({ row, r: await clf.classify(row.text) });
  await clf.close();
  return out;
}

function report(label: string, results: { row: Row; r: ClassifyResult }[]) {
  const groups = new Map<string, typeof results>([['all', results]]);
  for (const x of results) {
    const k = x.row.style ?? 'unknown';
    groups.set(k, [...(groups.get(k) ?? []), x]);
  }
  for (const [style, xs] of groups) {
    const n = xs.length;
    const leaf = xs.filter((x) => x.r.category === x.row.category).length;
    const top3 = xs.filter((x) => x.r.top.slice(0, 3).some((t) => t.category === x.row.category)).length;
    const withDept = xs.filter((x) => x.row.department);
    const dept = withDept.filter((x) => x.r.department === x.row.department).length;
    const leafRightDeptWrong = withDept.filter((x) => x.r.category === x.row.category && x.r.department !== x.row.department).length;
    const root = xs.filter((x) => x.r.category && rootOf(x.r.category) === rootOf(x.row.category)).length;
    const second = xs.filter((x) => x.r.path[1]?.code && x.r.path[1].code === leafPath(x.row.category)[1]).length;
    console.log(
      `${label} ${style.padEnd(7)} n=${String(n).padStart(3)}  leaf ${pct(leaf, n)}  top-3 ${pct(top3, n)}  ` +
        `department ${pct(dept, withDept.length)} (leaf right, unit not: ${leafRightDeptWrong})  tree ${pct(root, n)}  second level ${pct(second, n)}`,
    );
  }
  // Calibration: mean confidence against accuracy in five bins (expected calibration error).
  const bins = Array.from({ length: 5 }, () => ({ n: 0, conf: 0, right: 0 }));
  for (const x of results) {
    const p = x.r.top[0]?.p ?? 0;
    const b = bins[Math.min(4, Math.floor(p * 5))]!;
    b.n++;
    b.conf += p;
    b.right += x.r.category === x.row.category ? 1 : 0;
  }
  const ece = bins.reduce((s, b) => s + (b.n ? Math.abs(b.conf - b.right) : 0), 0) / results.length;
  console.log(
    `${label} calibration: ECE ${ece.toFixed(3)}; bins ` +
      bins
        .map(
          (b, i) =>
            `${i * 20}-${i * 20 + 20}%: n=${b.n} conf ${b.n ? (b.conf / b.n).toFixed(2) : '-'} acc ${b.n ? (b.right / b.n).toFixed(2) : '-'}`,
        )
        .join(' | '),
  );
  return results.filter((x) => x.r.category === x.row.category).length / results.length;
}

function leafPath(code: string): string[] {
  const out = [code];
  for (let p = parents.get(code); p; p = parents.get(p)) out.unshift(p);
  return out;
}

/** Each row as a dispatcher's decision on the proposal it got (recorded like dispatch does). */
async function recordAll(rows: Row[]) {
  const ids = new Map((await db.query<{ id: number; code: string }>('SELECT id, code FROM categories')).rows.map((c) => [c.code, c.id]));
  const units = new Map((await db.query<{ id: number; code: string }>('SELECT id, code FROM org_units')).rows.map((u) => [u.code, u.id]));
  let corrected = 0;
  const clf = createClassifier({ db, modelsDir, route, weights: WEIGHTS });
  for (const row of rows) {
    const r = await clf.classify(row.text);
    if (r.category !== row.category || (row.department && r.department !== row.department)) corrected++;
    await recordFeedback(db, {
      text: row.text,
      proposedCategoryId: r.categoryId,
      finalCategoryId: ids.get(row.category)!,
      proposedDepartmentId: r.departmentId,
      finalDepartmentId: row.department ? (units.get(row.department) ?? null) : null,
      modelVersion: r.model,
    });
  }
  await clf.close();
  console.log(`recorded ${rows.length} decisions, ${corrected} of them corrections`);
}

const pct = (a: number, n: number) => (n ? `${((100 * a) / n).toFixed(1)}%`.padStart(6) : '    -');

if (mode === 'eval') {
  const rows = readRows(args[0] ?? 'classifier/eval/leaf-eval.jsonl');
  const results = await run(rows, WEIGHTS);
  report('eval', results);
  if (process.env.SHOW_ERRORS) {
    for (const x of results.filter((y) => y.r.category !== y.row.category)) {
      console.log(
        `  ✗ ${x.row.text.slice(0, 50)} | want ${x.row.category} got ${x.r.category} ${x.r.categoryName} [${x.r.evidence.keywords.join(',')}]`,
      );
    }
  }
} else if (mode === 'replay') {
  const n = Number(args[0] ?? 100);
  const rows = readRows(args[1] ?? 'classifier/eval/leaf-eval.jsonl');
  const rand = mulberry32(1);
  const shuffled = rows
    .map((r) => ({ r, k: rand() }))
    .sort((a, b) => a.k - b.k)
    .map((x) => x.r);
  const learn = shuffled.slice(0, n);
  const rest = shuffled.slice(n);
  report(`before (0 corrections, ${rest.length} rest)`, await run(rest, WEIGHTS));
  await recordAll(learn);
  report(`after ${n} decisions`, await run(rest, WEIGHTS));
} else if (mode === 'pairs') {
  const rows = readRows(args[0] ?? 'classifier/eval/leaf-eval.jsonl');
  const firstOf = new Map<string, Row>();
  const rest: Row[] = [];
  for (const r of rows) {
    if (!firstOf.has(r.category)) firstOf.set(r.category, r);
    else rest.push(r);
  }
  const learn = [...firstOf.values()].filter((r) => rest.some((x) => x.category === r.category));
  report(`before (${rest.length} requests of ${learn.length} leaves)`, await run(rest, WEIGHTS));
  await recordAll(learn);
  report(`after one decision per leaf`, await run(rest, WEIGHTS));
} else if (mode === 'tune') {
  const rows = readRows(args[0] ?? 'classifier/leaf-tune.jsonl');
  let best = { acc: -1, w: DEFAULT_WEIGHTS };
  // TEMPERATURE_ONLY=1: keep the shipped weights, fit the temperature alone.
  for (const keyword of process.env.TEMPERATURE_ONLY ? [] : [0.7, 1, 1.4]) {
    for (const name of [0.3, 0.6, 1]) {
      for (const prior of [0.5, 0.9, 1.4]) {
        for (const other of [0, 0.8, 1.6]) {
          const w = { ...DEFAULT_WEIGHTS, keyword, name, prior, other };
          const results = await run(rows, w, 1);
          const acc = results.filter((x) => x.r.category === x.row.category).length / rows.length;
          if (acc > best.acc) {
            best = { acc, w };
            console.log(`tune: ${(acc * 100).toFixed(1)}% with ${JSON.stringify(w)}`);
          }
        }
      }
    }
  }
  // The temperature that minimises the negative log-likelihood of the right leaf.
  let bestT = { nll: Infinity, t: best.w.temperature };
  for (const t of [0.55, 0.8, 1.1, 1.5, 2, 2.5, 3, 4]) {
    const results = await run(rows, { ...best.w, temperature: t }, 300);
    const nll =
      -results.reduce((s, x) => s + Math.log(Math.max(x.r.top.find((y) => y.category === x.row.category)?.p ?? 0, 1e-4)), 0) / rows.length;
    if (nll < bestT.nll) bestT = { nll, t };
  }
  console.log(
    `tune: best ${JSON.stringify({ ...best.w, temperature: bestT.t })} (accuracy ${(best.acc * 100).toFixed(1)}%, NLL ${bestT.nll.toFixed(3)})`,
  );
} else {
  console.error('usage: bench/classifier-leaf.ts eval [FILE] | replay N [FILE] | tune [FILE]');
  process.exitCode = 2;
}
await db.close();
