/**
 * `hotline models` for the sherpa engine: installs a catalogue model into
 * MODELS_DIR/asr/sherpa/<folder>/, Silero VAD into MODELS_DIR/asr/silero-vad/ and the pinyin
 * lexicon into MODELS_DIR/asr/lexicon/. A shared copy (SHARED_DIR/models/) is preferred, else
 * an archive placed by hand, else the official download. Every pinned file is checked against
 * its SHA-256; a model is assembled in a hidden staging folder and renamed into place only when
 * all its files passed, so a half-done install is never taken for an installed model.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { SetupReport } from '../models.js';
import { type AsrSettings, asrPaths } from '../settings.js';
import {
  DEFAULT_SHERPA_MODEL,
  findSherpaModel,
  PINYIN_LEXICON,
  SHERPA_MODELS,
  type SherpaModel,
  type SherpaSupportFile,
  SILERO_VAD,
} from './catalogue.js';
import { downloadFile } from './download.js';
import { copyHashed, fileProblem } from './verify.js';

export { describeSherpaModelDir, type SherpaModelDescription } from './model-dir.js';

export interface SherpaInstallOptions {
  /** false: never download (shared copies and hand-placed archives only). */
  download?: boolean;
  log?: (line: string) => void;
  progress?: (done: number, total?: number) => void;
  downloadTimeoutMs?: number;
}

/** An hour: the largest catalogue archive is several hundred MB. */
const DEFAULT_DOWNLOAD_TIMEOUT_MS = 3_600_000;

export interface SherpaPaths {
  modelsDir: string;
  sharedDir: string;
  /** MODELS_DIR/asr/sherpa: one folder per installed model. */
  root: string;
  vad: string;
  lexicon: string;
}

export function sherpaPaths(values: AsrSettings): SherpaPaths {
  const { modelsDir, sharedDir } = asrPaths(values);
  const asrDir = join(modelsDir, 'asr');
  return {
    modelsDir,
    sharedDir,
    root: join(asrDir, 'sherpa'),
    vad: join(asrDir, SILERO_VAD.installPath),
    lexicon: join(asrDir, PINYIN_LEXICON.installPath),
  };
}

function unknownModel(name: string): string {
  return `unknown sherpa model "${name}": known models are ${SHERPA_MODELS.map((m) => m.name).join(', ')}`;
}

/** Why `dir` is not a complete install of `model` (files missing or of the wrong size); empty when it is. Sizes only: cheap. */
export function installProblems(model: SherpaModel, dir: string): string[] {
  const problems: string[] = [];
  for (const f of model.files) {
    const path = join(dir, f.path);
    if (!existsSync(path)) problems.push(`${path} is missing`);
    else {
      const size = statSync(path).size;
      if (f.bytes !== undefined && size !== f.bytes) problems.push(`${path} is ${size} bytes, expected ${f.bytes}`);
      else if (size === 0) problems.push(`${path} is empty`);
    }
  }
  return problems;
}

/** Installs catalogue model `name`, Silero VAD and the pinyin lexicon. Never throws for a missing or bad file: see `problems`. */
export async function installSherpaModel(values: AsrSettings, name: string, opts: SherpaInstallOptions = {}): Promise<SetupReport> {
  const report: SetupReport = { done: [], problems: [] };
  const model = findSherpaModel(name);
  if (!model) return { done: [], problems: [unknownModel(name)] };
  await installModelFolder(model, sherpaPaths(values), opts, report);
  const support = await installSherpaSupportFiles(values, opts);
  report.done.push(...support.done);
  report.problems.push(...support.problems);
  return report;
}

/** Silero VAD and the pinyin lexicon alone (for a site that brings its own model in SHERPA_MODEL_DIR). */
export async function installSherpaSupportFiles(values: AsrSettings, opts: SherpaInstallOptions = {}): Promise<SetupReport> {
  const report: SetupReport = { done: [], problems: [] };
  const paths = sherpaPaths(values);
  await installSupportFile(SILERO_VAD, paths.vad, paths, opts, report);
  await installSupportFile(PINYIN_LEXICON, paths.lexicon, paths, opts, report);
  return report;
}

async function installModelFolder(model: SherpaModel, paths: SherpaPaths, opts: SherpaInstallOptions, report: SetupReport): Promise<void> {
  const log = opts.log ?? (() => {});
  const label = `sherpa model ${model.name}`;
  const target = join(paths.root, model.folder);
  const present = installProblems(model, target);
  if (!present.length) {
    report.done.push(`${label} already installed in ${target}`);
    return;
  }
  if (existsSync(target)) log(`${target} is incomplete (${present.join('; ')}): installing it again`);
  mkdirSync(paths.root, { recursive: true });
  removeStaleStaging(paths.root, model.folder);
  const stage = mkdtempSync(join(paths.root, `.${model.folder}.installing-`));
  const staged = join(stage, 'model');
  mkdirSync(staged);
  try {
    const shared = join(paths.sharedDir, 'models', model.folder);
    if (existsSync(shared)) {
      log(`${label}: copying from ${shared}`);
      const refused = await copyFromShared(model, shared, staged);
      if (refused.length) {
        report.problems.push(
          `${label} not installed, the shared copy was refused: ${refused.join('; ')}. Nothing was installed; ` +
            `replace the shared copy, or remove ${shared} so the official archive is used.`,
        );
        return;
      }
      commit(staged, target);
      report.done.push(`${label} copied from ${shared} to ${target} (${verifiedSummary(model)})`);
      return;
    }

    const archive = join(paths.root, basename(new URL(model.archiveUrl).pathname));
    let downloaded = false;
    if (!existsSync(archive)) {
      if (opts.download === false) {
        report.problems.push(
          `${label} not installed: no shared copy at ${shared}, no archive at ${archive}, and downloading is off. ` +
            `Copy ${model.archiveUrl} to ${archive} and run hotline models again (or run it without --no-download).`,
        );
        return;
      }
      log(`${label}: downloading ${model.archiveUrl} (about ${model.approxMB} MB of model files; the archive is larger)`);
      try {
        await downloadFile(model.archiveUrl, archive, {
          timeoutMs: opts.downloadTimeoutMs ?? DEFAULT_DOWNLOAD_TIMEOUT_MS,
          progress: opts.progress,
        });
        downloaded = true;
      } catch (err) {
        report.problems.push(
          `${label} not installed: cannot download ${model.archiveUrl} (${(err as Error).message}). Offline? ` +
            `Copy that file to ${archive} and run hotline models again, or put the model folder in ${shared}.`,
        );
        return;
      }
    } else log(`${label}: using the archive ${archive}`);

    const extracted = extractNeeded(model, archive, join(stage, 'extract'), staged);
    const refused = extracted ?? (await verifyStaged(model, staged));
    if (refused.length) {
      rmSync(archive, { force: true });
      report.problems.push(
        `${label} not installed, the archive ${archive} was refused: ${refused.join('; ')}. Nothing was installed and the archive was removed; ` +
          `run hotline models again to download it afresh.`,
      );
      return;
    }
    commit(staged, target);
    if (downloaded) rmSync(archive, { force: true });
    report.done.push(`${label} installed from ${downloaded ? model.archiveUrl : archive} to ${target} (${verifiedSummary(model)})`);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** Copies the model's files from the read-only shared folder, hashing while copying; returns the refusals. */
async function copyFromShared(model: SherpaModel, shared: string, staged: string): Promise<string[]> {
  const refused: string[] = [];
  for (const f of model.files) {
    const src = join(shared, f.path);
    if (!existsSync(src)) {
      refused.push(`${src} is missing`);
      continue;
    }
    const dest = join(staged, f.path);
    mkdirSync(dirname(dest), { recursive: true });
    const hash = await copyHashed(src, dest);
    // Judge the copy (what would be installed) but name the shared file, which is what needs fixing.
    const p = await fileProblem(dest, f, hash);
    if (p) {
      rmSync(dest, { force: true });
      refused.push(p.replace(dest, src));
    }
  }
  return refused;
}

async function verifyStaged(model: SherpaModel, staged: string): Promise<string[]> {
  const refused: string[] = [];
  for (const f of model.files) {
    const path = join(staged, f.path);
    const p = await fileProblem(path, f);
    if (p) {
      rmSync(path, { force: true });
      // The staging path is gone by the time anyone reads this; the archive member is what can be looked up.
      refused.push(p.replace(path, `${f.path} (in the archive)`));
    }
  }
  return refused;
}

/**
 * Extracts only the model's files from the archive (its members sit in one top folder) and
 * moves them into `staged`. Returns the problems, or undefined when every file was found.
 */
function extractNeeded(model: SherpaModel, archive: string, into: string, staged: string): string[] | undefined {
  mkdirSync(into, { recursive: true });
  // `*` must not cross a slash: "*/tokens.txt" is the top folder's tokens.txt, not test_wavs/tokens.txt.
  const patterns = model.files.flatMap((f) => [`*/${f.path}`, f.path]);
  const tar = spawnSync('tar', ['-xjf', archive, '-C', into, '--wildcards', '--no-wildcards-match-slash', ...patterns], {
    encoding: 'utf8',
  });
  // Each pattern that matched nothing makes tar complain and exit 2; only other complaints mean a damaged archive.
  const complaints = (tar.stderr ?? '')
    .split('\n')
    .filter((l) => l.trim() && !/Not found in archive|Exiting with failure status due to previous errors/.test(l));
  if (tar.error || complaints.length) {
    return [
      `tar -xjf failed (${(tar.error?.message ?? complaints.slice(0, 3).join(' ')).trim()}): a damaged or incomplete download (is bzip2 installed? apt-get install bzip2)`,
    ];
  }
  const tops = readdirSync(into).filter((n) => statSync(join(into, n)).isDirectory());
  const missing: string[] = [];
  for (const f of model.files) {
    const found = [...tops.map((t) => join(into, t, f.path)), join(into, f.path)].find((p) => existsSync(p));
    if (!found) {
      missing.push(`${f.path} is not in the archive`);
      continue;
    }
    mkdirSync(dirname(join(staged, f.path)), { recursive: true });
    renameSync(found, join(staged, f.path));
  }
  return missing.length ? missing : undefined;
}

/** Puts the verified staging folder in place; an older, incomplete folder is moved aside first and then removed. */
function commit(staged: string, target: string): void {
  if (existsSync(target)) {
    const old = `${staged}.replaced`;
    renameSync(target, old);
    renameSync(staged, target);
    rmSync(old, { recursive: true, force: true });
  } else renameSync(staged, target);
}

/** Staging folders of an earlier run that was killed half-way. */
function removeStaleStaging(root: string, folder: string): void {
  for (const n of readdirSync(root)) {
    if (n.startsWith(`.${folder}.installing-`)) rmSync(join(root, n), { recursive: true, force: true });
  }
}

function verifiedSummary(model: SherpaModel): string {
  const pinned = model.files.filter((f) => f.sha256).length;
  if (pinned === model.files.length) return `SHA-256 verified for all ${pinned} files`;
  const sized = model.files.filter((f) => !f.sha256 && f.bytes !== undefined).length;
  const unpinned = model.files.filter((f) => !f.sha256).map((f) => f.path);
  return (
    `SHA-256 verified for ${pinned} of ${model.files.length} files; hash unpinned for ${unpinned.join(', ')} ` +
    `(${sized ? 'size checked' : 'no published size or hash: only checked to be non-empty and, for .onnx, to look like ONNX'})`
  );
}

async function installSupportFile(
  spec: SherpaSupportFile,
  target: string,
  paths: SherpaPaths,
  opts: SherpaInstallOptions,
  report: SetupReport,
): Promise<void> {
  const log = opts.log ?? (() => {});
  // Small files: re-hashing the installed copy on every run is cheap and catches a damaged one.
  if (existsSync(target)) {
    const p = await fileProblem(target, spec);
    if (!p) {
      report.done.push(`${spec.name} already installed at ${target}`);
      return;
    }
    log(`${spec.name}: ${p}; installing it again`);
    rmSync(target, { force: true });
  }
  mkdirSync(dirname(target), { recursive: true });
  const tmp = `${target}.installing`;
  const sources = [join(paths.sharedDir, 'models', spec.sharedPath), ...spec.systemPaths];
  const refused: string[] = [];
  try {
    for (const src of sources.filter((s) => existsSync(s))) {
      const p = await fileProblem(tmp, spec, await copyHashed(src, tmp));
      if (!p) {
        renameSync(tmp, target);
        report.done.push(`${spec.name} copied from ${src} to ${target} (SHA-256 verified)`);
        return;
      }
      refused.push(`refused ${p.replace(tmp, src)}`);
      log(`${spec.name}: ${refused.at(-1)}`);
    }
    if (spec.url && opts.download !== false) {
      log(`${spec.name}: downloading ${spec.url}`);
      try {
        await downloadFile(spec.url, tmp, { timeoutMs: opts.downloadTimeoutMs ?? DEFAULT_DOWNLOAD_TIMEOUT_MS, progress: opts.progress });
      } catch (err) {
        report.problems.push(
          `${spec.name} not installed: ${[...refused, `cannot download ${spec.url} (${(err as Error).message})`].join('; ')}. ` +
            `Offline? Put it at ${sources[0]} or ${spec.missingHint} (to ${target}), and run hotline models again.`,
        );
        return;
      }
      const p = await fileProblem(tmp, spec);
      if (!p) {
        renameSync(tmp, target);
        report.done.push(`${spec.name} downloaded from ${spec.url} to ${target} (SHA-256 verified)`);
        return;
      }
      refused.push(`refused the download: ${p.replace(tmp, spec.url)}; it was removed`);
    }
    const why = refused.length ? refused.join('; ') : `no copy at ${sources.join(' or ')}`;
    const off = spec.url && opts.download === false ? ' and downloading is off' : '';
    report.problems.push(
      `${spec.name} not installed: ${why}${off}. To fix: ${spec.missingHint} (to ${target}), then run hotline models again.`,
    );
  } finally {
    rmSync(tmp, { force: true });
  }
}

export interface SherpaModelStatus {
  model: SherpaModel;
  /** Where it is (or would be) installed: MODELS_DIR/asr/sherpa/<folder>. */
  dir: string;
  installed: boolean;
  /** Why it is not installed (missing files, wrong sizes); empty when installed. */
  problems: string[];
  /** The shared copy `hotline models` would install it from, when there is one. */
  shared?: string;
}

/** Every catalogue model: installed or not (all files present, sizes match) and where. */
export function sherpaModelStatus(values: AsrSettings): SherpaModelStatus[] {
  const paths = sherpaPaths(values);
  return SHERPA_MODELS.map((model) => {
    const dir = join(paths.root, model.folder);
    const problems = installProblems(model, dir);
    const shared = join(paths.sharedDir, 'models', model.folder);
    return { model, dir, installed: !problems.length, problems, shared: existsSync(shared) ? shared : undefined };
  });
}

/** The model folder the sherpa engine should use: SHERPA_MODEL_DIR when set, else the installed SHERPA_MODEL (default the small one). */
export function installedSherpaModelDir(values: AsrSettings): string | undefined {
  const own = values.SHERPA_MODEL_DIR;
  if (own) return own;
  const model = findSherpaModel(values.SHERPA_MODEL ?? DEFAULT_SHERPA_MODEL);
  if (!model) return undefined;
  const dir = join(sherpaPaths(values).root, model.folder);
  return installProblems(model, dir).length ? undefined : dir;
}
