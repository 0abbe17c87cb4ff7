/**
 * Speed of the leaf proposer as a site's decisions pile up: the index built from the 300
 * shipped leaves and N dispatcher decisions (Teddy messages cut to 200 characters, spread over
 * the leaves), then the scoring of 50 texts, and the nearest-decision search alone.
 *
 * Run: node --import tsx bench/classifier-leaf-speed.ts
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildLeafIndex, neighbours, scoreLeaves } from '../classifier/leaf.js';
import { defaultCatalogue, shippedCategoryWords } from '../org/index.js';

const w = shippedCategoryWords();
const nodes = defaultCatalogue().map((c) => ({
  id: null,
  code: c.code,
  name: c.name,
  parentCode: c.parent,
  description: w.get(c.code)?.description ?? null,
  keywords: w.get(c.code)?.keywords ?? [],
  active: true,
  department: c.department ?? null,
}));
const texts = readFileSync(join(process.env.SHARED_DIR ?? '../shared', 'text/teddy2020c-raw/train.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l).text as string);
const leaves = nodes.filter((n) => !nodes.some((m) => m.parentCode === n.code)).map((n) => n.code);
for (const n of [0, 1000, 5000]) {
  const ex = Array.from({ length: n }, (_, i) => ({
    text: texts[i % texts.length]!.slice(0, 200),
    categoryCode: leaves[i % leaves.length]!,
    departmentCode: null,
  }));
  let t = performance.now();
  const idx = buildLeafIndex(nodes, ex, ['M01', 'M02', 'M03', 'M04', 'M05', 'M06', 'M07']);
  const build = performance.now() - t;
  t = performance.now();
  for (let i = 0; i < 50; i++) scoreLeaves(idx, texts[i]!.slice(0, 200), new Map([['M01', 0.5]]));
  console.log(n, 'examples: build', build.toFixed(0), 'ms; score', ((performance.now() - t) / 50).toFixed(2), 'ms');
}
{
  const ex = Array.from({ length: 5000 }, (_, i) => ({
    text: texts[i % texts.length]!.slice(0, 200),
    categoryCode: leaves[i % leaves.length]!,
    departmentCode: null,
  }));
  const idx = buildLeafIndex(nodes, ex, ['M01']);
  let t = performance.now();
  for (let i = 0; i < 50; i++) neighbours(idx, texts[i]!.slice(0, 200), 0.3);
  console.log('neighbours', ((performance.now() - t) / 50).toFixed(2), 'ms');
  const noEx = { ...idx, examples: [], postings: new Map(), learned: new Map() };
  t = performance.now();
  for (let i = 0; i < 50; i++) scoreLeaves(noEx, texts[i]!.slice(0, 200), new Map([['M01', 0.5]]));
  console.log('score without neighbours', ((performance.now() - t) / 50).toFixed(2), 'ms');
}
