/**
 * Rebuilds org/default-catalogue.json, the product's default category catalogue, from
 * the category lists in ../shared/taxonomy (see its SOURCES.md):
 *   - the 7 first-level citizen-message classes that occur in the labelled data, with
 *     their second level (2020 Teddy Cup C, 附件1);
 *   - the urban-management matters (管理事项) of GB/T 47678.5-2026, under one top node.
 * Default departments and deadlines are this product's own choices (the sources give
 * none); they are the starting point a site edits in its routing catalogue.
 *
 * Run: node --import tsx scripts/build-catalogue.ts [SHARED_DIR]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const shared = process.argv[2] ?? process.env.SHARED_DIR ?? '../shared';
const out = new URL('../org/default-catalogue.json', import.meta.url);

interface TeddyNode {
  path: string;
  name: string;
  parent: string | null;
  level: number;
}
interface UrbanNode {
  code: string;
  name: string;
  parent: string | null;
  kind?: string;
  standard_code?: string;
  department?: string;
}
interface Entry {
  code: string;
  name: string;
  parent: string | null;
  department?: string;
  deadline?: { value: number; unit: 'hours' | 'workdays' };
  source: string;
}

const MESSAGE_CLASSES: Record<string, { dept: string; days: number }> = {
  城乡建设: { dept: 'dept.housing', days: 5 },
  环境保护: { dept: 'dept.ecology', days: 5 },
  交通运输: { dept: 'dept.transport', days: 5 },
  教育文体: { dept: 'dept.education', days: 5 },
  劳动和社会保障: { dept: 'dept.hrss', days: 5 },
  商贸旅游: { dept: 'dept.commerce', days: 5 },
  卫生计生: { dept: 'dept.health', days: 5 },
};
// Second-level classes that another department handles, or that cannot wait five days.
const SECOND_LEVEL: Record<string, { dept?: string; days?: number; hours?: number }> = {
  '城乡建设/城市建设和市政管理': { dept: 'dept.urban' },
  '城乡建设/安全生产': { dept: 'dept.emergency', days: 2 },
  '教育文体/体育': { dept: 'dept.culture' },
  '教育文体/文化': { dept: 'dept.culture' },
  '教育文体/文物管理': { dept: 'dept.culture' },
  '劳动和社会保障/工资福利': { days: 3 },
  '商贸旅游/旅游管理': { dept: 'dept.culture' },
  '商贸旅游/市场监管': { dept: 'dept.market' },
  '商贸旅游/质监检验检疫': { dept: 'dept.market' },
  '卫生计生/食品药品监管': { dept: 'dept.market', days: 3 },
  '卫生计生/公共卫生': { days: 2 },
};
const URBAN_DEPARTMENTS: Record<string, string> = {
  市政公用部门: 'dept.municipal',
  交通管理部门: 'dept.traffic_police',
  环卫部门: 'dept.sanitation',
  园林绿化部门: 'dept.greening',
  城市管理部门: 'dept.urban',
};
// Urban matters by 大类: street-order and construction nuisances are handled within a day.
const URBAN_DEADLINES: Record<string, { value: number; unit: 'hours' | 'workdays' }> = {
  '06': { value: 2, unit: 'workdays' },
  '07': { value: 3, unit: 'workdays' },
  '08': { value: 24, unit: 'hours' },
  '09': { value: 24, unit: 'hours' },
};

const teddy: TeddyNode[] = JSON.parse(readFileSync(join(shared, 'taxonomy/teddy2020c-message-labels.json'), 'utf8'));
const urban: UrbanNode[] = JSON.parse(readFileSync(join(shared, 'taxonomy/gbt47678.5-2026-urban-management.json'), 'utf8'));

const entries: Entry[] = [];
const teddySource = 'Teddy Cup 2020 C, 附件1';
Object.entries(MESSAGE_CLASSES).forEach(([name, rule], i) => {
  const code = `M${String(i + 1).padStart(2, '0')}`;
  entries.push({ code, name, parent: null, department: rule.dept, deadline: { value: rule.days, unit: 'workdays' }, source: teddySource });
  const children = teddy.filter((n) => n.level === 2 && n.parent === name);
  if (!children.length) throw new Error(`No second level for ${name} in the Teddy list`);
  children.forEach((c, j) => {
    const o = SECOND_LEVEL[c.path] ?? {};
    const deadline = o.hours
      ? { value: o.hours, unit: 'hours' as const }
      : o.days
        ? { value: o.days, unit: 'workdays' as const }
        : undefined;
    entries.push({
      code: `${code}${String(j + 1).padStart(2, '0')}`,
      name: c.name,
      parent: code,
      department: o.dept,
      deadline,
      source: teddySource,
    });
  });
});

const std = 'GB/T 47678.5-2026';
entries.push({
  code: 'U',
  name: '城市管理事项',
  parent: null,
  department: 'dept.urban',
  deadline: { value: 3, unit: 'workdays' },
  source: std,
});
for (const group of urban.filter((n) => n.parent === '事项')) {
  const g = group.code.slice(-2);
  entries.push({
    code: `U${g}`,
    name: group.name,
    parent: 'U',
    department: group.department ? URBAN_DEPARTMENTS[group.department] : undefined,
    deadline: URBAN_DEADLINES[g],
    source: std,
  });
  for (const m of urban.filter((n) => n.parent === group.code && n.kind === '管理事项')) {
    // A missing manhole cover or a fallen cable endangers people now, not in three days.
    const urgent = /井盖|架空线缆|燃气|窨井/.test(m.name);
    entries.push({
      code: `U${m.standard_code}`,
      name: m.name,
      parent: `U${g}`,
      deadline: urgent ? { value: 4, unit: 'hours' } : undefined,
      source: std,
    });
  }
}

writeFileSync(out, `${JSON.stringify(entries, null, 1)}\n`);
console.log(`wrote ${entries.length} categories to ${out.pathname}`);
