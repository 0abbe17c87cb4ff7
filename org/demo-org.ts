/**
 * The demo organisation: a fictional district (明德区) with its 12345 centre, functional
 * departments, streets, communities and grids. Department codes match the default
 * departments in default-catalogue.json.
 */
export interface UnitSeed {
  code: string;
  name: string;
  kind: 'centre' | 'district' | 'street' | 'community' | 'grid' | 'department';
  parent: string | null;
  aliases?: string[];
}

const departments: [string, string][] = [
  ['dept.housing', '区住房和城乡建设局'],
  ['dept.urban', '区城市管理和综合执法局'],
  ['dept.municipal', '区市政公用事业服务中心'],
  ['dept.sanitation', '区环境卫生管理所'],
  ['dept.greening', '区园林绿化中心'],
  ['dept.traffic_police', '市公安局交通警察支队明德大队'],
  ['dept.transport', '区交通运输局'],
  ['dept.ecology', '市生态环境局明德分局'],
  ['dept.education', '区教育局'],
  ['dept.culture', '区文化旅游体育局'],
  ['dept.hrss', '区人力资源和社会保障局'],
  ['dept.commerce', '区商务局'],
  ['dept.market', '区市场监督管理局'],
  ['dept.health', '区卫生健康局'],
  ['dept.emergency', '区应急管理局'],
  ['dept.civil', '区民政局'],
  ['dept.police', '明德公安分局'],
];

const streets: [string, string, [string, string][]][] = [
  [
    'street.chengguan',
    '城关街道',
    [
      ['community.nanmen', '南门社区'],
      ['community.beijie', '北街社区'],
      ['community.wenmiao', '文庙社区'],
    ],
  ],
  [
    'street.donghu',
    '东湖街道',
    [
      ['community.hubin', '湖滨社区'],
      ['community.donghuxincun', '东湖新村社区'],
    ],
  ],
  [
    'street.xinhua',
    '新华街道',
    [
      ['community.xinhualu', '新华路社区'],
      ['community.guangming', '光明社区'],
      ['community.jianshe', '建设社区'],
    ],
  ],
];

export function demoUnits(): UnitSeed[] {
  const units: UnitSeed[] = [
    { code: 'district', name: '明德区', kind: 'district', parent: null },
    { code: 'centre', name: '明德区12345政务服务便民热线中心', kind: 'centre', parent: 'district', aliases: ['12345热线中心'] },
  ];
  for (const [code, name] of departments) units.push({ code, name, kind: 'department', parent: 'district' });
  for (const [code, name, communities] of streets) {
    units.push({ code, name, kind: 'street', parent: 'district', aliases: [`${name.replace('街道', '')}街道办事处`] });
    for (const [ccode, cname] of communities) {
      units.push({ code: ccode, name: cname, kind: 'community', parent: code });
      ['第一网格', '第二网格'].forEach((g, i) => {
        units.push({ code: `${ccode.replace('community.', 'grid.')}.${i + 1}`, name: `${cname}${g}`, kind: 'grid', parent: ccode });
      });
    }
  }
  return units;
}

/** One demo login per role; the password is printed at start and in the README. */
export const DEMO_PASSWORD = 'hotline12345';
export const DEMO_USERS = [
  { username: 'agent', role: 'agent', displayName: '话务员 王芳', unit: 'centre' },
  { username: 'dispatcher', role: 'dispatcher', displayName: '派单员 李强', unit: 'centre' },
  { username: 'handler', role: 'handler', displayName: '城管执法局 张伟', unit: 'dept.urban' },
  { username: 'callback', role: 'callback', displayName: '回访员 刘洋', unit: 'centre' },
  { username: 'supervisor', role: 'supervisor', displayName: '值班长 陈静', unit: 'centre' },
  { username: 'admin', role: 'admin', displayName: '系统管理员', unit: 'centre' },
] as const;
