import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MODULES } from '../app/modules.js';
import { ENGINES } from '../db/testing.js';
import { startTestServer } from '../test/helpers/server.js';
import { type IntakeProposal, proposeIntake, type SegmentInput } from './index.js';

/** What a case expects: a value, or null for "must not be proposed"; a field left out is not checked. */
interface Want {
  phone?: string | null;
  address?: string | null;
  /** The display form (王女士, 王建国, 王). */
  name?: string | null;
  surname?: string;
  type?: string | null;
  anon?: true | null;
}

/** Segments as strings; 'A:' marks the agent's (then every segment has a leg). */
function segs(lines: string[]): SegmentInput[] {
  const legs = lines.some((l) => l.startsWith('A:'));
  return lines.map((l) => {
    const agent = l.startsWith('A:');
    const text = agent ? l.slice(2) : l;
    return legs ? { text, leg: agent ? 'agent' : 'caller' } : { text };
  });
}

function check(p: IntakeProposal, want: Want) {
  const got = {
    phone: p.phone?.value ?? null,
    address: p.address?.value ?? null,
    name: p.name?.value.display ?? null,
    surname: p.name?.value.surname,
    type: p.requestType?.value ?? null,
    anon: p.anonymous?.value ?? null,
  };
  for (const k of Object.keys(want) as (keyof Want)[]) assert.equal(got[k], want[k], `${k}: ${JSON.stringify(p)}`);
}

const CASES: [string, string[], Want][] = [
  // Phone numbers, spoken.
  ['mobile said with 幺 in groups', ['我的电话是 幺三八 五八二三 幺七四三'], { phone: '13858231743' }],
  ['mobile said digit by digit with spaces (raw recogniser output)', ['电话 幺 三 九 幺 一 二 二 三 三 四 四'], { phone: '13911223344' }],
  ['两 and 洞 as digits', ['手机 幺三二 洞洞两八 八九九四'], { phone: '13200288994' }],
  ['mixed Arabic and Chinese digits', ['我手机号 幺三八 5823 幺七四三'], { phone: '13858231743' }],
  ['fillers between the groups', ['我的手机号是 幺三八 呃 五八二三 那个 幺七四三'], { phone: '13858231743' }],
  ['split across two segments', ['我电话是幺三八五八', '二三幺七四三'], { phone: '13858231743' }],
  [
    'split across three segments after the agent asks',
    ['A:请问您的联系电话', '幺 三 八', '五 八 二 三', '幺 七 四 三'],
    { phone: '13858231743' },
  ],
  ['a filler utterance between the halves', ['A:您的电话', '幺三八', '嗯', '五八二三幺七四三'], { phone: '13858231743' }],
  ['spoken dash 杠', ['电话 幺三八 杠 五八二三 杠 幺七四三'], { phone: '13858231743' }],
  ['landline with area code', ['座机 零五七幺 八八二三 四五六七'], { phone: '057188234567' }],
  ['landline with a three-digit area code', ['电话 洞幺洞 六二三四 五六七八'], { phone: '01062345678' }],
  ['local landline only after a cue', ['我家座机是 八六零二三四五六'], { phone: '86023456' }],
  ['seven or eight digits without a cue are not a phone', ['我们小区有 八六零二三四五六 个人'], { phone: null }],
  ['the caller corrects themselves', ['电话 幺三八零零幺三八零零幺 哦不对 是 幺三八零零幺三八零零零'], { phone: '13800138000' }],
  ['a digit too few is not proposed', ['电话 幺三八 五八二三 幺七四'], { phone: null }],
  ['12345 itself is not the caller’s number', ['A:您好12345请讲', '我打了好几次12345都没人接'], { phone: null }],
  ['a 12345 inside a real number still counts', ['座机 零五七幺 八六零幺二三四五'], { phone: '057186012345' }],
  ['amounts, dates and house numbers are not phones', ['上个月十五号交了三千五百块 在新华路八十八号'], { phone: null }],
  ['an ID number read out is not a phone', ['我的身份证号码是 一三零一零二一九八五零三一二四四一八'], { phone: null }],
  ['a work-order number is not a phone', ['工单号是 二零二三零五幺二零零三四'], { phone: null }],
  [
    'the caller’s own number beats the landlord’s',
    ['房东电话是 幺三九幺二三四五六七八', '我的电话是 幺八八零零零零三三三三'],
    { phone: '18800003333' },
  ],
  // Phone numbers, typed.
  ['typed mobile with spaces', ['手机：138 5823 1743'], { phone: '13858231743' }],
  ['typed landline with a hyphen', ['联系电话：0571-86012345。'], { phone: '057186012345' }],
  ['typed +86 prefix', ['我的电话是+86 139 0571 2286'], { phone: '13905712286' }],
  // Addresses.
  ['road and number, filler removed', ['我要投诉 新华路 呃 八十八号 那个烧烤店'], { address: '新华路八十八号' }],
  ['estate, building, unit and bare room number', ['地址是 东湖新村 五栋 二单元 三零二'], { address: '东湖新村五栋二单元三零二' }],
  ['street, community and road', ['我家住在城关街道南门社区文庙街十二号'], { address: '城关街道南门社区文庙街十二号' }],
  ['landmark after a named place', ['就是 人民医院门口 一到下午就堵车'], { address: '人民医院门口' }],
  ['crossing of two roads', ['建设路和光明路交叉口那边有个工地晚上施工'], { address: '建设路和光明路交叉口' }],
  [
    'the building said in the next utterance joins the estate',
    ['小区是 东湖新村', '在 十栋 一单元 门口'],
    { address: '东湖新村十栋一单元门口' },
  ],
  ['a sentence-final 的 before the next utterance is dropped', ['我是 滨江花园 的', '三栋 一单元'], { address: '滨江花园三栋一单元' }],
  ['楼下 after a numbered building', ['有人在幸福路二十号楼下卖假烟'], { address: '幸福路二十号楼下' }],
  [
    'typed address with Arabic numbers',
    ['来电人称其住在新华路88号3栋2单元302室，楼上漏水，请求帮助。'],
    { address: '新华路88号3栋2单元302室' },
  ],
  ['走路, 路灯 and 马路 are not roads', ['我每天走路上班 马路上的路灯都不亮'], { address: null }],
  ['a date with 号 is not an address', ['五月十二号那天我打过电话'], { address: null }],
  ['a hospital as the subject of a complaint is not the address', ['我想投诉明德区人民医院的一个医生态度很差'], { address: null }],
  ['a bus route is not a road', ['我要投诉 88路 公交车司机'], { address: null }],
  // Names.
  ['surname with the caller’s gender', ['我姓张 是女的'], { name: '张女士', surname: '张' }],
  ['surname alone when gender is not said', ['我姓刘'], { name: '刘' }],
  ['full name', ['我叫王建国 我住在新华路'], { name: '王建国', surname: '王' }],
  ['full name with the surname spelled out', ['我叫李娜 木子李'], { name: '李娜' }],
  ['compound surname', ['我 姓 欧阳 欧阳修的欧阳'], { name: '欧阳', surname: '欧阳' }],
  ['surname with a title', ['我是王阿姨 我们楼道的灯坏了'], { name: '王女士' }],
  ['the agent’s address gives the gender', ['A:请问您贵姓', '姓冯', 'A:好的冯女士'], { name: '冯女士' }],
  ['a self-description gives the gender', ['我是个退休老头 姓曹'], { name: '曹先生' }],
  ['typed contact line', ['联系人：李先生，电话：13858231743'], { name: '李先生' }],
  ['姓名保密 is no name', ['我姓名保密'], { name: null, anon: true }],
  ['someone else’s surname is not the caller’s', ['我们老板姓王 拖欠工资三个月了'], { name: null }],
  ['a shop named after someone is not the caller', ['饭店叫老王家面馆'], { name: null }],
  // Request type.
  ['咨询 from 想问一下', ['我想问一下社保卡丢了在哪里补办'], { type: '咨询' }],
  ['投诉 explicit', ['我要投诉楼上装修太吵'], { type: '投诉' }],
  ['投诉 from 反映 with displeasure', ['我想反映一下 我们小区的垃圾 好几天没人管'], { type: '投诉' }],
  ['举报 explicit', ['我举报一下 有人在湖边倒垃圾'], { type: '举报' }],
  ['建议 from 希望能', ['我们这边公交车太少了 希望能多开几班'], { type: '建议' }],
  ['求助 from 帮帮忙', ['帮帮忙吧 我家水管爆了'], { type: '求助' }],
  ['求助 from 怎么办', ['老板不给工资 我不知道怎么办'], { type: '求助' }],
  ['怎么办理 is a question, not a plea', ['我想知道居住证怎么办理'], { type: '咨询' }],
  ['a hope for action is a plea, not a suggestion', ['井盖没了 希望能尽快处理一下'], { type: '求助' }],
  ['the agent’s 咨询还是投诉 is not the caller’s', ['A:请问您是咨询还是投诉', '我就是想问问医保的事'], { type: '咨询' }],
  ['without legs, a choice question names no type', ['请问您是咨询还是投诉', '投诉'], { type: '投诉' }],
  ['no cue, no type', ['我电话是幺三八五八二三幺七四三'], { type: null }],
  // Anonymity.
  ['匿名', ['我就不留名字了 匿名就行'], { anon: true }],
  ['别告诉他们是我打的', ['你们别告诉他们是我打的'], { anon: true }],
  ['不要透露我的信息', ['请你们不要透露我的信息'], { anon: true }],
  ['不用保密 is not anonymity', ['不用保密 我叫李明'], { anon: null, name: '李明' }],
  ['declining only the phone is not anonymity', ['电话就不留了'], { anon: null }],
];

for (const [name, lines, want] of CASES) {
  test(name, async () => check(await proposeIntake(segs(lines)), want));
}

test('a whole spoken call: every field, each with the words it came from', async () => {
  const p = await proposeIntake([
    { text: '喂 你好 我要投诉 新华路 八十八号 那个烧烤店', startMs: 1000, endMs: 6000 },
    { text: '我姓张 是女的', startMs: 6500, endMs: 8000 },
    { text: '手机号 幺五九 幺二三四', startMs: 8500, endMs: 11000, id: 'c-3' },
    { text: '五六七八', startMs: 11500, endMs: 12500, id: 'c-4' },
    { text: '别告诉他们是我打的', startMs: 13000, endMs: 15000 },
  ]);
  assert.deepEqual(p.phone, {
    value: '15912345678',
    kind: 'mobile',
    from: { segment: 2, start: 4, end: 12, text: '幺五九 幺二三四', atMs: 9333, segmentId: 'c-3' },
    more: [{ segment: 3, start: 0, end: 4, text: '五六七八', atMs: 11500, segmentId: 'c-4' }],
  });
  assert.equal(p.address?.value, '新华路八十八号');
  assert.deepEqual(p.address?.from, { segment: 0, start: 10, end: 18, text: '新华路 八十八号', atMs: 3083 });
  assert.equal(p.address?.place, undefined, 'no resolver given');
  assert.deepEqual(p.name?.value, { surname: '张', display: '张女士', gender: 'female' });
  assert.equal(p.name?.from.text, '张');
  assert.equal(p.name?.more?.[0]?.text, '女的');
  assert.deepEqual(p.requestType, { value: '投诉', from: { segment: 0, start: 7, end: 9, text: '投诉', atMs: 2458 } });
  assert.equal(p.anonymous?.value, true);
  assert.equal(p.anonymous?.from.text, '别告诉他们是我');
});

test('the resolver gets the cleaned address; its answer (or null) is the place', async () => {
  const asked: string[] = [];
  const resolvePlace = async (a: string) => {
    asked.push(a);
    return a.includes('东湖新村') ? { unitId: 7, kind: 'community', name: '东湖新村社区' } : null;
  };
  const p = await proposeIntake([{ text: '我住在 东湖新村 呃 五栋' }], { resolvePlace });
  assert.deepEqual(asked, ['东湖新村五栋']);
  assert.deepEqual(p.address?.place, { unitId: 7, kind: 'community', name: '东湖新村社区' });
  const q = await proposeIntake([{ text: '我住在新华路八十八号' }], { resolvePlace });
  assert.equal(q.address?.place, null);
  const none = await proposeIntake([{ text: '我想问一下' }], { resolvePlace });
  assert.equal(none.address, undefined);
  assert.equal(asked.length, 2, 'no address, no lookup');
});

test('empty and odd input: nothing proposed, no crash; not a transcript: a TypeError that says why', async () => {
  assert.deepEqual(await proposeIntake([]), {});
  assert.deepEqual(await proposeIntake([{ text: '' }, { text: '   ' }, { text: '。。。' }]), {});
  assert.deepEqual(await proposeIntake([{ text: 'hello, my number is unknown' }]), {});
  await assert.rejects(proposeIntake('我姓王' as never), /segments must be an array/);
  await assert.rejects(proposeIntake([{ text: 3 }] as never), /segment 0 has no text/);
  await assert.rejects(proposeIntake([{ text: '啊'.repeat(50_001) }]), /at most 50000 characters/);
});

const modules = MODULES.filter((m) => ['auth', 'org', 'intake'].includes(m.name));
for (const engine of ENGINES) {
  test(`${engine}: POST /api/intake/propose from segments or a stored call; bad input gets clear 400s; roles are checked`, async () => {
    const s = await startTestServer(engine, { modules });
    try {
      const url = '/api/intake/propose';
      const ok = await s.request('agent', {
        method: 'POST',
        url,
        payload: { segments: [{ text: '我住在 东湖新村 五栋 电话 幺三八 五八二三 幺七四三', startMs: 0, endMs: 4000 }] },
      });
      assert.equal(ok.statusCode, 200, ok.body);
      const r = ok.json();
      assert.equal(r.phone.value, '13858231743');
      assert.equal(r.phone.kind, 'mobile');
      assert.equal(r.address.value, '东湖新村五栋');
      assert.equal(r.address.place.name, '东湖新村社区', 'the demo organisation tree resolves the estate');
      assert.equal(r.address.place.kind, 'community');
      assert.equal(r.address.from.text, '东湖新村 五栋');

      const id = Number(
        (await s.db.query<{ id: number }>(`INSERT INTO calls (channel, caller_number) VALUES ('test', '13812348000') RETURNING id`)).rows[0]
          ?.id,
      );
      await s.db.query(
        `INSERT INTO transcript_segments (call_id, leg, seq, text, is_final, start_ms, end_ms) VALUES
           ($1, 'agent', 1, '您好12345 请问您是咨询还是投诉', true, 0, 2000),
           ($1, 'caller', 1, '我要投诉 我姓王', true, 2500, 4000),
           ($1, 'agent', 2, '好的王先生 您的电话', true, 4500, 5500),
           ($1, 'caller', 2, '幺三九 零五七幺', true, 6000, 7000),
           ($1, 'caller', 3, '二二八六', true, 7200, 8000),
           ($1, 'caller', 4, '不算的半句', false, 8100, 8200)`,
        [id],
      );
      const fromCall = await s.request('supervisor', { method: 'POST', url, payload: { callId: id } });
      assert.equal(fromCall.statusCode, 200, fromCall.body);
      const c = fromCall.json();
      assert.equal(c.requestType.value, '投诉');
      assert.equal(c.requestType.from.segment, 1, 'the caller’s 投诉, not the agent’s question');
      assert.equal(c.requestType.from.segmentId, 'caller-1');
      assert.deepEqual(c.name.value, { surname: '王', display: '王先生', gender: 'male' });
      assert.equal(c.phone.value, '13905712286');
      assert.deepEqual([c.phone.from.segmentId, ...c.phone.more.map((q: { segmentId: string }) => q.segmentId)], ['caller-2', 'caller-3']);
      // A stored call's transcript is its agent's (and the supervisors'): another agent is
      // refused, the call's own agent is served, and each such read is in the access log.
      const notMine = await s.request('agent', { method: 'POST', url, payload: { callId: id } });
      assert.equal(notMine.statusCode, 403, notMine.body);
      await s.db.query("UPDATE calls SET agent_id = (SELECT id FROM users WHERE username = 'agent') WHERE id = $1", [id]);
      assert.equal((await s.request('agent', { method: 'POST', url, payload: { callId: id } })).statusCode, 200);
      const reads = await s.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pii_access_log WHERE record_type = 'call' AND record_id = $1",
        [id],
      );
      assert.equal(reads.rows[0]?.n, 2, 'the supervisor and the agent');

      const empty = await s.request('agent', { method: 'POST', url, payload: { segments: [] } });
      assert.equal(empty.statusCode, 200);
      assert.deepEqual(empty.json(), {});

      // The schema's own refusals name the field in the message; intake's are told by code.
      for (const [payload, code, why] of [
        [{}, 'INTAKE_NO_TRANSCRIPT', undefined],
        [{ segments: [{ text: '我姓王' }], callId: id }, 'INTAKE_SEGMENTS_AND_CALL', undefined],
        [{ segments: [{ startMs: 0 }] }, 'VALIDATION', /text/],
        [{ segments: '我姓王' }, 'VALIDATION', /segments/],
        [{ callId: 'x' }, 'VALIDATION', /callId/],
        [{ segments: [{ text: '我姓王', startMs: 500, endMs: 100 }] }, 'INTAKE_SEGMENT_ENDS_BEFORE_START', undefined],
      ] as const) {
        const bad = await s.request('agent', { method: 'POST', url, payload });
        assert.equal(bad.statusCode, 400, JSON.stringify(payload));
        assert.equal(bad.json().code, code, bad.body);
        if (why) assert.match(bad.json().message, why);
      }
      const missing = await s.request('agent', { method: 'POST', url, payload: { callId: 999999 } });
      assert.equal(missing.statusCode, 404);
      assert.equal(missing.json().code, 'INTAKE_CALL_NOT_FOUND');
      assert.deepEqual(missing.json().params, { callId: 999999 });

      assert.equal((await s.request('handler', { method: 'POST', url, payload: { segments: [] } })).statusCode, 403);
      assert.equal((await s.request('callback', { method: 'POST', url, payload: { segments: [] } })).statusCode, 403);
      assert.equal((await s.request(null, { method: 'POST', url, payload: { segments: [] } })).statusCode, 401);
      assert.equal((await s.request('admin', { method: 'POST', url, payload: { segments: [] } })).statusCode, 200);
    } finally {
      await s.close();
    }
  });
}
