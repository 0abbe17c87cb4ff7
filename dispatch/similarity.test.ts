import assert from 'node:assert/strict';
import { test } from 'node:test';
import { similarity } from './similarity.js';

test('similar reports of one problem score high, different problems low', () => {
  const a = '东湖新村5栋门口路灯坏了，晚上很黑';
  const b = '东湖新村5栋门口的路灯不亮了，晚上黑';
  const c = '小区楼下餐馆油烟扰民，每天中午很呛';
  assert.ok(similarity(a, b) > 0.5, `same lamp: ${similarity(a, b)}`);
  assert.ok(similarity(a, c) < 0.2, `different matters: ${similarity(a, c)}`);
  assert.equal(similarity(a, a), 1);
  assert.equal(similarity('', a), 0);
  assert.equal(similarity('，。！', '？'), 0, 'punctuation alone is nothing');
});
