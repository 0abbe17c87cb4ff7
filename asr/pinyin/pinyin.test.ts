/**
 * The pinyin converter: the recognizer's tokens grouped into syllables, spoken numbers,
 * conversion of known pinyin (the language model's share of the errors, apart from the
 * recognizer's), incremental partials, and site vocabulary that takes effect on a rebuild
 * without a restart. Real lexicon and language models, built from SHARED_DIR into a
 * temporary MODELS_DIR.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pinyin } from 'pinyin-pro';
import { loadConfig } from '../../app/config.js';
import { cerCounts } from '../cer.js';
import { buildPinyinLm, rimeDictPath, siteWordsOf } from './build.js';
import { digitRunMask } from './decoder.js';
import { PinyinDecoderCache } from './load.js';
import { looseKey, parseNumbered, tokensToSyllables } from './syllables.js';

const heard = (text: string) => (pinyin(text, { type: 'array', toneType: 'num', v: true }) as string[]).map(parseNumbered);

test('tokens of initials and tonal finals become syllables with tones', () => {
  const { syllables, lastToken } = tokensToSyllables(['x', 'iǎng', 't', 'īng', 'n', 'ǚ', 'j', 'ué', 'd', 'e', 'ài', 'A', '<unk>']);
  assert.deepEqual(
    syllables.map((s) => `${s.base}${s.tone}`),
    ['xiang3', 'ting1', 'nv3', 'jue2', 'de5', 'ai4'],
  );
  assert.deepEqual(lastToken, [1, 3, 5, 7, 9, 10]);
  assert.equal(looseKey('zhang'), looseKey('zan'));
  assert.equal(looseKey('nong'), looseKey('long'));
  assert.notEqual(looseKey('ri'), looseKey('li'));
});

test('a spoken phone number inside a sentence is marked as digits, short digit words are not', () => {
  const s = heard('我的电话是一三八五八二三一七四三谢谢');
  const mask = digitRunMask(s);
  assert.deepEqual(mask.slice(5, 16), Array(11).fill(true));
  assert.ok(!mask.slice(0, 5).some(Boolean) && !mask.slice(16).some(Boolean));
  assert.ok(!digitRunMask(heard('一个人三天没回家')).some(Boolean));
});

const values = loadConfig().values;
const shared = existsSync(join(values.SHARED_DIR, 'text')) && rimeDictPath(values);

test('site words: places without their 街道/社区 suffix, categories split, short extra lines', () => {
  const words = siteWordsOf(['塘西河社区', '幸福路街道'], ['占道经营、流动摊贩'], ['枫溪塘', '这是一行很长的句子不算一个词语的']);
  assert.deepEqual(words.sort(), ['占道经营', '塘西河', '塘西河社区', '幸福路', '幸福路街道', '枫溪塘', '流动摊贩'].sort());
});

test('conversion of known pinyin, incremental partials, and site vocabulary after a rebuild', {
  skip: !shared && 'needs SHARED_DIR/text and the pinyin dictionary',
}, async () => {
  const models = mkdtempSync(join(tmpdir(), 'pinyin-'));
  const v = loadConfig({ MODELS_DIR: models }).values;
  const report = await buildPinyinLm(v);
  assert.match(report.summary, /words .*site words.*hotline trigram/);
  const cache = new PinyinDecoderCache(report.dir);
  const decoder = await cache.current();

  // Citizen requests as agents hear them; the converter alone, on the right pinyin.
  const requests = [
    '我要投诉楼下烧烤摊的油烟',
    '锦绣苑小区门口的井盖丢了',
    '路灯坏了好几天了',
    '老板拖欠工资三个月了',
    '我的电话是一三八五八二三一七四三',
    '晚上工地施工噪音太大了',
    '小区物业不作为',
    '我想咨询一下社保怎么办理',
  ];
  let errors = 0;
  let chars = 0;
  for (const r of requests) {
    const c = cerCounts(r, decoder.convert(heard(r)));
    errors += c.errors;
    chars += c.chars;
  }
  assert.ok(errors / chars <= 0.05, `CER on known pinyin ${((100 * errors) / chars).toFixed(1)} %`);
  assert.equal(decoder.convert(heard('我的电话是一三八五八二三一七四三')), '我的电话是一三八五八二三一七四三');

  // Partials: each update converts what was heard so far; the last equals the whole conversion.
  const whole = heard('老板拖欠工资三个月了');
  const conv = decoder.start();
  let last = '';
  for (let n = 1; n <= whole.length; n++) last = conv.update(whole.slice(0, n));
  assert.equal(last, decoder.convert(whole));
  // A revised earlier syllable is converted again from there.
  assert.equal(conv.update(heard('老板拖欠工资三个月')), decoder.convert(heard('老板拖欠工资三个月')));

  // A place the general sources do not know comes out in other characters ...
  const place = '我住在枫溪塘社区三号楼';
  assert.notEqual(decoder.convert(heard(place)), place);
  // ... until the site names it; the cache loads the rebuilt converter on its next use.
  mkdirSync(report.dir, { recursive: true });
  writeFileSync(join(report.dir, 'extra.txt'), '枫溪塘社区\n');
  await new Promise((r) => setTimeout(r, 20));
  await buildPinyinLm(v);
  const rebuilt = await cache.current();
  assert.notEqual(rebuilt, decoder);
  assert.equal(rebuilt.convert(heard(place)), place);
});
