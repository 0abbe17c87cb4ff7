import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DataKeyError,
  isSealed,
  keyringFrom,
  newDataKey,
  open,
  openNumbersInText,
  parseDataKey,
  phoneDigits,
  phoneHash,
  phoneHashes,
  seal,
  sealedWithCurrent,
  sealNumbersInText,
  textNeedsSealing,
} from './personal-data.js';

const k1 = parseDataKey(newDataKey());
const k2 = parseDataKey(newDataKey());

test('a sealed field opens with its key, differs every time, and holds nothing readable', () => {
  const ring = keyringFrom(k1);
  const a = seal('13800138000', ring) as string;
  const b = seal('13800138000', ring) as string;
  assert.ok(isSealed(a));
  assert.notEqual(a, b, 'a fresh nonce per value: equal numbers do not look equal');
  assert.doesNotMatch(a, /138|8000/);
  assert.equal(open(a, ring), '13800138000');
  assert.equal(open(seal('张三', ring), ring), '张三');
  assert.equal(seal(null, ring), null);
  assert.equal(open('13800138000', ring), '13800138000', 'plaintext from before sealing reads as it is');
  assert.equal(seal(a, ring), a, 'sealing twice changes nothing');
  // Text typed to look sealed (with the right key id) is sealed like any other text, and a
  // forged token in a description stays plain: neither breaks a later read.
  const forged = `enc1:${ring.current.id}:x`;
  assert.equal(open(seal(forged, ring), ring), forged);
  const fakeToken = `[[enc1:${ring.current.id}:AAAA]]`;
  assert.equal(openNumbersInText(sealNumbersInText(`备注${fakeToken}`, ring), ring), `备注[ [enc1:${ring.current.id}:AAAA]]`);
});

test('a rotated key still opens old values; a missing or altered key is a clear error', () => {
  const old = keyringFrom(k1);
  const sealedOld = seal('13800138000', old) as string;
  const rotated = keyringFrom(k2, [k1]);
  assert.equal(open(sealedOld, rotated), '13800138000');
  assert.equal(sealedWithCurrent(sealedOld, rotated), false);
  const resealed = seal(sealedOld, rotated) as string;
  assert.ok(sealedWithCurrent(resealed, rotated));
  assert.equal(open(resealed, rotated), '13800138000');
  assert.throws(
    () => open(sealedOld, keyringFrom(k2)),
    (e: unknown) => e instanceof DataKeyError && /DATA_KEYS_PREVIOUS/.test((e as Error).message),
  );
  const tampered = `${sealedOld.slice(0, -4)}AAAA`;
  assert.throws(() => open(tampered, old), /altered/);
});

test('phone search hashes: one number however written, different per key', () => {
  const ring = keyringFrom(k1);
  for (const p of ['13800138000', '138-0013-8000', '+86 138 0013 8000', '008613800138000'])
    assert.equal(phoneHash(p, ring.current), phoneHash('13800138000', ring.current), p);
  assert.notEqual(phoneHash('13800138000', ring.current), phoneHash('13800138001', ring.current));
  assert.equal(phoneDigits('0571-88886666'), '057188886666');
  const rotated = keyringFrom(k2, [k1]);
  const both = phoneHashes('13800138000', rotated);
  assert.equal(both.length, 2);
  assert.equal(both[1], phoneHash('13800138000', ring.current), 'the old key hash is searched too during a rotation');
});

test('DATA_KEY must be 32 bytes of base64 or hex', () => {
  assert.equal(parseDataKey('00'.repeat(32)).length, 32);
  for (const bad of ['', 'short', 'x'.repeat(44), Buffer.alloc(16).toString('base64')])
    assert.throws(() => parseDataKey(bad), /32-byte key/, bad);
});

test('ID and card numbers inside a text are sealed in place; case numbers, phones and dates stay', () => {
  const ring = keyringFrom(k1);
  const text = '身份证110101199003074578，银行卡6222021234567890123，回电13800138000，工单20261201-000012，2026年12月1日';
  const sealed = sealNumbersInText(text, ring);
  assert.doesNotMatch(sealed, /110101199003074578|6222021234567890123/);
  for (const kept of ['13800138000', '20261201-000012', '2026年12月1日', '身份证', '银行卡']) assert.ok(sealed.includes(kept), kept);
  assert.equal(openNumbersInText(sealed, ring), text);
  assert.equal(openNumbersInText(sealNumbersInText(sealed, ring), ring), text, 'sealing twice keeps the text');
  assert.equal(textNeedsSealing(text, ring), true);
  assert.equal(textNeedsSealing(sealed, ring), false);
  const rotated = keyringFrom(k2, [k1]);
  assert.equal(textNeedsSealing(sealed, rotated), true, 'a token of the old key needs resealing');
  assert.equal(openNumbersInText(sealNumbersInText(sealed, rotated), rotated), text);
  assert.equal(openNumbersInText('11010119900307457X 在文字里', ring), '11010119900307457X 在文字里');
  assert.match(sealNumbersInText('11010119900307457X', ring), /^\[\[enc1:/);
});
