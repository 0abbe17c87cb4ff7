import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alawToLinear, decodeG711, encodeG711, linearToAlaw, linearToUlaw, ulawToLinear } from './g711.js';

test('µ-law matches the G.711 reference points and round-trips within its step size', () => {
  assert.equal(linearToUlaw(0), 0xff);
  assert.equal(linearToUlaw(-1), 0x7f);
  assert.equal(ulawToLinear(0xff), 0);
  assert.equal(ulawToLinear(0x00), -32124);
  assert.equal(ulawToLinear(0x80), 32124);
  for (let s = -32000; s <= 32000; s += 97) {
    const back = ulawToLinear(linearToUlaw(s));
    assert.ok(Math.abs(back - s) <= Math.max(16, Math.abs(s) / 16), `${s} -> ${back}`);
  }
});

test('A-law matches the G.711 reference points and round-trips within its step size', () => {
  assert.equal(linearToAlaw(0), 0xd5);
  assert.equal(alawToLinear(0xd5), 8);
  assert.equal(alawToLinear(0x55), -8);
  assert.equal(alawToLinear(0xaa), 32256);
  for (let s = -32000; s <= 32000; s += 97) {
    const back = alawToLinear(linearToAlaw(s));
    assert.ok(Math.abs(back - s) <= Math.max(16, Math.abs(s) / 16), `${s} -> ${back}`);
  }
});

test('buffers encode and decode both codecs', () => {
  const pcm = Buffer.alloc(320);
  for (let i = 0; i < 160; i++) pcm.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000)), i * 2);
  for (const codec of ['pcmu', 'pcma'] as const) {
    const enc = encodeG711(codec, pcm);
    assert.equal(enc.length, 160);
    const dec = decodeG711(codec, enc);
    assert.equal(dec.length, 320);
    for (let i = 0; i < 160; i++) assert.ok(Math.abs(dec.readInt16LE(i * 2) - pcm.readInt16LE(i * 2)) <= 512);
  }
});
