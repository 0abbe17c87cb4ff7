import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLocalBus } from './events.js';
import { maskAddress, maskIdNumber, maskName, maskPhone, maskText } from './mask.js';
import { readSettings, type Setting } from './settings.js';

declare module './events.js' {
  interface HotlineEvents {
    'test.ping': { n: number };
  }
}

test('phone and ID numbers are masked', () => {
  assert.equal(maskPhone('13812348000'), '138****8000');
  assert.equal(maskPhone('+86 138-1234-8000'), '138****8000');
  assert.equal(maskPhone('0571-88886666'), '0571****6666');
  assert.equal(maskPhone('88886666'), '88***66');
  assert.equal(maskPhone(null), null);
  assert.equal(maskIdNumber('110101199003071234'), '110101********1234');
  assert.equal(maskText('请回电13812348000，身份证110101199003071234'), '请回电138****8000，身份证110101********1234');
});

test('maskText: the written forms of phone, ID and card numbers are masked', () => {
  const cases: [string, string][] = [
    ['13800138000', '138****8000'],
    ['138-0013-8000', '138****8000'],
    ['138 0013 8000', '138****8000'],
    ['+8613800138000', '+86138****8000'],
    ['+86 138 0013 8000', '+86 138****8000'],
    ['86-138-0013-8000', '86-138****8000'],
    ['8613800138000', '86138****8000'],
    ['008613800138000', '0086138****8000'],
    ['电话：19912345678。', '电话：199****5678。'],
    ['0571-88886666', '0571****6666'],
    ['(0571)88886666', '0571****6666'],
    ['（0571）88886666', '0571****6666'],
    ['057188886666', '0571****6666'],
    ['0571 8888 6666', '0571****6666'],
    ['010-62345678', '010****5678'],
    ['0755-2345678', '0755****5678'],
    ['+86 571 88886666', '+86 571****6666'],
    ['+86-10-62345678', '+86 10****5678'],
    ['身份证110101199003071234', '身份证110101********1234'],
    ['身份证11010119900307123X号', '身份证110101********123X号'],
    ['ID 11010119900307123x', 'ID 110101********123x'],
    ['旧身份证110101900307123', '旧身份证110101*****7123'],
    ['卡号6222021234567890123', '卡号622202*********0123'],
    ['卡号 6222 0212 3456 7890', '卡号 622202******7890'],
    ['a13800138000b', 'a138****8000b'],
    ['联系13800138000或0571-88886666', '联系138****8000或0571****6666'],
  ];
  for (const [input, masked] of cases) assert.equal(maskText(input), masked, input);
});

test('maskText: case numbers, dates, times, amounts and short numbers stay readable', () => {
  const untouched = [
    '工单2026120100012已受理',
    '工单号20261123-000042',
    '2026-12-01',
    '2026年12月1日',
    '2026/12/01 09:30:00',
    '2026-12-01T09:30:00+08:00',
    '20261201',
    '补偿3000元',
    '罚款 30000000 元',
    '09:30-12:00,13:30-17:30',
    '12345热线',
    '3栋2单元1201室',
    '邮编310000',
    '1380013800',
    '138001380001',
    '0.5吨',
    '第0571号',
    '110报警',
  ];
  for (const text of untouched) assert.equal(maskText(text), text, text);
});

test('maskText: time grows linearly with the text, also for adversarial input', () => {
  const inputs = [
    '1'.repeat(200_000),
    '138-'.repeat(50_000),
    '(0571)'.repeat(40_000),
    '+86 '.repeat(50_000),
    '1 '.repeat(100_000),
    '0571-8888 '.repeat(20_000),
  ];
  for (const text of inputs) {
    const t0 = performance.now();
    maskText(text);
    const ms = performance.now() - t0;
    assert.ok(ms < 1000, `${text.slice(0, 12)}… (${text.length} chars) took ${ms.toFixed(0)} ms`);
  }
});

test('names and addresses are masked for lists', () => {
  assert.equal(maskName('张伟'), '张*');
  assert.equal(maskName('欧阳娜娜'), '欧***');
  assert.equal(maskName('李'), '李*');
  assert.equal(maskName(null), null);
  assert.equal(maskAddress('东湖街道湖滨社区12栋3单元'), '东湖街道湖滨***');
  assert.equal(maskAddress('新华路1号'), '新华***');
  assert.equal(maskAddress('1号楼'), '****');
  assert.equal(maskAddress(null), null);
});

test('the local bus delivers in order, isolates failing subscribers, and unsubscribes', () => {
  const errors: unknown[] = [];
  const bus = createLocalBus((err) => errors.push(err));
  const seen: string[] = [];
  const off = bus.subscribe('test.ping', (p) => {
    seen.push(`a${p.n}`);
  });
  bus.subscribe('test.ping', () => {
    throw new Error('bad subscriber');
  });
  bus.subscribeAll((e) => {
    seen.push(`all:${e.type}`);
  });
  bus.publish('test.ping', { n: 1 });
  off();
  bus.publish('test.ping', { n: 2 });
  assert.deepEqual(seen, ['a1', 'all:test.ping', 'all:test.ping']);
  assert.equal(errors.length, 2);
});

test('settings report every bad value at once with the variable name', () => {
  const settings: Setting[] = [
    { env: 'P', kind: 'port', default: '1', help: '' },
    { env: 'U', kind: 'url', protocols: ['redis:'], help: '' },
    { env: 'E', kind: 'enum', values: ['a', 'b'], default: 'a', help: '' },
    { env: 'B', kind: 'bool', default: 'false', help: '' },
  ];
  assert.throws(
    () => readSettings(settings, { P: '70000', U: 'http://x', E: 'c', B: 'maybe' }),
    (err: Error) => {
      for (const name of ['P=', 'U=', 'E=', 'B=']) assert.ok(err.message.includes(name), `${name} reported`);
      return true;
    },
  );
  assert.deepEqual(readSettings(settings, { P: '8080', U: 'redis://127.0.0.1:6379' }), {
    P: 8080,
    U: 'redis://127.0.0.1:6379',
    E: 'a',
    B: false,
  });
});
