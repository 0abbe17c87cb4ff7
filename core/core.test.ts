import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLocalBus } from './events.js';
import { maskIdNumber, maskPhone, maskText } from './mask.js';
import { readSettings, type Setting } from './settings.js';

declare module './events.js' {
  interface HotlineEvents {
    'test.ping': { n: number };
  }
}

test('phone and ID numbers are masked', () => {
  assert.equal(maskPhone('13812348000'), '138****8000');
  assert.equal(maskPhone('+86 138-1234-8000'), '861****8000');
  assert.equal(maskPhone('88886666'), '88***66');
  assert.equal(maskPhone(null), null);
  assert.equal(maskIdNumber('110101199003071234'), '110101********1234');
  assert.equal(maskText('请回电13812348000，身份证110101199003071234'), '请回电138****8000，身份证110101********1234');
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
