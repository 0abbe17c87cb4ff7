import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isHotlineError } from '../core/index.js';
import { cerCounts } from './cer.js';
import { AsrErrors } from './errors.js';
import { alawDecode, alawEncode, mulawDecode, mulawEncode } from './g711.js';
import { resample } from './resample.js';
import { cleanTranscript } from './text.js';
import { decodeWav, encodeWav } from './wav.js';

const sine = (rate: number, hz: number, seconds: number, amp = 8000) =>
  Int16Array.from({ length: rate * seconds }, (_, i) => Math.round(amp * Math.sin((2 * Math.PI * hz * i) / rate)));

const rms = (a: Int16Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);

test('G.711 µ-law and A-law round trips stay within the codec step and keep known code points', () => {
  const pcm = Int16Array.from({ length: 2001 }, (_, i) => (i - 1000) * 32);
  for (const [enc, dec] of [
    [mulawEncode, mulawDecode],
    [alawEncode, alawDecode],
  ] as const) {
    const back = dec(enc(pcm));
    for (let i = 0; i < pcm.length; i++) {
      const x = pcm[i] as number;
      // Logarithmic quantisation: the error grows with the magnitude, about 1/16 of it at most.
      assert.ok(Math.abs((back[i] as number) - x) <= Math.max(16, Math.abs(x) / 16), `sample ${x} -> ${back[i]}`);
    }
  }
  // ITU-T G.711 reference points: silence is 0xFF in µ-law and 0xD5 in A-law.
  assert.equal(mulawEncode(Int16Array.of(0))[0], 0xff);
  assert.equal(alawEncode(Int16Array.of(0))[0], 0xd5);
  assert.equal(mulawDecode(Uint8Array.of(0x00))[0], -32124);
  assert.equal(mulawDecode(Uint8Array.of(0x80))[0], 32124);
});

test('resampling keeps a tone in band and removes one above the new Nyquist frequency', () => {
  const low = resample(sine(16000, 440, 1), 16000, 8000);
  assert.equal(low.length, 8000);
  assert.ok(Math.abs(rms(low) - 8000 / Math.SQRT2) < 300, `440 Hz kept: rms ${rms(low)}`);
  const alias = resample(sine(16000, 6000, 1), 16000, 8000);
  assert.ok(rms(alias) < 400, `6 kHz filtered out: rms ${rms(alias)}`);
  const up = resample(sine(8000, 440, 1), 8000, 16000);
  assert.equal(up.length, 16000);
  assert.ok(Math.abs(rms(up) - 8000 / Math.SQRT2) < 300);
});

test('WAV files: PCM, µ-law, A-law and stereo are read at 8 and 16 kHz', () => {
  const pcm = sine(8000, 300, 0.5);
  const a = decodeWav(encodeWav(pcm, 8000));
  assert.equal(a.sampleRate, 8000);
  assert.equal(a.encoding, 'pcm16');
  assert.deepEqual([...a.pcm.slice(0, 50)], [...pcm.slice(0, 50)]);
  assert.equal(a.seconds, 0.5);
  const mu = decodeWav(encodeWav(mulawEncode(pcm), 8000, 'mulaw'));
  assert.equal(mu.encoding, 'mulaw');
  assert.deepEqual([...mu.pcm], [...mulawDecode(mulawEncode(pcm))]);
  const al = decodeWav(encodeWav(alawEncode(pcm), 16000, 'alaw'));
  assert.equal(al.encoding, 'alaw');
  assert.equal(al.sampleRate, 16000);
  // Stereo: the two channels are averaged.
  const stereo = encodeWav(Int16Array.of(100, 300, -100, -300), 16000);
  stereo.writeUInt16LE(2, 22);
  assert.deepEqual([...decodeWav(stereo).pcm], [200, -200]);
});

test('bad audio is refused with a coded 400 error naming the file and what is wrong', () => {
  const refuse = (bytes: Uint8Array, codes: string[], params: Record<string, unknown> = {}) =>
    assert.throws(
      () => decodeWav(bytes, 'x.wav'),
      (err: unknown) =>
        isHotlineError(err) &&
        err.statusCode === 400 &&
        codes.includes(err.code) &&
        Object.entries({ name: 'x.wav', ...params }).every(([k, v]) => err.params[k] === v),
    );
  refuse(new Uint8Array(0), [AsrErrors.ASR_WAV_EMPTY.code]);
  refuse(Buffer.from('ID3\u0003 this is an mp3, not a wav file'), [AsrErrors.ASR_WAV_NOT_WAV.code]);
  refuse(encodeWav(sine(44100, 440, 0.1), 44100), [AsrErrors.ASR_WAV_RATE_UNSUPPORTED.code], { rate: 44100 });
  refuse(encodeWav(new Int16Array(0), 16000), [AsrErrors.ASR_WAV_NO_SAMPLES.code]);
  const float = encodeWav(sine(16000, 440, 0.1), 16000);
  float.writeUInt16LE(3, 20);
  float.writeUInt16LE(32, 34);
  refuse(float, [AsrErrors.ASR_WAV_FORMAT_UNSUPPORTED.code], { format: 3, bits: 32 });
  refuse(encodeWav(sine(16000, 440, 0.1), 16000).subarray(0, 30), [
    AsrErrors.ASR_WAV_NO_FMT.code,
    AsrErrors.ASR_WAV_FMT_TRUNCATED.code,
    AsrErrors.ASR_WAV_NO_DATA.code,
  ]);
});

test('transcript clean-up joins Chinese words and writes phone, house and room numbers in digits', () => {
  assert.equal(cleanTranscript('我 的 电话 是 幺 三 八 五 八 二 三 一 七 四 三'), '我的电话是13858231743');
  assert.equal(cleanTranscript('住 在 五 栋 三 零 二 室'), '住在五栋302室');
  assert.equal(cleanTranscript('门牌 二 八'), '门牌28');
  assert.equal(cleanTranscript('三三两两 的 人 一一 对应'), '三三两两的人一一对应');
  assert.equal(cleanTranscript('二十五 号 楼'), '二十五号楼');
  assert.equal(cleanTranscript('  hello  world 你 好 '), 'hello world 你好');
});

test('character error rate ignores spaces and punctuation', () => {
  assert.deepEqual(cerCounts('小区门口，占道经营。', '小区 门口 占道 经营'), { errors: 0, chars: 8 });
  assert.deepEqual(cerCounts('噪音扰民', '早因扰民啊'), { errors: 3, chars: 4 });
});
