import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkEmergency } from './emergency.js';

// The rule changes of migration 0220 (the shipped defaults, as checkEmergency loads them).
test('a person who jumped into a river is 119, a threat to jump stays 110', () => {
  assert.equal(checkEmergency('河边有人跳河了，刚看见他跳下去的').line, '119');
  assert.equal(checkEmergency('我朋友打电话说他要去跳河').line, '110');
});

test('abduction into a car and a toxic gas leak are flagged; a thing hit by a car and a child found again are not', () => {
  assert.equal(checkEmergency('一个小女孩被硬拖上车开走了').line, '110');
  assert.equal(checkEmergency('厂里有个罐子在漏黄色的气体').line, '119');
  assert.equal(checkEmergency('小区的消防栓被车撞坏了一直没人修').is, false);
  assert.equal(checkEmergency('被车撞倒了，腿在流血').line, '120');
  assert.equal(checkEmergency('我儿子前天走丢了后来找到了，想表扬民警').is, false);
  assert.equal(checkEmergency('我儿子走丢了一个小时了').is, true);
});
