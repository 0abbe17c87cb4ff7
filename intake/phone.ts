/**
 * The caller's phone number, as said aloud: 幺三八 五八二三 幺七四三, 洞五七幺…, Arabic
 * digits from a recogniser that already wrote them, groups split by pauses, fillers or the
 * end of an utterance. Digits are gathered into runs first (a run survives a pause, a filler
 * or a segment boundary), then numbers are cut from a run where a group starts, because a
 * second number (or the agent reading it back) starts after a pause, never mid-group.
 */
import { SPOKEN_DIGITS } from '../asr/index.js';
import { fillerAt, isAgentAt, SEP, type Stream } from './stream.js';

// 洞 for 0 as radio operators and some callers say it, besides what the recogniser's clean-up knows.
const DIGIT: Record<string, string> = { ...SPOKEN_DIGITS, 洞: '0' };
const digitOf = (c: string | undefined) => (c === undefined ? undefined : /[0-9]/.test(c) ? c : DIGIT[c]);

/** Between two digits of one number: punctuation a typist puts in groups, and nothing else. */
const GROUP_PUNCT = /[-－—–·.,，、。~～/()（）:：]/;
const MAX_GAP = 6;

interface Run {
  digits: string[];
  /** Compact index of each digit. */
  pos: number[];
  /** A group starts at this digit (after a pause, a filler, punctuation or a segment end). */
  groupStart: boolean[];
  /** The break before this digit was more than a pause: a filler, punctuation or a segment end. */
  hardBreak: boolean[];
}

/** Length of the gap at i that may sit inside a number (SEP, punctuation, fillers), or 0. */
function gapAt(text: string, i: number): number {
  let j = i;
  let tokens = 0;
  while (j < text.length && j - i <= MAX_GAP && tokens < 4) {
    const c = text[j] as string;
    if (c === SEP || GROUP_PUNCT.test(c)) {
      j++;
    } else {
      // 杠 is a spoken dash (幺三八杠五八二三).
      const f = fillerAt(text, j) || (c === '对' || c === '吧' || c === '杠' ? 1 : 0);
      if (!f) break;
      j += f;
    }
    tokens++;
  }
  return j > i && digitOf(text[j]) !== undefined && j - i <= MAX_GAP ? j - i : 0;
}

function findRuns(st: Stream): Run[] {
  const runs: Run[] = [];
  const t = st.text;
  let i = 0;
  while (i < t.length) {
    const d = digitOf(t[i]);
    if (d === undefined) {
      i++;
      continue;
    }
    const run: Run = { digits: [d], pos: [i], groupStart: [true], hardBreak: [true] };
    let j = i + 1;
    for (;;) {
      const dj = digitOf(t[j]);
      if (dj !== undefined) {
        run.digits.push(dj);
        run.pos.push(j);
        run.groupStart.push(st.spaced[j] === true);
        run.hardBreak.push(false);
        j++;
        continue;
      }
      const gap = gapAt(t, j);
      if (!gap) break;
      j += gap;
      run.digits.push(digitOf(t[j]) as string);
      run.pos.push(j);
      run.groupStart.push(true);
      run.hardBreak.push(true);
      j++;
    }
    runs.push(run);
    i = j;
  }
  return runs;
}

/** Words just before a number that make it a phone number. */
const PHONE_CUE = /电话|手机|号码|联系方式|座机|固话|联系我|打给我|打我|回电|拨打|联系人|联系电话|手机号/g;
/** ... and that make it the caller's own. */
const SELF_CUE = /(我的?|本人|您的?)(电话|手机|号码|座机|联系)|联系我|打给我|打我/;
/** ... someone else's (the shop's, the landlord's): a number for the case, not for calling back. */
const OTHER_PARTY = /(他|她|他们|她们|商家|老板|物业|公司|店家|对方|房东|中介|司机|那个人|单位|饭店|店里)的?(电话|手机|号码|座机|联系方式)/;
/** Numbers that are not phone numbers: ID cards, plates, work orders, parcels, accounts. */
const OTHER_NUMBER = /身份证|证件|车牌|工单|订单|单号|快递|卡号|账号|银行卡|编号|户号|尾号|工号|房号|门牌|学号|社保号/g;
/** The caller takes back what they said. */
const CORRECTION = /(不对|说错了|错了|应该是|更正|重新说|重说|改一下)/;
/** A unit after the digits: an amount, a date, a house or room number. */
const UNIT_AFTER = /^(号|栋|幢|楼|单元|室|元|块|万|千|百|年|月|日|天|岁|米|平|个|次|点|分|%|期|组|斤|公里|路|弄|巷)/;

export interface PhoneCandidate {
  value: string;
  kind: 'mobile' | 'landline';
  /** Compact range, first to last digit. */
  start: number;
  end: number;
  score: number;
}

function lastMatchEnd(re: RegExp, s: string): number {
  let end = -1;
  for (const m of s.matchAll(re)) end = (m.index ?? 0) + m[0].length;
  return end;
}

/** Every phone number said in the call, scored; the best is the caller's. */
export function phoneCandidates(st: Stream): PhoneCandidate[] {
  const out: PhoneCandidate[] = [];
  const t = st.text;
  for (const run of findRuns(st)) {
    const n = run.digits.length;
    if (n < 7) continue;
    const windowBefore = (k: number) => t.slice(Math.max(0, (run.pos[k] as number) - 12), run.pos[k]);
    // An 18- or 15-digit ID number read in one breath is never a phone number, whatever it starts with.
    if ((n === 15 || n === 18) && !run.hardBreak.slice(1).some(Boolean)) continue;
    const d = run.digits.join('');
    const endOk = (e: number, strict: boolean) => e === n || run.groupStart[e] === true || (!strict && n - e <= 2);
    let k = 0;
    while (k < n) {
      if (!run.groupStart[k]) {
        k++;
        continue;
      }
      let found: { at: number; len: number; kind: PhoneCandidate['kind']; skip: number } | undefined;
      const mobileAt = (a: number) => /^1[3-9]\d{9}/.test(d.slice(a)) && endOk(a + 11, false);
      if (mobileAt(k)) found = { at: k, len: 11, kind: 'mobile', skip: 0 };
      else if (d.startsWith('86', k) && mobileAt(k + 2)) found = { at: k + 2, len: 11, kind: 'mobile', skip: 2 };
      else if (d[k] === '0') {
        // Area codes: 010 and 02x have three digits, the rest four; local numbers 7 or 8, never starting 0 or 1.
        const area = d.startsWith('010', k) || d[k + 1] === '2' ? 3 : 4;
        for (const local of [8, 7]) {
          const e = k + area + local;
          if (e <= n && /[2-9]/.test(d[k + area] ?? '') && endOk(e, true)) {
            found = { at: k, len: area + local, kind: 'landline', skip: 0 };
            break;
          }
        }
      } else if (k === 0 && (n === 7 || n === 8) && /[2-9]/.test(d[0] as string)) {
        found = { at: 0, len: n, kind: 'landline', skip: 0 };
      }
      if (!found) {
        k++;
        continue;
      }
      const first = run.pos[k] as number;
      const lastIdx = found.at + found.len - 1;
      const last = run.pos[lastIdx] as number;
      k = found.at + found.len;
      const before = windowBefore(found.at - found.skip);
      const phoneCue = lastMatchEnd(PHONE_CUE, before);
      const otherCue = lastMatchEnd(OTHER_NUMBER, before);
      if (otherCue >= 0 && otherCue >= phoneCue - 2) continue;
      if (lastIdx === n - 1 && UNIT_AFTER.test(t.slice(last + 1, last + 3))) continue;
      const local = found.kind === 'landline' && d[found.at] !== '0';
      if (local && phoneCue < 0) continue;
      let score = local ? 1 : 3;
      if (phoneCue >= 0) score += 3;
      if (SELF_CUE.test(before)) score += 1;
      if (OTHER_PARTY.test(before)) score -= 4;
      if (CORRECTION.test(before.slice(-6))) score += 5;
      if (isAgentAt(st, first)) score -= 1;
      out.push({ value: d.slice(found.at, found.at + found.len), kind: found.kind, start: first, end: last + 1, score });
    }
  }
  return out;
}

/** The caller's number: the best-scored candidate, the earliest of equals. */
export function findPhone(st: Stream): PhoneCandidate | undefined {
  let best: PhoneCandidate | undefined;
  for (const c of phoneCandidates(st)) if (c.score >= 2 && (!best || c.score > best.score)) best = c;
  return best;
}
