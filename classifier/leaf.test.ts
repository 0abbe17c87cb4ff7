import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildLeafIndex, type CatalogueNode, DEFAULT_WEIGHTS, neighbours, scoreLeaves } from './leaf.js';

const node = (code: string, name: string, parentCode: string | null, keywords: string[] = [], department: string | null = null) =>
  ({ id: null, code, name, parentCode, description: null, keywords, active: true, department }) satisfies CatalogueNode;

// A small catalogue in the shape of the shipped one: a top level the model knows (M05) and a
// city-management tree it does not (U), with their leaves.
const nodes: CatalogueNode[] = [
  node('M05', '劳动和社会保障', null, [], 'dept.hrss'),
  node('M0503', '工资福利', 'M05', ['拖欠工资', '欠薪', '工资']),
  node('M0502', '城镇职工社会保险', 'M05', ['社保', '五险一金']),
  node('M0507', '其他', 'M05'),
  node('U', '城市管理事项', null, [], 'dept.urban'),
  node('U06', '市容环境类', 'U'),
  node('U06029', '露天烧烤', 'U06', ['烧烤', '烧烤摊', '撸串']),
  node('U06028', '噪声扰民', 'U06', ['噪音', '吵']),
  node('U01', '市政公用设施类', 'U', [], 'dept.municipal'),
  node('U01037', '路灯异常', 'U01', ['路灯不亮', '黑漆漆']),
  node('U02', '交通设施类', 'U', [], 'dept.traffic_police'),
  node('U02004', '公交站设施异常', 'U02', ['公交站', '站台']),
];
const prior = new Map([['M05', 0.2]]);
const top = (text: string, index = buildLeafIndex(nodes, [], ['M05'])) => scoreLeaves(index, text, prior).scores[0]!;

test('leaves of both trees are proposed from their keywords and names, with their path and department', () => {
  const bbq = top('烧烤摊天天油烟熏人，希望城管来处理');
  assert.equal(bbq.code, 'U06029');
  assert.deepEqual(
    bbq.path.map((p) => p.code),
    ['U', 'U06', 'U06029'],
  );
  assert.equal(bbq.department, 'dept.urban', 'inherited from the top of its tree');
  assert.equal(top('路灯不亮好几天了').department, 'dept.municipal');
  assert.equal(top('单位拖欠工资三个月').code, 'M0503');
  // The name alone is a keyword (路灯异常 → 路灯): a category with no keywords still competes.
  assert.equal(top('门口的路灯坏了').code, 'U01037');
});

test('probabilities are a distribution, and the catch-all leaf wins when nothing specific is said', () => {
  const { scores } = scoreLeaves(buildLeafIndex(nodes, [], ['M05']), '我想反映一个问题', new Map([['M05', 0.9]]));
  const sum = scores.reduce((s, x) => s + x.p, 0);
  assert.ok(Math.abs(sum - 1) < 1e-9, `sum ${sum}`);
  assert.ok(scores.every((x, i) => i === 0 || x.p <= scores[i - 1]!.p));
  assert.equal(scores[0]!.path[0]!.code, 'M05', 'the model prior decides when no word does');
});

test('a place named as where something is, or inside a road name, is not what the caller reports', () => {
  // 公交站 is where the barbecue is; 建设路 is a road, not 建设.
  assert.equal(top('公交站旁边有人摆烧烤摊').code, 'U06029');
  const index = buildLeafIndex([...nodes, node('M0102', '城市建设', 'M05', ['建设'])], [], ['M05']);
  assert.notEqual(top('建设路上路灯不亮', index).code, 'M0102');
});

test('a category a site adds today is proposed for a text that names it, with no training', () => {
  const added = [...nodes, node('U06099', '电动车充电乱拉线', 'U06', ['飞线充电', '拉线充电'])];
  assert.equal(top('楼上有人从窗户飞线充电', buildLeafIndex(added, [], ['M05'])).code, 'U06099');
  // An inactive category is never proposed.
  const off = added.map((n) => (n.code === 'U06099' ? { ...n, active: false } : n));
  assert.notEqual(top('楼上有人从窗户飞线充电', buildLeafIndex(off, [], ['M05'])).code, 'U06099');
});

test("a dispatcher's correction changes the proposal for a similar text at once", () => {
  const text = '小区里有人在绿化带里种菜还搭了棚子';
  const before = top(text);
  assert.notEqual(before.code, 'M0502');
  // Say the site files this under 社会保险 (an odd choice, so that no keyword explains it).
  const index = buildLeafIndex(nodes, [{ text: '小区里有人在绿化带种菜，搭棚子', categoryCode: 'M0502', departmentCode: null }], ['M05']);
  assert.ok(neighbours(index, text, DEFAULT_WEIGHTS.minSimilarity).length === 1);
  assert.equal(top(text, index).code, 'M0502');
  // An unrelated text is not pulled along.
  assert.equal(top('烧烤摊太吵了', index).code !== 'M0502', true);
  // A correction filed under a category with children makes that category a candidate too.
  const toParent = buildLeafIndex(nodes, [{ text: '小区里有人在绿化带种菜，搭棚子', categoryCode: 'U06', departmentCode: null }], ['M05']);
  assert.equal(top(text, toParent).code, 'U06');
});
