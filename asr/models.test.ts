/**
 * `hotline models`: what it sets up, and how it refuses a bad or missing Vosk model. The
 * downloads go to a server on 127.0.0.1, so the test reads the same with or without Internet.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../app/config.js';
import { setupModels, VOSK_ZIP_BYTES } from './models.js';

const literally = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('models: copies PocketSphinx, refuses a wrong Vosk zip (and deletes it), explains a failed download', async () => {
  const models = mkdtempSync(join(tmpdir(), 'asr-models-'));
  const values = loadConfig({ MODELS_DIR: models }).values;
  mkdirSync(join(models, 'asr'), { recursive: true });
  const zip = join(models, 'asr', 'vosk-model-small-cn-0.22.zip');
  writeFileSync(zip, 'PK not really a model');
  const lines: string[] = [];
  const first = await setupModels(values, { download: false, extractLibrary: false, log: (l) => lines.push(l) });
  assert.ok(existsSync(join(models, 'asr/pocketsphinx-zh-tdt_sc_8k/model/hmm/zh/tdt_sc_8k/mdef')));
  assert.match(first.done.join('\n'), /PocketSphinx model copied/);
  assert.match(
    first.problems.join('\n'),
    new RegExp(`zip is 21 bytes, expected ${VOSK_ZIP_BYTES}: an incomplete or different file; the file was removed`),
  );
  assert.match(first.problems.join('\n'), /libvosk\.so missing at /);
  assert.match(lines.join('\n'), /vosk-model-small-cn-0\.22\.partial is only a partial copy \(missing am\/final\.mdl/);
  assert.equal(existsSync(zip), false);

  const server = createServer((req, res) => {
    if (req.url === '/wrong.zip') {
      res.writeHead(200, { 'content-length': 21 });
      res.end('PK not really a model');
    } else {
      res.writeHead(503, 'Service Unavailable');
      res.end();
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A port nothing listens on: the connection is refused, as with no route to the site.
  const closed = createServer();
  await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', ok));
  const refused = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/vosk.zip`;
  await new Promise((ok) => closed.close(ok));
  try {
    const opts = { download: true, extractLibrary: false, downloadTimeoutMs: 5000 };
    // A download that fails: a clear message naming the URL and what to do, not a stack trace.
    for (const [url, why] of [
      [`${base}/down.zip`, 'HTTP 503 Service Unavailable'],
      [refused, 'ECONNREFUSED'],
    ] as const) {
      const failed = await setupModels(values, { ...opts, voskZipUrl: url });
      assert.match(failed.done.join('\n'), /PocketSphinx model already in/);
      const vosk = failed.problems.find((p) => p.startsWith('Vosk model:')) ?? '';
      assert.match(
        vosk,
        new RegExp(
          `cannot download ${literally(url)} \\(.*${why}.*\\)\\. Offline\\? Copy the official zip to .*\\.zip and run hotline models again`,
        ),
      );
      assert.equal(existsSync(zip), false);
    }
    // A download that is not the official zip is checked, refused and removed.
    const wrong = await setupModels(values, { ...opts, voskZipUrl: `${base}/wrong.zip` });
    assert.match(
      wrong.problems.join('\n'),
      new RegExp(`zip is 21 bytes, expected ${VOSK_ZIP_BYTES}: an incomplete or different file; the file was removed`),
    );
    assert.equal(existsSync(zip), false);
    assert.equal(existsSync(`${zip}.part`), false);
  } finally {
    server.close();
  }
});
