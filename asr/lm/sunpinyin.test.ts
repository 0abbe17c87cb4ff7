/**
 * The sunpinyin trigram reader on the model Debian installs (sunpinyin-data); skipped where
 * the package is absent, since its CC BY-SA data may not be committed as a fixture. The
 * expected figures were cross-checked against `tslminfo -v -p lm_sc.t3g` (sunpinyin-utils).
 */
import assert from 'node:assert/strict';
import { closeSync, existsSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type NgramTables, readSunpinyinLm, SUNPINYIN_DIR } from './sunpinyin.js';

const LM = join(SUNPINYIN_DIR, 'lm_sc.t3g');
const DICT = join(SUNPINYIN_DIR, 'pydict_sc.bin');
const installed = existsSync(LM) && existsSync(DICT);
const SKIP = `sunpinyin-data is not installed (${SUNPINYIN_DIR}); apt-get install sunpinyin-data to run this test`;
const lm: NgramTables | undefined = installed ? readSunpinyinLm() : undefined;

function header(path: string, bytes: number): Buffer {
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(bytes);
  try {
    readSync(fd, buf, 0, bytes, 0);
  } finally {
    closeSync(fd);
  }
  return buf;
}

/** Relative closeness of a log10 value to a probability as tslminfo prints it (12 decimals). */
const near = (log10p: number | undefined, p: number, what: string) =>
  assert.ok(Math.abs(10 ** (log10p as number) - p) <= 1e-5 * p, `${what}: ${10 ** (log10p as number)} vs ${p}`);

function bigram(m: NgramTables, a: number, b: number): number {
  for (let lo = 0, hi = m.bi.w1.length; lo < hi; ) {
    const mid = (lo + hi) >>> 1;
    const d = (m.bi.w1[mid] as number) - a || (m.bi.w2[mid] as number) - b;
    if (d === 0) return mid;
    if (d < 0) lo = mid + 1;
    else hi = mid;
  }
  return -1;
}

test('the counts per order match the model header and the tables are sorted', (t) => {
  if (!lm) return t.skip(SKIP);
  const h = header(LM, 24);
  // Each level size counts one pseudo tail node.
  const [uni, bi, tri] = [12, 16, 20].map((at) => h.readUInt32LE(at) - 1) as [number, number, number];
  assert.deepEqual([uni, bi, tri], [71759, 2500000, 1000000]);
  // Own unigrams are at least 2e-9; lexicon words without one get the 0-gram floor (~6e-13).
  assert.equal(
    lm.uni.logp.reduce((n, v) => n + (v > -10 ? 1 : 0), 0),
    uni,
  );
  assert.equal(lm.bi.w1.length, bi);
  assert.equal(lm.tri.w1.length, tri);
  assert.equal(lm.words.length, header(DICT, 4).readUInt32LE(0));
  for (let j = 1; j < bi; j++) {
    const d = (lm.bi.w1[j] as number) - (lm.bi.w1[j - 1] as number) || (lm.bi.w2[j] as number) - (lm.bi.w2[j - 1] as number);
    if (d <= 0) assert.fail(`bigram ${j} out of order`);
  }
  for (let k = 1; k < tri; k++) {
    const d =
      (lm.tri.w1[k] as number) - (lm.tri.w1[k - 1] as number) ||
      (lm.tri.w2[k] as number) - (lm.tri.w2[k - 1] as number) ||
      (lm.tri.w3[k] as number) - (lm.tri.w3[k - 1] as number);
    if (d <= 0) assert.fail(`trigram ${k} out of order`);
  }
});

test('known words and probabilities match tslminfo, and a context sums to one', (t) => {
  if (!lm) return t.skip(SKIP);
  const id = new Map(lm.words.map((w, i) => [w, i]));
  assert.equal(id.get('的'), 4886);
  assert.equal(id.get('了'), 12116);
  assert.equal(id.get('吃饭'), 30542);
  assert.equal(lm.words[0], '', 'id 0 is the non-word token');
  assert.equal(lm.words[70], '', 'punctuation has no text');
  near(lm.uni.logp[4886], 0.037544842809, 'p(的)');
  near(lm.uni.bow[4886], 1.145192980766, 'bow(的)');
  near(lm.uni.logp[0], 0.124542720616, 'p(non-word)');
  const j = bigram(lm, 30542, 12116);
  assert.ok(j >= 0, 'bigram 吃饭 了');
  near(lm.bi.logp[j], 0.051001504064, 'p(了|吃饭)');
  near(lm.bi.bow[j], 0.774166405201, 'bow(吃饭 了)');
  const k = lm.tri.w1.findIndex((w1, i) => w1 === id.get('随着') && lm.tri.w2[i] === id.get('中医') && lm.tri.w3[i] === 4886);
  assert.ok(k >= 0, 'trigram 随着 中医 的');
  near(lm.tri.logp[k], 0.871885478497, 'p(的|随着 中医)');

  // sum over the vocabulary of p(w | 的), backing off as ARPA defines.
  const h = 4886;
  let sum = 0;
  for (let w = 0; w < lm.words.length; w++) {
    const b = bigram(lm, h, w);
    sum += 10 ** (b >= 0 ? (lm.bi.logp[b] as number) : (lm.uni.bow[h] as number) + (lm.uni.logp[w] as number));
  }
  assert.ok(Math.abs(sum - 1) < 1e-4, `sum p(w|的) = ${sum}`);
});

test('a missing or malformed model is refused with the file, the offset and the fix', () => {
  // Needs no installed package: the malformed file is a made-up header, not sunpinyin data.
  const dir = mkdtempSync(join(tmpdir(), 'sunpinyin-'));
  try {
    assert.throws(() => readSunpinyinLm(dir), /lm_sc\.t3g is missing.*apt-get install sunpinyin-data/);
    const fake = Buffer.alloc(4096);
    for (const [i, v] of [3, 0, 2, 10, 10, 10].entries()) fake.writeUInt32LE(v, 4 * i);
    writeFileSync(join(dir, 'lm_sc.t3g'), fake);
    assert.throws(() => readSunpinyinLm(dir), /lm_sc\.t3g is malformed at byte offset 8: level sizes 2, 10, 10, 10 imply/);
    fake.writeUInt32LE(4, 0);
    writeFileSync(join(dir, 'lm_sc.t3g'), fake);
    assert.throws(() => readSunpinyinLm(dir), /lm_sc\.t3g is malformed at byte offset 0: order 4/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
