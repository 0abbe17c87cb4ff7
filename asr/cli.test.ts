/** `hotline asr transcribe` as a user runs it: real sherpa and PocketSphinx engines, real files, exit codes. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../app/config.js';
import { mulawEncode } from './g711.js';
import { resample } from './resample.js';
import { decodeWav, encodeWav } from './wav.js';

const BIN = new URL('../bin/hotline.js', import.meta.url).pathname;
const speech = join(loadConfig().sharedDir, 'speech');
const hotline = (...args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ASR_LM: 'generic', LOG_LEVEL: 'silent' },
    timeout: 90_000,
  });

test('transcribe prints one JSON line per file with real text, for 16 kHz PCM and 8 kHz µ-law', () => {
  const dir = mkdtempSync(join(tmpdir(), 'asr-cli-'));
  const clip = join(speech, 'aishell-sample_BAC009S0252W0319.wav');
  const a = decodeWav(readFileSync(clip));
  const phone = join(dir, 'phone.wav');
  writeFileSync(phone, encodeWav(mulawEncode(resample(a.pcm, 16000, 8000)), 8000, 'mulaw'));
  const r = hotline('asr', 'transcribe', '--engine', 'pocketsphinx', clip, phone);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(lines.length, 2);
  assert.deepEqual(Object.keys(lines[0]), ['audio', 'text', 'seconds', 'decode_seconds']);
  assert.equal(lines[0].audio, 'aishell-sample_BAC009S0252W0319.wav');
  assert.equal(lines[1].audio, 'phone.wav');
  for (const l of lines) {
    assert.match(l.text, /^[\u4e00-\u9fff0-9]{5,}$/);
    assert.ok(Math.abs(l.seconds - a.seconds) < 0.01);
    assert.ok(l.decode_seconds > 0);
  }
});

test('the configured engine (auto: sherpa when set up) transcribes; --engine sherpa chooses it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'asr-cli-'));
  const a = decodeWav(readFileSync(join(speech, 'aishell-sample_BAC009S0252W0476.wav')));
  const phone = join(dir, 'fire.wav');
  writeFileSync(phone, encodeWav(mulawEncode(resample(a.pcm, 16000, 8000)), 8000, 'mulaw'));
  for (const args of [[phone], ['--engine', 'sherpa', phone]]) {
    const r = hotline('asr', 'transcribe', ...args);
    assert.equal(r.status, 0, r.stderr);
    const line = JSON.parse(r.stdout.trim());
    // The clip says 车辆起火无人员伤亡: the sherpa engine hears it word for word at 8 kHz µ-law.
    assert.equal(line.text, '车辆起火无人员伤亡');
  }
});

test('not WAV, wrong rate, empty and missing files: a message each and exit code 1; bad options: 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'asr-cli-'));
  writeFileSync(join(dir, 'empty.wav'), '');
  writeFileSync(join(dir, 'notes.wav'), '这不是音频');
  writeFileSync(join(dir, 'cd.wav'), encodeWav(new Int16Array(4410), 44100));
  const r = hotline(
    'asr',
    'transcribe',
    '--engine',
    'pocketsphinx',
    ...['empty.wav', 'notes.wav', 'cd.wav', 'nope.wav'].map((f) => join(dir, f)),
  );
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /empty\.wav is empty \(0 bytes\)/);
  assert.match(r.stderr, /notes\.wav is not a WAV file/);
  assert.match(r.stderr, /cd\.wav is sampled at 44100 Hz: only 8000 or 16000 Hz are accepted/);
  assert.match(r.stderr, /Cannot read .*nope\.wav: ENOENT/);
  const bad = hotline('asr', 'transcribe', '--engine', 'kaldi', 'x.wav');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--engine kaldi: use one of sherpa, vosk, pocketsphinx, remote/);
  const vosk = hotline('asr', 'transcribe', '--engine', 'vosk', join(dir, 'cd.wav'));
  assert.equal(vosk.status, 1);
  assert.match(vosk.stderr, /The Vosk engine cannot start: .*hotline models/);
});

test('transcribe --emergency: what a live call gets, on recordings at 8 kHz µ-law: heard and read, with its line; a calm recording stays quiet', () => {
  const dir = mkdtempSync(join(tmpdir(), 'asr-cli-'));
  const telephone = (name: string) => {
    const a = decodeWav(readFileSync(join(speech, name)));
    const out = join(dir, name);
    writeFileSync(out, encodeWav(mulawEncode(resample(a.pcm, a.sampleRate, 8000)), 8000, 'mulaw'));
    return out;
  };
  const fire = telephone('aishell-sample_BAC009S0252W0476.wav'); // 车辆起火无人员伤亡
  const knife = telephone('aishell-sample_BAC009S0252W0436.wav'); // 一男子持刀在三里屯…
  const phone = telephone('aishell-sample_BAC009S0150W0086.wav'); // a phone number read out
  // A database of its own: the site's rules are read from it (here the shipped ones).
  const r = spawnSync(process.execPath, [BIN, 'asr', 'transcribe', '--emergency', fire, knife, phone], {
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'silent', DATA_DIR: join(dir, 'data'), DATABASE_URL: '' },
    timeout: 120_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(lines.length, 3);
  const [f, k, p] = lines;
  assert.equal(f.emergency.is, true, JSON.stringify(f));
  assert.equal(f.emergency.line, '119');
  assert.ok(f.emergency.words.includes('起火'));
  assert.ok(f.emergency.source.includes('speech'), 'the keyword spotter heard 起火 in the audio');
  assert.ok(f.emergency.atMs > 500 && f.emergency.atMs < 2500, JSON.stringify(f.emergency));
  assert.equal(k.emergency.line, '110');
  assert.ok(k.emergency.words.includes('持刀'));
  assert.deepEqual(p.emergency, { is: false, line: null, words: [], source: [], atMs: null, reason: null });
  // Without the flag the line is as before.
  const plain = hotline('asr', 'transcribe', phone);
  assert.deepEqual(Object.keys(JSON.parse(plain.stdout.trim())), ['audio', 'text', 'seconds', 'decode_seconds']);
});
