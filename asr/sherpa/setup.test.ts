/**
 * The sherpa model setup on real files, without a network: installing from the shared folder,
 * refusing a damaged shared copy or archive (nothing left installed), `hotline models --list`,
 * and how any model folder is described or refused before the native code could see it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { loadConfig } from '../../app/config.js';
import { sha256File } from '../models.js';
import { DEFAULT_SHERPA_MODEL, findSherpaModel, PINYIN_LEXICON, SHERPA_MODELS, SILERO_VAD } from './catalogue.js';
import { describeSherpaModelDir, installedSherpaModelDir, installSherpaModel, sherpaModelStatus } from './setup.js';

const SHARED = resolve('../shared');
const KWS = findSherpaModel(DEFAULT_SHERPA_MODEL)!;
const SHARED_KWS = join(SHARED, 'models', KWS.folder);
const made: string[] = [];
const tmp = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), `sherpa-${prefix}-`));
  made.push(dir);
  return dir;
};
after(() => {
  // Copies of the read-only shared folder keep its modes; make them removable first.
  for (const dir of made) {
    spawnSync('chmod', ['-R', 'u+w', dir]);
    rmSync(dir, { recursive: true, force: true });
  }
});

/** What is in MODELS_DIR/asr/sherpa besides installed models: staging leftovers would show here. */
const leftovers = (models: string) => {
  const root = join(models, 'asr', 'sherpa');
  return existsSync(root) ? readdirSync(root).filter((n) => n.startsWith('.')) : [];
};

test('catalogue: unique names, the default is in it, every hash is 64 hex digits, unpinned exactly when a file has no hash', () => {
  assert.equal(new Set(SHERPA_MODELS.map((m) => m.name)).size, SHERPA_MODELS.length);
  assert.ok(findSherpaModel(DEFAULT_SHERPA_MODEL));
  assert.equal(findSherpaModel(KWS.folder), KWS, 'the official folder name finds the model too');
  for (const m of SHERPA_MODELS) {
    for (const f of m.files) if (f.sha256) assert.match(f.sha256, /^[0-9a-f]{64}$/, `${m.name} ${f.path}`);
    assert.equal(
      m.unpinned === true,
      m.files.some((f) => !f.sha256),
      m.name,
    );
    assert.ok(
      m.files.some((f) => f.role === 'tokens'),
      m.name,
    );
  }
  for (const s of [SILERO_VAD, PINYIN_LEXICON]) assert.match(s.sha256, /^[0-9a-f]{64}$/);
});

test('installs the default model, Silero VAD and the lexicon from the shared folder, verified and writable; a second run keeps them', async () => {
  const models = tmp('models');
  const values = loadConfig({ MODELS_DIR: models, SHARED_DIR: SHARED }).values;
  const report = await installSherpaModel(values, DEFAULT_SHERPA_MODEL, { download: false });
  assert.deepEqual(report.problems, []);
  const dir = join(models, 'asr', 'sherpa', KWS.folder);
  assert.match(report.done.join('\n'), new RegExp(`copied from ${SHARED_KWS} to ${dir} \\(SHA-256 verified for all 4 files\\)`));
  for (const f of KWS.files) {
    const path = join(dir, f.path);
    assert.equal(await sha256File(path), f.sha256, path);
    assert.ok(statSync(path).mode & 0o200, `${path} must be writable although the shared copy is read-only`);
  }
  assert.deepEqual(readdirSync(dir).sort(), KWS.files.map((f) => f.path).sort(), 'only the needed files');
  assert.equal(await sha256File(join(models, 'asr', 'silero-vad', 'silero_vad.onnx')), SILERO_VAD.sha256);
  assert.equal(await sha256File(join(models, 'asr', 'lexicon', 'pinyin_simp.dict.yaml')), PINYIN_LEXICON.sha256);
  assert.deepEqual(leftovers(models), []);

  assert.equal(installedSherpaModelDir(values), dir);
  assert.equal(installedSherpaModelDir({ ...values, SHERPA_MODEL_DIR: '/srv/own-model' }), '/srv/own-model');
  assert.equal(installedSherpaModelDir({ ...values, SHERPA_MODEL: 'zipformer-zh-14M' }), undefined, 'not installed');
  const status = sherpaModelStatus(values);
  assert.equal(status.find((s) => s.model.name === DEFAULT_SHERPA_MODEL)?.installed, true);
  assert.equal(status.find((s) => s.model.name === 'zipformer-zh-14M')?.installed, false);

  const described = describeSherpaModelDir(dir);
  assert.ok(!('problems' in described), JSON.stringify(described));
  assert.equal(described.kind, 'transducer');
  assert.equal(described.output, 'pinyin');
  assert.equal(described.files.encoder, join(dir, 'encoder-epoch-12-avg-2-chunk-16-left-64.int8.onnx'));
  assert.equal(described.files.tokens, join(dir, 'tokens.txt'));

  const again = await installSherpaModel(values, DEFAULT_SHERPA_MODEL, { download: false });
  assert.deepEqual(again.problems, []);
  assert.match(
    again.done.join('\n'),
    /already installed in .*\n.*Silero VAD already installed at .*\n.*pinyin lexicon already installed at/s,
  );

  // hotline models --list reads the same state: the default installed there, the others not.
  const list = spawnSync(process.execPath, ['bin/hotline.js', 'models', '--list'], {
    encoding: 'utf8',
    env: { ...process.env, MODELS_DIR: models, SHARED_DIR: SHARED },
  });
  assert.equal(list.status, 0, list.stderr);
  const row = (name: string) => list.stdout.split('\n').find((l) => l.includes(` ${name} `)) ?? '';
  assert.match(
    row(DEFAULT_SHERPA_MODEL),
    new RegExp(`^\\* ${DEFAULT_SHERPA_MODEL} +transducer +pinyin +4\\.7 MB +Apache-2\\.0 +yes +yes: ${dir}$`),
  );
  assert.match(row('zipformer-zh-14M'), /characters .* no +no$/);
  assert.match(row('zipformer-bilingual-zh-en'), /partly \(3\/4\) +no$/);
  assert.match(list.stdout, /Unpinned .*\n {2}zipformer-zh-14M: encoder-epoch-99-avg-1\.int8\.onnx/);
  assert.match(list.stdout, /Silero VAD \(MIT, 2\.3 MB, pinned\): installed: /);
});

test('a shared copy with one damaged file is refused with its path and both hashes, and nothing is installed', async () => {
  const shared = tmp('shared');
  const copy = join(shared, 'models', KWS.folder);
  cpSync(SHARED_KWS, copy, { recursive: true });
  const joiner = KWS.files.find((f) => f.role === 'joiner')!;
  const bad = join(copy, joiner.path);
  spawnSync('chmod', ['-R', 'u+w', copy]);
  const bytes = readFileSync(bad);
  bytes[1000] = bytes[1000]! ^ 0xff;
  writeFileSync(bad, bytes);
  const actual = await sha256File(bad);

  const models = tmp('models');
  const values = loadConfig({ MODELS_DIR: models, SHARED_DIR: shared }).values;
  const report = await installSherpaModel(values, DEFAULT_SHERPA_MODEL, { download: false });
  const problem = report.problems.find((p) => p.startsWith(`sherpa model ${DEFAULT_SHERPA_MODEL}`)) ?? '';
  assert.match(problem, /the shared copy was refused/);
  assert.ok(problem.includes(`${bad} has SHA-256 ${actual}, expected ${joiner.sha256}`), problem);
  assert.match(problem, /Nothing was installed/);
  assert.equal(existsSync(join(models, 'asr', 'sherpa', KWS.folder)), false);
  assert.deepEqual(leftovers(models), []);
  assert.equal(installedSherpaModelDir(values), undefined);
});

test('an archive placed by hand is unpacked, verified and installed; a damaged one is refused and removed', async () => {
  const models = tmp('models');
  const emptyShared = tmp('noshared');
  const values = loadConfig({ MODELS_DIR: models, SHARED_DIR: emptyShared }).values;
  const root = join(models, 'asr', 'sherpa');
  mkdirSync(root, { recursive: true });
  const archive = join(root, 'sherpa-onnx-kws-zipformer-wenetspeech-3.3M-2024-01-01-mobile.tar.bz2');
  // Build the archive the way upstream ships it: one top folder with the model files and more.
  const src = tmp('archive-src');
  cpSync(SHARED_KWS, join(src, KWS.folder), { recursive: true });
  const tar = spawnSync('tar', ['-cjf', archive, '-C', src, KWS.folder], { encoding: 'utf8' });
  assert.equal(tar.status, 0, tar.stderr);

  const report = await installSherpaModel(values, DEFAULT_SHERPA_MODEL, { download: false });
  const done = report.done.join('\n');
  assert.match(done, new RegExp(`installed from ${archive} to ${join(root, KWS.folder)} \\(SHA-256 verified for all 4 files\\)`));
  for (const f of KWS.files) assert.equal(await sha256File(join(root, KWS.folder, f.path)), f.sha256);
  assert.ok(existsSync(archive), 'an archive placed by hand is kept');
  assert.deepEqual(leftovers(models), []);

  // The same archive with a different encoder: refused with the path and hashes, archive removed, nothing installed.
  const models2 = tmp('models');
  const root2 = join(models2, 'asr', 'sherpa');
  mkdirSync(root2, { recursive: true });
  const encoder = KWS.files.find((f) => f.role === 'encoder')!;
  const srcEncoder = join(src, KWS.folder, encoder.path);
  spawnSync('chmod', ['-R', 'u+w', src]);
  const bytes = readFileSync(srcEncoder);
  bytes[5000] = bytes[5000]! ^ 0x01;
  writeFileSync(srcEncoder, bytes);
  const archive2 = join(root2, 'sherpa-onnx-kws-zipformer-wenetspeech-3.3M-2024-01-01-mobile.tar.bz2');
  assert.equal(spawnSync('tar', ['-cjf', archive2, '-C', src, KWS.folder]).status, 0);
  const bad = await installSherpaModel(loadConfig({ MODELS_DIR: models2, SHARED_DIR: emptyShared }).values, DEFAULT_SHERPA_MODEL, {
    download: false,
  });
  const problem = bad.problems.find((p) => p.startsWith('sherpa model')) ?? '';
  assert.match(
    problem,
    new RegExp(
      `the archive ${archive2} was refused: ${encoder.path} \\(in the archive\\) has SHA-256 [0-9a-f]{64}, expected ${encoder.sha256}`,
    ),
  );
  assert.match(problem, /Nothing was installed and the archive was removed/);
  assert.equal(existsSync(archive2), false);
  assert.equal(existsSync(join(root2, KWS.folder)), false);
  assert.deepEqual(leftovers(models2), []);
});

test('with downloading off and no copy anywhere: a clear message naming the archive, the place to put it and the way out', async () => {
  const models = tmp('models');
  const values = loadConfig({ MODELS_DIR: models, SHARED_DIR: tmp('noshared') }).values;
  const report = await installSherpaModel(values, 'zipformer-zh-14M', { download: false });
  const model = findSherpaModel('zipformer-zh-14M')!;
  const archive = join(models, 'asr', 'sherpa', 'sherpa-onnx-streaming-zipformer-zh-14M-2023-02-23.tar.bz2');
  assert.ok(
    report.problems.includes(
      `sherpa model zipformer-zh-14M not installed: no shared copy at ${join(values.SHARED_DIR, 'models', model.folder)}, ` +
        `no archive at ${archive}, and downloading is off. Copy ${model.archiveUrl} to ${archive} and run hotline models again ` +
        '(or run it without --no-download).',
    ),
    report.problems.join('\n'),
  );
  assert.match(
    report.problems.join('\n'),
    /Silero VAD not installed: no copy at .* and downloading is off\. To fix: copy silero_vad\.onnx/,
  );
  assert.deepEqual(leftovers(models), []);

  const unknown = await installSherpaModel(values, 'no-such-model', { download: false });
  assert.match(unknown.problems[0]!, /^unknown sherpa model "no-such-model": known models are kws-zipformer-wenetspeech-3\.3M-mobile, /);
  assert.equal(unknown.problems.length, 1, 'nothing else is attempted for an unknown name');
});

test('describeSherpaModelDir: a missing tokens.txt, an empty, garbage or LFS-pointer .onnx are refused with their full paths', () => {
  const dir = tmp('dir');
  for (const f of KWS.files.filter((f) => f.role !== 'tokens')) cpSync(join(SHARED_KWS, f.path), join(dir, f.path));
  let d = describeSherpaModelDir(dir);
  assert.ok('problems' in d);
  assert.deepEqual(d.problems, [`${join(dir, 'tokens.txt')} is missing: every sherpa-onnx model needs the tokens.txt it was trained with`]);

  cpSync(join(SHARED_KWS, 'tokens.txt'), join(dir, 'tokens.txt'));
  writeFileSync(join(dir, 'decoder-epoch-12-avg-2-chunk-16-left-64.onnx'), '');
  writeFileSync(join(dir, 'joiner-epoch-12-avg-2-chunk-16-left-64.int8.onnx'), '<html>404 Not Found</html>');
  writeFileSync(
    join(dir, 'encoder-epoch-12-avg-2-chunk-16-left-64.int8.onnx'),
    'version https://git-lfs.github.com/spec/v1\noid sha256:4ded\n',
  );
  d = describeSherpaModelDir(dir);
  assert.ok('problems' in d);
  const text = d.problems.join('\n');
  assert.ok(text.includes(`${join(dir, 'decoder-epoch-12-avg-2-chunk-16-left-64.onnx')} is empty (0 bytes)`), text);
  assert.ok(
    text.includes(`${join(dir, 'joiner-epoch-12-avg-2-chunk-16-left-64.int8.onnx')} does not start like an ONNX file (first byte 0x3c`),
    text,
  );
  assert.ok(text.includes(`${join(dir, 'encoder-epoch-12-avg-2-chunk-16-left-64.int8.onnx')} is a Git LFS pointer`), text);

  // No joiner and nothing saying Paraformer: the missing joiner is named with its full path.
  const noJoiner = tmp('nojoiner');
  for (const f of KWS.files.filter((f) => f.role !== 'joiner')) cpSync(join(SHARED_KWS, f.path), join(noJoiner, f.path));
  d = describeSherpaModelDir(noJoiner);
  assert.ok('problems' in d);
  assert.match(d.problems[0]!, new RegExp(`^${join(noJoiner, 'joiner\\*\\.onnx')} is missing`));
  assert.deepEqual(describeSherpaModelDir(join(noJoiner, 'nope')), {
    problems: [
      `${join(noJoiner, 'nope')} is not a folder: set SHERPA_MODEL_DIR to a sherpa-onnx streaming model folder, or run hotline models`,
    ],
  });
});

test('describeSherpaModelDir: prefers int8 encoder and joiner and the fp32 decoder; recognises Paraformer and CTC folders; Han tokens mean characters', () => {
  const onnx = readFileSync(join(SHARED_KWS, KWS.files[1]!.path));
  const hanTokens = `<blk> 0\n${Array.from({ length: 50 }, (_, i) => `${String.fromCodePoint(0x4e00 + i)} ${i + 1}`).join('\n')}\n`;
  const dir = tmp('both');
  for (const n of ['encoder.onnx', 'encoder.int8.onnx', 'decoder.onnx', 'decoder.int8.onnx', 'joiner.onnx', 'joiner.int8.onnx'])
    writeFileSync(join(dir, n), onnx);
  writeFileSync(join(dir, 'tokens.txt'), hanTokens);
  const t = describeSherpaModelDir(dir);
  assert.ok(!('problems' in t));
  assert.deepEqual(t, {
    kind: 'transducer',
    output: 'characters',
    files: {
      encoder: join(dir, 'encoder.int8.onnx'),
      decoder: join(dir, 'decoder.onnx'),
      joiner: join(dir, 'joiner.int8.onnx'),
      tokens: join(dir, 'tokens.txt'),
    },
  });

  const para = join(tmp('p'), 'sherpa-onnx-streaming-paraformer-bilingual-zh-en');
  mkdirSync(para);
  for (const n of ['encoder.int8.onnx', 'decoder.int8.onnx']) writeFileSync(join(para, n), onnx);
  writeFileSync(join(para, 'tokens.txt'), hanTokens);
  const p = describeSherpaModelDir(para);
  assert.ok(!('problems' in p));
  assert.equal(p.kind, 'paraformer');
  assert.deepEqual(Object.keys(p.files).sort(), ['decoder', 'encoder', 'tokens']);

  const ctc = tmp('ctc');
  writeFileSync(join(ctc, 'model.int8.onnx'), onnx);
  writeFileSync(join(ctc, 'tokens.txt'), hanTokens);
  const c = describeSherpaModelDir(ctc);
  assert.ok(!('problems' in c));
  assert.equal(c.kind, 'ctc');
  assert.equal(c.files.model, join(ctc, 'model.int8.onnx'));
});

test('downloadFile streams to a .part file with progress and renames it only when complete (local HTTP server)', async () => {
  const { createServer } = await import('node:http');
  const body = readFileSync(join(SHARED_KWS, 'tokens.txt'));
  const server = createServer((req, res) => {
    if (req.url === '/whole') {
      res.writeHead(200, { 'content-length': body.length });
      res.end(body);
    } else if (req.url === '/cut') {
      // Promises more than it sends, then hangs up: a connection lost half-way.
      res.writeHead(200, { 'content-length': body.length * 2 });
      res.write(body, () => res.destroy());
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const { downloadFile } = await import('./download.js');
  const dir = tmp('dl');
  try {
    const seen: [number, number | undefined][] = [];
    await downloadFile(`${base}/whole`, join(dir, 'a'), { timeoutMs: 5000, progress: (d, t) => seen.push([d, t]) });
    assert.deepEqual(readFileSync(join(dir, 'a')), body);
    assert.deepEqual(seen.at(-1), [body.length, body.length]);
    await assert.rejects(downloadFile(`${base}/cut`, join(dir, 'b'), { timeoutMs: 5000 }));
    await assert.rejects(downloadFile(`${base}/missing`, join(dir, 'c'), { timeoutMs: 5000 }), /HTTP 404/);
    assert.deepEqual(readdirSync(dir), ['a'], 'no .part file and no partial file left');
  } finally {
    server.close();
  }
});
