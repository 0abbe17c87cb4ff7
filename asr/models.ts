/**
 * `hotline models`: puts the speech models and libvosk.so where the engines look for them
 * (MODELS_DIR/asr/, git-ignored). Shared copies are preferred; the Vosk model is otherwise
 * downloaded once, at setup, and checked against its published size and SHA-256.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, createReadStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkVoskModel } from './native/vosk.js';
import { type AsrSettings, asrPaths, PS_MODEL_NAME, VOSK_MODEL_NAME } from './settings.js';
import { downloadFile } from './sherpa/download.js';

export const VOSK_ZIP_URL = `https://alphacephei.com/vosk/models/${VOSK_MODEL_NAME}.zip`;
export const VOSK_ZIP_BYTES = 43_898_754;
export const VOSK_ZIP_SHA256 = '3af8b0e7e0f835ae9d414ce5df580237a3cfb08d586c9fbbb0f7ff29ad5b14ba';
/** The vosk npm release whose tarball carries libvosk.so for linux-x86_64. */
export const VOSK_NPM = 'vosk@0.3.39';

export interface SetupReport {
  done: string[];
  problems: string[];
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Checks a downloaded or hand-copied zip against the published size and hash. */
export async function verifyVoskZip(path: string): Promise<string | undefined> {
  const size = statSync(path).size;
  if (size !== VOSK_ZIP_BYTES) return `${path} is ${size} bytes, expected ${VOSK_ZIP_BYTES}: an incomplete or different file`;
  const hash = await sha256File(path);
  if (hash !== VOSK_ZIP_SHA256) return `${path} has SHA-256 ${hash}, expected ${VOSK_ZIP_SHA256}: not the official model`;
  return undefined;
}

/** Extracts libvosk.so from the vosk npm package tarball (the package itself does not build on Node 20). */
export function extractLibvosk(target: string): string | undefined {
  const tmp = mkdtempSync(join(tmpdir(), 'hotline-vosk-'));
  try {
    const pack = spawnSync('npm', ['pack', VOSK_NPM, '--silent'], { cwd: tmp, encoding: 'utf8', timeout: 120_000 });
    const tgz = pack.stdout?.trim().split('\n').at(-1);
    if (pack.status !== 0 || !tgz)
      return `npm pack ${VOSK_NPM} failed (${(pack.stderr || pack.error?.message || '').trim().slice(0, 300)}): is the npm registry reachable?`;
    const untar = spawnSync('tar', ['xzf', tgz, 'package/lib/linux-x86_64/libvosk.so'], { cwd: tmp, encoding: 'utf8' });
    if (untar.status !== 0) return `the ${VOSK_NPM} tarball has no lib/linux-x86_64/libvosk.so (${untar.stderr.trim()})`;
    mkdirSync(join(target, '..'), { recursive: true });
    copyFileSync(join(tmp, 'package/lib/linux-x86_64/libvosk.so'), target);
    return undefined;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export interface SetupModelsOptions {
  /** Download the Vosk model when no copy is found (default true). */
  download?: boolean;
  log?: (line: string) => void;
  /** How long the Vosk download may take (default 10 minutes). */
  downloadTimeoutMs?: number;
  /** Extract libvosk.so from the vosk npm tarball when missing (default true; needs the npm registry). */
  extractLibrary?: boolean;
  /** Where the Vosk zip is downloaded from (default VOSK_ZIP_URL): a site mirror, or a local server in tests. */
  voskZipUrl?: string;
}

export async function setupModels(values: AsrSettings, opts: SetupModelsOptions = {}): Promise<SetupReport> {
  const log = opts.log ?? (() => {});
  const paths = asrPaths(values);
  const asrDir = join(paths.modelsDir, 'asr');
  const report: SetupReport = { done: [], problems: [] };
  mkdirSync(asrDir, { recursive: true });

  // PocketSphinx: the Mandarin model only exists in the shared folder (it is no longer published upstream).
  const psTarget = join(asrDir, PS_MODEL_NAME);
  const psShared = join(paths.sharedDir, 'models', PS_MODEL_NAME);
  if (existsSync(join(psTarget, 'model'))) report.done.push(`PocketSphinx model already in ${psTarget}`);
  else if (existsSync(psShared)) {
    cpSync(psShared, psTarget, { recursive: true });
    // The shared folder is read-only; the copy must stay replaceable by a later setup.
    spawnSync('chmod', ['-R', 'u+w', psTarget]);
    report.done.push(`PocketSphinx model copied to ${psTarget}`);
  } else report.problems.push(`no PocketSphinx model: ${psShared} does not exist (see docs/asr.md for where it comes from)`);

  // libvosk.so
  if (existsSync(paths.voskLibrary)) report.done.push(`libvosk.so already at ${paths.voskLibrary}`);
  else if (opts.extractLibrary === false) report.problems.push(`libvosk.so missing at ${paths.voskLibrary}`);
  else {
    const p = extractLibvosk(paths.voskLibrary);
    if (p) report.problems.push(`libvosk.so: ${p}`);
    else report.done.push(`libvosk.so extracted from ${VOSK_NPM} to ${paths.voskLibrary}`);
  }

  // Vosk model: complete shared copy, else a zip placed by hand, else the official download.
  const voskShared = join(paths.sharedDir, 'models', VOSK_MODEL_NAME);
  const zip = join(asrDir, `${VOSK_MODEL_NAME}.zip`);
  if (!checkVoskModel(paths.voskModel).length) report.done.push(`Vosk model already complete at ${paths.voskModel}`);
  else if (existsSync(voskShared) && !checkVoskModel(voskShared).length) {
    cpSync(voskShared, paths.voskModel, { recursive: true });
    report.done.push(`Vosk model copied from ${voskShared}`);
  } else {
    const partial = `${voskShared}.partial`;
    if (existsSync(partial)) {
      log(`${partial} is only a partial copy (${checkVoskModel(partial).join('; ')}): it cannot be used.`);
    }
    let problem: string | undefined;
    if (!existsSync(zip) && opts.download !== false) {
      const url = opts.voskZipUrl ?? VOSK_ZIP_URL;
      log(`downloading ${url} ...`);
      try {
        await downloadFile(url, zip, { timeoutMs: opts.downloadTimeoutMs ?? 600_000 });
      } catch (err) {
        problem = `Vosk model: cannot download ${url} (${(err as Error).message}). Offline? Copy the official zip to ${zip} and run hotline models again, or use PocketSphinx (ASR_ENGINE=pocketsphinx).`;
      }
    } else if (!existsSync(zip)) {
      problem = `Vosk model not installed: ${paths.voskModel} is incomplete (${checkVoskModel(paths.voskModel).join('; ')}) and downloading is off; copy the official zip to ${zip}.`;
    }
    if (!problem) {
      problem = await verifyVoskZip(zip);
      if (problem) {
        rmSync(zip, { force: true });
        problem = `Vosk model: ${problem}; the file was removed.`;
      }
    }
    if (!problem) {
      const unzip = spawnSync('unzip', ['-q', '-o', zip, '-d', join(paths.voskModel, '..')], { encoding: 'utf8' });
      if (unzip.status !== 0) problem = `Vosk model: unzip ${zip} failed: ${(unzip.stderr || unzip.error?.message || '').trim()}`;
      else {
        const left = checkVoskModel(paths.voskModel);
        if (left.length) problem = `Vosk model: after unzipping, ${paths.voskModel} is still not usable: ${left.join('; ')}`;
        else report.done.push(`Vosk model verified (SHA-256) and unpacked to ${paths.voskModel}`);
      }
    }
    if (problem) report.problems.push(problem);
  }
  for (const d of report.done) log(d);
  return report;
}
