/**
 * The domain LM builder: a model whose distributions sum to one, a mix that keeps both
 * models' words, and a rebuild that picks up a new street from the database (both engines).
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../app/config.js';
import { createTestDb, ENGINES } from '../db/testing.js';
import { type BackoffLm, mixLms, prob, readArpa, writeArpa } from './lm/arpa.js';
import { buildDomainLm, numberSentences } from './lm/build.js';
import { estimateLm } from './lm/estimate.js';
import { readLexicon, segmentSentence } from './lm/segment.js';
import { buildPinyinLm, rimeDictPath } from './pinyin/build.js';
import { asrPaths } from './settings.js';

const sumOver = (lm: BackoffLm, history: string[], vocab: string[]) => vocab.reduce((s, w) => s + prob(lm, history, w), 0);

test('an estimated trigram model and a mix of two models are proper distributions', async () => {
  const sentences = [
    ['小区', '门口', '占道', '经营'],
    ['小区', '门口', '噪音', '扰民'],
    ['噪音', '扰民', '严重'],
    ['小区', '物业', '不', '管'],
    ['小区', '门口', '占道', '经营'],
  ];
  const lm = estimateLm(sentences, 3, [1, 1, 1]);
  const vocab = [...(lm.orders[0]?.keys() ?? [])].filter((w) => w !== '<s>');
  for (const h of [[], ['小区'], ['小区', '门口'], ['<s>', '噪音'], ['物业', '门口']]) {
    assert.ok(Math.abs(sumOver(lm, h, vocab) - 1) < 1e-6, `sum after ${h.join(' ')}: ${sumOver(lm, h, vocab)}`);
  }
  assert.ok(prob(lm, ['小区', '门口'], '占道') > prob(lm, ['小区', '门口'], '严重'));
  const other = estimateLm(
    [
      ['一', '个', '小区'],
      ['一', '个', '门口'],
    ],
    3,
    [1, 1, 1],
  );
  const mixed = mixLms(lm, other, 0.7);
  const all = [...(mixed.orders[0]?.keys() ?? [])].filter((w) => w !== '<s>');
  assert.ok(all.includes('个') && all.includes('扰民'));
  for (const h of [[], ['小区'], ['一', '个'], ['小区', '门口']]) {
    assert.ok(Math.abs(sumOver(mixed, h, all) - 1) < 1e-3, `mixed sum after ${h.join(' ')}: ${sumOver(mixed, h, all)}`);
  }
  const file = join(mkdtempSync(join(tmpdir(), 'lm-')), 'x.arpa');
  assert.deepEqual(
    await writeArpa(mixed, file),
    mixed.orders.map((o) => o.size),
  );
  const back = await readArpa(file);
  assert.ok(Math.abs(prob(back, ['小区', '门口'], '占道') - prob(mixed, ['小区', '门口'], '占道')) < 1e-3);
  await assert.rejects(readArpa(join(import.meta.dirname, 'lm.test.ts')), /is not an ARPA language model/);
});

const values = loadConfig().values;
const dict = join(asrPaths(values).pocketsphinxModel, 'model/lm/zh_CN/mandarin_notone.dic');

test('segmentation keeps only words the acoustic model can pronounce', () => {
  const lex = readLexicon(dict);
  const pieces = segmentSentence('小区门口占道经营噪音扰民', lex);
  assert.ok(pieces.flat().every((w) => lex.has(w)));
  assert.equal(pieces.flat().join(''), '小区门口占道经营噪音扰民');
  // Spoken numbers: the generated sentences use the digit words the dictionary has (幺 included).
  assert.ok(numberSentences(20).every((s) => segmentSentence(s, lex).flat().join('') === s));
});

for (const engine of ENGINES) {
  test(`build-lm (${engine}): a street added to the organisation is in the rebuilt LM`, async () => {
    const db = await createTestDb(engine);
    try {
      const shared = mkdtempSync(join(tmpdir(), 'lm-shared-'));
      mkdirSync(join(shared, 'text', 'mini'), { recursive: true });
      writeFileSync(
        join(shared, 'text', 'mini', 'train.jsonl'),
        `${JSON.stringify({ text: '小区门口有人占道经营，噪音扰民，请城管处理。电话13858231743' })}\n${JSON.stringify({ text: '物业不作为，楼道堆放杂物。' })}\n`,
      );
      const models = mkdtempSync(join(tmpdir(), 'lm-models-'));
      const v = loadConfig({ SHARED_DIR: shared, MODELS_DIR: models, POCKETSPHINX_MODEL_PATH: asrPaths(values).pocketsphinxModel }).values;
      await db.query(`INSERT INTO org_units (code, name, kind) VALUES ('street.test', '梧桐坡街道', 'street')`);
      // Weight 1: the domain model alone, so the test does not spend its time mixing the generic LM.
      const report = await buildDomainLm(v, { db, weight: 1 });
      assert.equal(report.out, join(models, 'asr', 'lm', 'hotline.arpa'));
      const lm = await readArpa(report.out);
      const lex = readLexicon(dict);
      const street = segmentSentence('梧桐坡街道', lex)[0] as string[];
      assert.ok(street.length >= 2);
      assert.ok(lm.orders[1]?.has(`${street[0]} ${street[1]}`), `bigram of the new street ${street.join(' ')}`);
      assert.ok(lm.orders[0]?.has('扰民') && lm.orders[0]?.has('幺'));
      assert.match(report.summary, /wrote .*hotline\.arpa: \d+ 1-grams, \d+ 2-grams, \d+ 3-grams/);
      assert.ok(readFileSync(join(models, 'asr', 'lm', 'text-corpus.cache'), 'utf8').includes('扰民'));

      // The sherpa engine's converter: the new street, and its name without 街道, are site words.
      const realDict = rimeDictPath(values);
      assert.ok(realDict, 'the pinyin dictionary (SHARED_DIR/models/rime-pinyin-simp-dict)');
      mkdirSync(join(shared, 'models', 'rime-pinyin-simp-dict'), { recursive: true });
      copyFileSync(realDict, join(shared, 'models', 'rime-pinyin-simp-dict', 'pinyin_simp.dict.yaml'));
      const pinyinReport = await buildPinyinLm(v, { db });
      const lexicon = readFileSync(join(pinyinReport.dir, 'pinyin-lexicon.tsv'), 'utf8');
      assert.match(lexicon, /^梧桐坡街道\twu2 tong2 po1 jie1 dao4\t.*\tsite$/m);
      assert.match(lexicon, /^梧桐坡\t.*\tsite$/m);
    } finally {
      await db.destroy();
    }
  });
}
