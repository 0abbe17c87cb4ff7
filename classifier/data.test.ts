import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type LabelledText, nearDuplicateGroups, splitHoldout } from './data.js';

test('near-duplicates (token Jaccard ≥ 0.8) share a group; different messages do not', () => {
  const g = nearDuplicateGroups([
    { id: 'a', tokens: '小区 物业 乱 收费 停车费 业主 投诉 请求 处理 谢谢'.split(' ') },
    { id: 'b', tokens: '小区 物业 乱 收费 停车费 业主 投诉 请求 处理'.split(' ') },
    { id: 'c', tokens: '学校 补课 收费 家长 反映 教育局'.split(' ') },
    { id: 'd', tokens: '学校 食堂 卫生 问题'.split(' ') },
  ]);
  assert.equal(g.get('a'), g.get('b'));
  assert.notEqual(g.get('c'), g.get('a'));
  assert.notEqual(g.get('c'), g.get('d'));
});

test('the holdout is group-aware, stratified and the same on every run', () => {
  const rows: LabelledText[] = [];
  for (const category of ['甲', '乙', '丙']) {
    for (let i = 0; i < 100; i++) {
      const group = `${category}-seg-${i}`;
      rows.push({ id: group, text: `${category}${i}`, category, presegmented: true, group });
      // Every third message also exists in natural wording: its twin shares the group.
      if (i % 3 === 0) rows.push({ id: `${category}-raw-${i}`, text: `${category}${i}`, category, presegmented: false, group });
    }
  }
  const a = splitHoldout(rows, 0.2);
  const b = splitHoldout([...rows].reverse(), 0.2);
  assert.deepEqual(a.holdout.map((r) => r.id).sort(), b.holdout.map((r) => r.id).sort());
  const heldGroups = new Set(a.holdout.map((r) => r.group));
  assert.ok(
    a.train.every((r) => !heldGroups.has(r.group)),
    'no group on both sides',
  );
  for (const category of ['甲', '乙', '丙']) {
    const groups = new Set(a.holdout.filter((r) => r.category === category).map((r) => r.group));
    assert.equal(groups.size, 20, `20% of ${category}'s groups held out`);
  }
  assert.ok(a.holdout.some((r) => !r.presegmented) && a.train.some((r) => !r.presegmented));
});
