/**
 * The place of the matter, as the caller said it: 新华路八十八号, 东湖新村五栋二单元三零二,
 * 人民医院门口, 建设路和光明路交叉口. Addresses are found as components (a named road, estate
 * or building; a number with its 号/栋/单元/室; a landmark word) chained when only a 的, a
 * 和, a filler or a segment boundary separates them. Names have no spaces to end them, so a
 * name runs back from its suffix until a word that cannot be part of a place name.
 */
import { FILLERS, fillerAt, isAgentAt, SEP, type Stream } from './stream.js';

type Kind = 'road' | 'area' | 'admin' | 'poi' | 'number' | 'building' | 'unit' | 'room' | 'landmark' | 'section';

interface Component {
  kind: Kind;
  start: number;
  end: number;
  /** A named road, estate, place or landmark (not just a number or 门口). */
  named: boolean;
}

const byLength = (xs: string[]) => [...xs].sort((a, b) => b.length - a.length);
/** 弄 only numbered (123弄): a named one is rarer than 弄丢, 弄好. */
const ROAD = ['大道', '大街', '胡同', '路', '街', '巷'];
const AREA = [
  '街道办事处',
  '街道',
  '社区',
  '小区',
  '新村',
  '花园',
  '花苑',
  '家园',
  '公寓',
  '大厦',
  '广场',
  '大院',
  '山庄',
  '苑',
  '城',
  '村',
  '镇',
  '乡',
];
/** Suffixes whose one-character names are real (翠苑, 北广场) or which end shorter ones (桂花苑 is 桂花 + 苑). */
const SHORTER: Record<string, string> = { 花苑: '苑', 新村: '村' };
const ONE_CHAR_NAME_OK = new Set(['苑']);
/** Places that name themselves: 在火车站, 火车站北广场. */
const SELF_NAMED = new Set(['火车站', '汽车站', '高铁站', '机场']);
/** 明德区, ...县: only in front of another component (区 alone is 小区's, 这个区's). */
const ADMIN = ['区', '县'];
/** Buildings that are places only when the caller says so: 在人民医院, 人民医院门口, 新华路的超市. */
const POI = [
  '高铁站',
  '机场',
  '农贸市场',
  '菜市场',
  '市场',
  '医院',
  '卫生院',
  '诊所',
  '学校',
  '小学',
  '中学',
  '大学',
  '幼儿园',
  '超市',
  '商场',
  '公园',
  '银行',
  '酒店',
  '宾馆',
  '饭店',
  '地铁站',
  '公交站',
  '火车站',
  '汽车站',
  '加油站',
  '停车场',
  '写字楼',
  '大楼',
  '体育馆',
  '图书馆',
  '派出所',
  '菜场',
];
const KIND_OF = new Map<string, Kind>([
  ...ROAD.map((s) => [s, 'road'] as const),
  ...AREA.map((s) => [s, 'area'] as const),
  ...ADMIN.map((s) => [s, 'admin'] as const),
  ...POI.map((s) => [s, 'poi'] as const),
]);
const NAMED_SUFFIX = new RegExp(byLength([...KIND_OF.keys()]).join('|'), 'g');
const MAX_NAME: Record<string, number> = { road: 6, area: 8, admin: 4, poi: 8 };

const NUM = '[0-9零〇一二两三四五六七八九十百千幺洞]+';
const DIGITS_ONLY = /^[0-9零〇一二两三四五六七八九十百千幺洞]+$/;
const NUMBERED = new RegExp(`第?(?:${NUM}|[A-Za-z])(号楼|号院|号门(?!口)|单元|网格|栋|幢|座|号|室|层|楼|期|组|弄|巷|排|户|区)`, 'g');
const NUMBER_KIND: Record<string, Kind> = {
  号楼: 'building',
  号院: 'number',
  号门: 'number',
  单元: 'unit',
  网格: 'area',
  栋: 'building',
  幢: 'building',
  座: 'building',
  号: 'number',
  室: 'room',
  层: 'room',
  楼: 'room',
  期: 'building',
  组: 'number',
  区: 'building',
  弄: 'number',
  巷: 'number',
  排: 'number',
  户: 'room',
};
const LANDMARK = new RegExp(
  `(?:十字路口|丁字路口|交叉口|路口|附近|门口|对面|旁边|边上|楼下|楼上|后面|前面|背后|拐角|东侧|西侧|南侧|北侧|东门|西门|南门|北门|大门|出口|入口|顶楼|楼顶)(?:(?:往|向)?[东西南北](?:边)?${NUM}(?:米|公里))?`,
  'g',
);
const SECTION = /^[东西南北中]段/;

/** Characters that never sit inside a place name: pronouns, particles, common verbs. */
const STOP_CHARS = new Set([
  ...'在住是的了我你他她它们这那就说想要问把被给让往从到去对呢吧吗啊呃嗯哦哎喂诶额唉么个有也还又很没不请您叫打过',
]);
/** Words that end a name when scanning back from its suffix. */
const STOP_WORDS = byLength([
  '地址',
  '位于',
  '这边',
  '那边',
  '这里',
  '那里',
  '我家',
  '你家',
  '他家',
  '她家',
  '家里',
  '家住',
  '人家',
  '都是',
  '一下',
  '一个',
  '一家',
  '一条',
  '反映',
  '投诉',
  '举报',
  '咨询',
  '经过',
  '路过',
  '靠近',
  '然后',
  '或者',
  '因为',
  '但是',
  '现在',
  '今天',
  '昨天',
  '晚上',
  '早上',
  '每天',
  '一直',
  '已经',
  '好像',
  '应该',
  '刚才',
  '附近',
  '旁边',
  '对面',
  '门口',
  '楼下',
  '后面',
  '前面',
  '里面',
  '什么',
  '有人',
  '居民',
  '业主',
  '城管',
  '公司',
  '单位',
  '工作',
  ...FILLERS,
]);
/** 走路, 马路, 路灯...: the suffix is part of an ordinary word, not a name. */
const NOT_A_ROAD = new Set([
  ...'马走道公铁线出思半迷带让修过问绕顺封占堵挡拦岔套字叉'.split('').map((c) => `${c}路`),
  ...'逛上沿临满过当扫'.split('').map((c) => `${c}街`),
]);
/** Suffix words that are not places when followed by these: 广场舞, 市场监管. */
const NOT_A_PLACE_AFTER: Record<string, RegExp> = {
  广场: /^舞/,
  市场: /^(监管|价|经济|上)/,
  大学: /^生/,
  小学: /^生/,
  中学: /^生/,
  城: /^(市|管|里|区|乡|墙|镇)/,
  路: /^(灯|面|况|费|线|牌|障|由|径)/,
};
/** Words before an address that say "this is where". */
const PLACE_CUE = /(住在|住|在|地址是|地址|位于|位置是|位置在|地点是|地点在|就在|家在|到)$/;
const CONNECTOR = /^(的|和|跟|与|及|、|，|,)?$/;

function isCjk(c: string | undefined): boolean {
  return c !== undefined && /[\u3400-\u9fff]/.test(c);
}

/** Start of the name before a suffix at `at`, scanning back no further than `floor`. */
function nameStart(text: string, at: number, floor: number, maxLen: number): number {
  let start = at;
  for (let i = at - 1; i >= Math.max(floor, at - maxLen); i--) {
    const c = text[i] as string;
    if (!isCjk(c) && !/[0-9A-Za-z]/.test(c)) break;
    if (STOP_WORDS.some((w) => text.startsWith(w, i + 1 - w.length) && i + 1 - w.length >= floor)) break;
    if (STOP_CHARS.has(c)) break;
    start = i;
  }
  return start;
}

function findComponents(st: Stream): Component[] {
  const t = st.text;
  const raw: Component[] = [];
  for (const m of t.matchAll(NUMBERED)) {
    const start = m.index ?? 0;
    let end = start + m[0].length;
    const suffix = m[1] as string;
    if (suffix === '号' && /[月今明昨前后几]$/.test(t.slice(0, start))) continue; // a date: 五月十二号
    if (suffix === '号' && /^(线|那天|晚上|早上|上午|下午|中午|凌晨)/.test(t.slice(end))) continue;
    // 二十号楼下 is No. 20's downstairs: keep 下/上 with the 楼 it belongs to.
    if (m[0].endsWith('楼') && /^[下上]/.test(t.slice(end))) end += t[end + 1] === '面' ? 2 : 1;
    raw.push({ kind: NUMBER_KIND[suffix] ?? 'number', start, end, named: false });
  }
  for (const m of t.matchAll(LANDMARK)) {
    const start = m.index ?? 0;
    raw.push({ kind: 'landmark', start, end: start + m[0].length, named: false });
  }
  raw.sort((a, b) => a.start - b.start);

  // Named components: the name's floor is the end of whatever component comes before it.
  const named: Component[] = [];
  for (const m of t.matchAll(NAMED_SUFFIX)) {
    const at = m.index ?? 0;
    const suffix = m[0];
    const kind = KIND_OF.get(suffix) as Kind;
    const end = at + suffix.length;
    if (NOT_A_PLACE_AFTER[suffix]?.test(t.slice(end))) continue;
    if (raw.some((c) => c.kind !== 'landmark' && c.start <= at && c.end >= end)) continue; // 一百二十号院's 院 is not 大院
    // Landmark words can be part of a name (南门社区), so only numbers and names bound it.
    // A nameless 城 or 小区 does not bound one either (城南大道, 城关街道).
    const prev = [...raw.filter((c) => c.kind !== 'landmark'), ...named.filter((c) => c.named)]
      .filter((c) => c.end <= at)
      .reduce((x, c) => Math.max(x, c.end), 0);
    const segFloor = t.lastIndexOf(SEP, at - 1) + 1;
    let start = nameStart(t, at, Math.max(prev, segFloor), MAX_NAME[kind] ?? 6);
    // 新华路和建设路: the 和 joins two roads, it is not the second one's first character.
    if (start === prev && prev > 0 && /[和跟与及]/.test(t[start] ?? '') && end - start > suffix.length + 1) start++;
    let name = t.slice(start, at);
    let suffixAt = at;
    const shorter = SHORTER[suffix];
    if (shorter && name.length < 2) {
      // 桂花苑: the 花 of 花苑 was the name's.
      start = nameStart(t, at + suffix.length - shorter.length, Math.max(prev, segFloor), MAX_NAME[kind] ?? 6);
      suffixAt = at + suffix.length - shorter.length;
      name = t.slice(start, suffixAt);
    }
    const oneCharOk = (name.length === 1 && (ONE_CHAR_NAME_OK.has(shorter ?? suffix) || /[东西南北]/.test(name))) || SELF_NAMED.has(suffix);
    if (oneCharOk) {
      named.push({ kind, start, end, named: true });
      continue;
    }
    if (kind === 'road' && (name.length < 2 || DIGITS_ONLY.test(name) || NOT_A_ROAD.has(`${name.slice(-1)}${suffix}`))) continue;
    if (kind === 'road' && suffix === '街' && t.startsWith('道', end)) continue;
    if ((kind === 'admin' || kind === 'area') && name.length < 2) {
      // A nameless 小区 or 社区 right after a named road or estate is that one's: 新华路社区, 阳光花园小区.
      const before = named[named.length - 1];
      if (name.length === 0 && before && before.end === at && (before.kind === 'road' || before.kind === 'area')) {
        before.end = end;
        before.kind = 'area';
        continue;
      }
      if (kind === 'admin') continue;
      named.push({ kind, start: at, end, named: false });
      continue;
    }
    if (kind === 'poi' && name.length < 2) {
      named.push({ kind, start: at, end, named: false });
      continue;
    }
    named.push({ kind, start, end, named: true });
  }
  // A landmark inside a name (南门社区's 南门) is part of the name.
  const all = [...named, ...raw.filter((c) => !named.some((n) => n.start < c.end && c.start < n.end))];
  all.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Component[] = [];
  for (const c of all) {
    const last = out[out.length - 1];
    if (last && c.start < last.end) continue;
    out.push(c);
  }
  // 新华路东段; 人民路口
  for (const c of out) {
    if (c.kind !== 'road') continue;
    if (SECTION.test(t.slice(c.end))) out.push({ kind: 'section', start: c.end, end: c.end + 2, named: false });
    else if (t[c.end] === '口' && !out.some((o) => o.start === c.end))
      out.push({ kind: 'landmark', start: c.end, end: c.end + 1, named: false });
  }
  // 三单元一零二: a bare room number after a unit or building.
  for (const c of [...out]) {
    if (c.kind !== 'unit' && c.kind !== 'building') continue;
    const m = /^[0-9零〇一二三四五六七八九幺洞]{3,4}(?![0-9零〇一二三四五六七八九十百幺洞室号])/.exec(t.slice(c.end));
    if (m && !out.some((o) => o.start === c.end)) out.push({ kind: 'room', start: c.end, end: c.end + m[0].length, named: false });
  }
  // 在东湖边上: a name before a landmark, when the caller says it is where.
  for (const c of [...out]) {
    if (c.kind !== 'landmark' || out.some((o) => o.end === c.start)) continue;
    const segFloor = t.lastIndexOf(SEP, c.start - 1) + 1;
    const prev = out.filter((o) => o.end <= c.start).reduce((x, o) => Math.max(x, o.end), segFloor);
    const start = nameStart(t, c.start, prev, 6);
    if (c.start - start >= 2 && PLACE_CUE.test(t.slice(Math.max(segFloor, start - 3), start))) {
      out.push({ kind: 'poi', start, end: c.start, named: true });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/** The gap between two components, fillers and segment boundaries removed: '' or a connector. */
function joinable(text: string, a: number, b: number): boolean {
  if (b - a > 8) return false;
  let gap = '';
  for (let i = a; i < b; ) {
    const f = fillerAt(text, i);
    if (f) i += f;
    else {
      if (text[i] !== SEP) gap += text[i];
      i++;
    }
  }
  return CONNECTOR.test(gap);
}

const WEIGHT: Record<Kind, number> = {
  road: 3,
  area: 3,
  admin: 1,
  poi: 2,
  number: 2,
  building: 2,
  unit: 1,
  room: 1,
  landmark: 1,
  section: 1,
};

export interface AddressFound {
  value: string;
  /** Compact ranges that make up the address (more than one when it continued later). */
  parts: [number, number][];
  score: number;
}

interface Chain {
  parts: Component[];
  score: number;
}

function chainsOf(st: Stream, comps: Component[]): Chain[] {
  const t = st.text;
  const chains: Component[][] = [];
  for (const c of comps) {
    const cur = chains[chains.length - 1];
    const last = cur?.[cur.length - 1];
    // Across an utterance boundary only a number or a name continues an address; a
    // 楼上/门口 starting the next utterance begins a new sentence about something else.
    const crosses = last !== undefined && t.slice(last.end, c.start).includes(SEP);
    const continues = !crosses || c.named || ['number', 'building', 'unit', 'room'].includes(c.kind);
    // A landmark belongs to what it directly follows (东湖新村北门, 门口的); after a comma it starts a new clause.
    const gapText = last ? t.slice(last.end, c.start) : '';
    if (c.kind === 'landmark' && /[，,、。\n]/.test(gapText)) {
      chains.push([c]);
      continue;
    }
    if (cur && last && continues && joinable(t, last.end, c.start) && isAgentAt(st, last.start) === isAgentAt(st, c.start)) cur.push(c);
    else chains.push([c]);
  }
  const out: Chain[] = [];
  for (let parts of chains) {
    // A POI is a place when a road or estate comes before it, a landmark after it, or 在 before it.
    const cueAt = (i: number) => PLACE_CUE.test(t.slice(Math.max(0, i - 3), i));
    while (parts.length) {
      const [h, n] = parts as [Component, Component | undefined];
      if (h.kind === 'poi' && h.named && !(n?.kind === 'landmark') && !cueAt(h.start)) parts = parts.slice(1);
      else if (
        h.kind === 'admin' &&
        !(n && n.start === h.end && n.named && (n.kind !== 'poi' || parts[2]?.kind === 'landmark' || cueAt(h.start)))
      )
        parts = parts.slice(1);
      else if (!h.named && h.kind !== 'number' && h.kind !== 'building' && h.kind !== 'unit') parts = parts.slice(1);
      else break;
    }
    if (!parts.some((p) => p.named)) {
      if (parts.length) out.push({ parts, score: 0 });
      continue;
    }
    // A nameless 小区 or 超市 only joins a chain; it says nothing about where.
    let score = parts.reduce((s, p) => s + (p.named || !['area', 'poi', 'admin'].includes(p.kind) ? WEIGHT[p.kind] : 0), 0);
    if (cueAt((parts[0] as Component).start)) score += 2;
    out.push({ parts, score });
  }
  return out;
}

/** Text of a compact range with fillers and segment boundaries taken out. */
function cleanText(text: string, a: number, b: number): string {
  let s = '';
  for (let i = a; i < b; ) {
    const f = fillerAt(text, i);
    if (f) i += f;
    else {
      if (text[i] !== SEP) s += text[i];
      i++;
    }
  }
  return s;
}

/**
 * The words of a chain: its components and the 的/和 between them, without fillers; a
 * connector before an utterance boundary closed the sentence (我是滨江花园的 | 三栋) and goes.
 */
function spoken(text: string, parts: Component[]): string {
  let s = '';
  parts.forEach((p, i) => {
    const prev = parts[i - 1];
    if (prev && !text.slice(prev.end, p.start).includes(SEP)) s += cleanText(text, prev.end, p.start);
    s += cleanText(text, p.start, p.end);
  });
  return s;
}

/** The address the caller gave (the best-scored chain), or undefined. */
export function findAddress(st: Stream): AddressFound | undefined {
  const callerOnly = st.agent.some(Boolean);
  const comps = findComponents(st).filter((c) => !(callerOnly && isAgentAt(st, c.start)));
  const chains = chainsOf(st, comps);
  let best: Chain | undefined;
  let bestIdx = -1;
  chains.forEach((c, i) => {
    if (c.score > 0 && (!best || c.score > best.score)) {
      best = c;
      bestIdx = i;
    }
  });
  if (!best) return undefined;
  const chosen = best as Chain;
  const t = st.text;
  const first = chosen.parts[0] as Component;
  const last = chosen.parts[chosen.parts.length - 1] as Component;
  const parts: [number, number][] = [[first.start, last.end]];
  let value = spoken(t, chosen.parts);
  // 阳光花园小区的物业… / 我是三号楼二单元的: the building said in the next utterance or two
  // belongs to the estate named just before.
  if (last.kind === 'area') {
    const lastSeg = st.seg[last.start] as number;
    for (const c of chains.slice(bestIdx + 1)) {
      const h = c.parts[0] as Component;
      const seg = st.seg[h.start] as number;
      if (seg > lastSeg + 2) break;
      if (seg === lastSeg || c.score > 0) continue;
      if (h.kind !== 'building' && h.kind !== 'unit') continue;
      const tail = c.parts[c.parts.length - 1] as Component;
      parts.push([h.start, tail.end]);
      value += spoken(t, c.parts);
      break;
    }
  }
  return { value, parts, score: chosen.score };
}
