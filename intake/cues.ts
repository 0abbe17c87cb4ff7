/**
 * What the caller wants (咨询/求助/投诉/举报/建议) and whether they ask to stay anonymous,
 * from the words they use. An explicit word (我要投诉, 我想咨询) beats an implied one (想问一下,
 * 没人管, 怎么办); among equals the graver type wins, because a complaint phrased as a
 * question (我是不是可以投诉他们) is still a complaint, and under-filing a 举报 costs more
 * than over-filing it.
 */
import { isAgentAt, type Stream } from './stream.js';

export const REQUEST_TYPES = ['咨询', '求助', '投诉', '举报', '建议'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

/** Gravest first: the order ties are broken in. */
const PRIORITY: RequestType[] = ['举报', '投诉', '求助', '建议', '咨询'];

const EXPLICIT: Record<RequestType, RegExp> = {
  举报: /举报|检举|揭发|曝光/g,
  投诉: /投诉/g,
  求助: /求助|求救|救救|帮帮忙|帮帮我|帮个忙|帮忙|(?:请求|需要|寻求)帮助/g,
  建议: /建议|提个?意见/g,
  咨询: /咨询/g,
};

/** 想问一下 alone is a question; 证怎么办 asks how to get one, not for help. */
const HOW_TO_GET = /(证|卡|照|手续|业务|户口)怎么办/g;
const HOPE_FOR_ACTION = /希望[^希]{0,5}?(?:处理|解决|修|帮|派|来|管)/g;

const IMPLIED: Record<RequestType, RegExp> = {
  举报: /偷偷|违法|非法|违建|违章建筑|黑诊所|赌场|赌博|传销|假烟|假货|无证经营/g,
  投诉: /不满|没有?人(?:管|处理|清|来|收|理|修)|乱(?:停|扔|倒|搭|建|贴|摆|收费|丢|排|挖|占|扣)|不作为|态度(?:很|特别|太|非常)?差|太差了|扯皮|推诿|不管不问|也不管|缺斤少两|太吵|扰民|吵得|管一管|管一下|管管/g,
  求助: /怎么办(?!理|证|手续)|帮我|帮一下|派个?人|麻烦你们|没办法了|救命|不知道找谁|你们(?:给|快|快点|赶紧|能不能)(?:修|处理|派|看|来)|能不能帮|希望[^希]{0,5}?(?:处理|解决|修|帮|派|来)/g,
  建议: /希望|能不能(?:多|加|增加|考虑|设|装)|最好能|应该(?:多|加|增加)/g,
  咨询: /想问一下|想问问|想问下|问一下|问问|请问|想了解|了解一下|想知道|是不是|能不能查|怎么(?:办理|申请|领|查|弄|交|续交|补办|充值)|在哪(?:里|儿)?(?:办|补办|充值|申请|打|交|上)|需要(?:什么|带什么|哪些)|什么时候|多少钱|有没有|可不可以|要怎么|(?:证|卡|照|手续|业务|户口)怎么办/g,
};

/** 是咨询还是投诉: the agent's question names types without being any of them. */
const CHOICE_QUESTION = /(?:咨询|投诉|举报|建议|求助)还是(?:咨询|投诉|举报|建议|求助)/g;
/** 反映 is a complaint when the caller is unhappy about something. */
const REPORT = /反映/g;

export interface CueFound<T> {
  value: T;
  at: [number, number];
}

function callerMatches(st: Stream, re: RegExp, skip: [number, number][]): [number, number][] {
  const legs = st.agent.some(Boolean);
  const out: [number, number][] = [];
  for (const m of st.text.matchAll(re)) {
    const a = m.index ?? 0;
    const b = a + m[0].length;
    if (legs && isAgentAt(st, a)) continue;
    if (skip.some(([x, y]) => a < y && x < b)) continue;
    out.push([a, b]);
  }
  return out;
}

export function findRequestType(st: Stream): CueFound<RequestType> | undefined {
  const skip = [...st.text.matchAll(CHOICE_QUESTION)].map((m) => [m.index ?? 0, (m.index ?? 0) + m[0].length] as [number, number]);
  for (const type of PRIORITY) {
    const hit = callerMatches(st, EXPLICIT[type], skip)[0];
    if (hit) return { value: type, at: hit };
  }
  // Implied cues: a hope for action is a request for help, not a suggestion; 证怎么办 is a question.
  const helpHopes = callerMatches(st, HOPE_FOR_ACTION, skip);
  const howTo = callerMatches(st, HOW_TO_GET, skip);
  const found = new Map<RequestType, [number, number]>();
  for (const type of PRIORITY) {
    let hits = callerMatches(st, IMPLIED[type], skip);
    if (type === '建议') hits = hits.filter(([a]) => !helpHopes.some(([x, y]) => a >= x && a < y));
    if (type === '求助') hits = hits.filter(([a]) => !howTo.some(([x, y]) => a >= x && a < y));
    if (hits[0]) found.set(type, hits[0]);
  }
  // 反映 with a complaint word anywhere is a complaint, quoted at 反映.
  const report = callerMatches(st, REPORT, skip)[0];
  if (report && found.has('投诉')) found.set('投诉', report);
  for (const type of PRIORITY) {
    const at = found.get(type);
    if (at) return { value: type, at };
  }
  return undefined;
}

const ANONYMOUS =
  /匿名|保密|不要?(?:透露|告诉|说出|泄露|公开)(?:我的?|我们的?)?(?:信息|身份|名字|姓名|电话|号码|资料)|不想?(?:透露|公开)|不(?:想|愿意|要)?留(?:名字|姓名|名|电话|信息)|别(?:告诉|说)(?:他们|对方|别人|人家)?是我|不要告诉(?:他们|对方|别人|人家)?是我|(?:别|不要|不想|不能)让(?:他们|他|她|对方|别人|人家)?知道是我|(?:不|别|不要)(?:说|告诉|透露)是谁/g;
/** 不用保密, 不需要匿名: the caller says the opposite. */
const NEGATED = /(不用|不需要|无需|没必要|不必|可以不|不用了)$/;

export function findAnonymous(st: Stream): CueFound<true> | undefined {
  for (const [a, b] of callerMatches(st, ANONYMOUS, [])) {
    if (NEGATED.test(st.text.slice(Math.max(0, a - 4), a))) continue;
    return { value: true, at: [a, b] };
  }
  return undefined;
}
