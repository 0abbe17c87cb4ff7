/**
 * How to address the caller: 我姓王 gives a surname, 我叫王建国 a full name, and the form
 * shows 王女士 or 王先生 only when the call says which (我是女的, 王阿姨, the agent's 好的王先生);
 * otherwise just 王, since guessing a citizen's gender on a government form is worse than
 * leaving it out. A surname must be a known one, so 我姓名保密 or 姓什么 never becomes a name.
 */
import { fillerAt, isAgentAt, type Stream } from './stream.js';

/** Common single-character surnames (the large majority of callers). */
const SURNAMES = new Set([
  ...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由和',
]);
const COMPOUND = [
  '欧阳',
  '司马',
  '上官',
  '诸葛',
  '东方',
  '皇甫',
  '尉迟',
  '公孙',
  '慕容',
  '长孙',
  '宇文',
  '司徒',
  '夏侯',
  '轩辕',
  '令狐',
  '端木',
  '独孤',
  '南宫',
  '西门',
  '百里',
  '呼延',
  '澹台',
  '钟离',
  '闻人',
  '赫连',
  '申屠',
  '太史',
];

const FEMALE = ['女士', '阿姨', '大姐', '大妈', '奶奶', '小姐', '太太', '婆婆', '大婶', '姑娘', '老太太', '女同志', '妹子', '女的'];
const MALE = ['先生', '大哥', '大爷', '叔叔', '爷爷', '伯伯', '老爷子', '小伙子', '老头', '男同志', '男的', '老大爷'];
const TITLES = [...FEMALE, ...MALE].sort((a, b) => b.length - a.length);
const genderOf = (title: string) => (FEMALE.includes(title) ? 'female' : 'male');

/** Words that end a given name (我叫张伟今年…, 我叫李娜我住在…). */
const GIVEN_STOP =
  /^(我|你|他|她|的|是|在|住|就|想|要|呃|嗯|啊|哦|吧|呢|啦|了|打|说|这|那|电话|手机|今年|家住|家在|现在|号码|联系|女士|先生|阿姨|大姐|师傅|老师|身份证|姓)/;
/** Someone else's surname: 老板姓王, 那个司机姓李. */
const THIRD_PARTY =
  /(他|她|它|老板|经理|师傅|司机|房东|那个人|对方|店主|主任|书记|医生|老师|保安|物业|邻居|孩子|老公|老婆|丈夫|妻子|儿子|女儿)$/;

export type Gender = 'female' | 'male';

export interface NameFound {
  surname: string;
  full?: string;
  gender?: Gender;
  /** Compact range of the surname or full name, and of the gender hint when elsewhere. */
  at: [number, number];
  genderAt?: [number, number];
}

function surnameAt(text: string, i: number): string | undefined {
  const two = COMPOUND.find((c) => text.startsWith(c, i));
  if (two) return two;
  const c = text[i];
  return c && SURNAMES.has(c) ? c : undefined;
}

/** The given name after a surname at `i`: one or two characters, up to a word that cannot be in it. */
function givenAfter(text: string, i: number, surname: string): string {
  // 李娜木子李, 陈晓红耳东陈: the caller spells the surname out; the given name ends before the spelling.
  const repeat = text.indexOf(surname, i + 1);
  const limit = repeat > 0 && repeat - i <= 6 && repeat - i >= 3 ? repeat - 2 : i + 2;
  let j = i;
  while (j < Math.min(limit, i + 2)) {
    const c = text[j];
    if (!c || !/[\u3400-\u9fff]/.test(c) || GIVEN_STOP.test(text.slice(j)) || fillerAt(text, j)) break;
    j++;
  }
  return text.slice(i, j);
}

const SELF_SURNAME = /(?:我姓|免贵姓|本人姓|我是姓|姓)/g;
const FULL_NAME = /(?:我叫|我的名字叫|我的名字是|名字叫|名字是|我名叫|联系人[:：]?|本人叫)/g;
const SELF_TITLE = /我是/g;
/** 我是个女的, 我一个老太太, 我是个退休老头: the caller's own word for themselves. */
const SELF_GENDER = new RegExp(`(?:我是|我一个|本人是)(?:个|一个)?(?:[\\u4e00-\\u9fff]{0,4}?)(${TITLES.join('|')})`, 'g');

/**
 * The caller's name: a surname (我姓王, 免贵姓李, an answer 姓冯), a full name (我叫王建国), or a
 * surname with a title (我是王女士, the agent's 好的李先生); the caller's own statements win.
 */
export function findName(st: Stream): NameFound | undefined {
  const t = st.text;
  const legs = st.agent.some(Boolean);
  const caller = (i: number) => !legs || !isAgentAt(st, i);
  let found: NameFound | undefined;
  const take = (n: NameFound) => {
    if (!found) found = n;
  };

  for (const m of t.matchAll(FULL_NAME)) {
    const i = (m.index ?? 0) + m[0].length;
    if (!caller(m.index ?? 0)) continue;
    const prefix = t[i] === '小' || t[i] === '老' ? 1 : 0;
    const surname = surnameAt(t, i + prefix);
    if (!surname) continue;
    if (prefix) {
      take({ surname, at: [i, i + 1 + surname.length] });
      continue;
    }
    const title = TITLES.find((x) => t.startsWith(x, i + surname.length));
    if (title) {
      take({ surname, gender: genderOf(title), at: [i, i + surname.length + title.length] });
      continue;
    }
    const given = givenAfter(t, i + surname.length, surname);
    if (given.length) take({ surname, full: surname + given, at: [i, i + surname.length + given.length] });
  }
  for (const m of t.matchAll(SELF_SURNAME)) {
    const at = m.index ?? 0;
    const i = at + m[0].length;
    if (!caller(at) || found) continue;
    // 姓 alone only where the caller answers about themselves, not 老板姓王 or 请问您贵姓.
    if (m[0] === '姓' && (THIRD_PARTY.test(t.slice(Math.max(0, at - 4), at)) || /[贵百您]$/.test(t.slice(0, at)))) continue;
    if (/^[名氏什啥]/.test(t.slice(i))) continue; // 姓名保密, 姓氏, 姓什么
    const surname = surnameAt(t, i);
    if (!surname) continue;
    take({ surname, at: [i, i + surname.length] });
  }
  // 我是王女士, 我是李先生, 我是老王, 叫我小李.
  for (const re of [SELF_TITLE, /叫我/g]) {
    for (const m of t.matchAll(re)) {
      const at = m.index ?? 0;
      let i = at + m[0].length;
      if (!caller(at) || found) continue;
      const prefix = t[i] === '小' || t[i] === '老' ? 1 : 0;
      i += prefix;
      const surname = surnameAt(t, i);
      if (!surname) continue;
      const title = TITLES.find((x) => t.startsWith(x, i + surname.length));
      if (title && !title.endsWith('的')) {
        take({ surname, gender: genderOf(title), at: [i, i + surname.length + title.length] });
      } else if (prefix) take({ surname, at: [i - 1, i + surname.length] });
    }
  }
  // The agent's address to the caller (好的李先生), when the caller's own words gave no name.
  if (!found) {
    for (const m of t.matchAll(/女士|先生/g)) {
      const p = m.index ?? 0;
      const surname = COMPOUND.includes(t.slice(p - 2, p)) ? t.slice(p - 2, p) : SURNAMES.has(t[p - 1] ?? '') ? (t[p - 1] as string) : '';
      if (!surname) continue;
      const s = p - surname.length;
      // Without legs, only the agent's phrasing says it is the caller being addressed.
      if (legs ? caller(s) : !/(好的|您好|请问|谢谢)$/.test(t.slice(0, s))) continue;
      take({ surname, gender: genderOf(m[0]), at: [s, p + 2] });
    }
  }
  if (!found) return undefined;
  const name: NameFound = found;
  if (!name.gender) {
    const g = findGender(st, name.surname);
    if (g) {
      name.gender = g.gender;
      name.genderAt = g.at;
    }
  }
  return name;
}

/** A gender the call states: a title right after the surname, the caller's word for themselves, or the agent's. */
function findGender(st: Stream, surname: string): { gender: Gender; at: [number, number] } | undefined {
  const t = st.text;
  const legs = st.agent.some(Boolean);
  const inCaller = (i: number) => !legs || !isAgentAt(st, i);
  // The surname followed by a title, anywhere in the call (我姓陈陈先生, 姓周先生, 好的冯女士).
  for (let i = t.indexOf(surname); i >= 0; i = t.indexOf(surname, i + 1)) {
    const title = TITLES.find((x) => t.startsWith(x, i + surname.length));
    if (title && !/的$/.test(title)) return { gender: genderOf(title), at: [i, i + surname.length + title.length] };
  }
  for (const m of t.matchAll(SELF_GENDER)) {
    if (!inCaller(m.index ?? 0)) continue;
    const title = m[1] as string;
    const end = (m.index ?? 0) + m[0].length;
    return { gender: genderOf(title), at: [end - title.length, end] };
  }
  // 是女的 right after the name (我姓张 是女的).
  const near = /是(?:个|一个)?(女的|男的)/g;
  for (const m of t.matchAll(near)) {
    if (!inCaller(m.index ?? 0)) continue;
    const before = t.slice(Math.max(0, (m.index ?? 0) - 8), m.index);
    if (!before.includes(surname)) continue;
    const title = m[1] as string;
    const end = (m.index ?? 0) + m[0].length;
    return { gender: genderOf(title), at: [end - title.length, end] };
  }
  // The agent's 女士/先生 on its own (好的女士, 这位先生).
  if (legs) {
    for (const m of t.matchAll(/(?:好的|您好|这位|请问)(女士|先生)/g)) {
      if (inCaller(m.index ?? 0)) continue;
      const end = (m.index ?? 0) + m[0].length;
      return { gender: genderOf(m[1] as string), at: [end - 2, end] };
    }
  }
  return undefined;
}

/** 王女士, 王先生, 王, or the full name when the caller gave it. */
export function displayName(n: Pick<NameFound, 'surname' | 'full' | 'gender'>): string {
  if (n.full) return n.full;
  if (n.gender === 'female') return `${n.surname}女士`;
  if (n.gender === 'male') return `${n.surname}先生`;
  return n.surname;
}
