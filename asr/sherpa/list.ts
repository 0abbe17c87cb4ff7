/** `hotline models --list`: the sherpa catalogue as a table, with what is installed here and what is pinned. */
import { existsSync } from 'node:fs';
import type { AsrSettings } from '../settings.js';
import { DEFAULT_SHERPA_MODEL, PINYIN_LEXICON, type SherpaModel, SILERO_VAD } from './catalogue.js';
import { describeSherpaModelDir, sherpaModelStatus, sherpaPaths } from './setup.js';

function pinned(model: SherpaModel): string {
  const n = model.files.filter((f) => f.sha256).length;
  if (n === model.files.length) return 'yes';
  return n ? `partly (${n}/${model.files.length})` : 'no';
}

export function formatSherpaList(values: AsrSettings): string {
  const chosen = values.SHERPA_MODEL ?? DEFAULT_SHERPA_MODEL;
  const status = sherpaModelStatus(values);
  const rows = status.map((s) => [
    `${s.model.name === chosen ? '*' : ' '} ${s.model.name}`,
    s.model.kind,
    s.model.output,
    `${s.model.approxMB} MB`,
    s.model.licence,
    pinned(s.model),
    s.installed ? `yes: ${s.dir}` : s.shared ? `no (shared copy in ${s.shared})` : 'no',
  ]);
  const header = ['  model', 'kind', 'output', 'size', 'licence', 'pinned', 'installed'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [line(header), ...rows.map(line)];
  out.push('', `* = SHERPA_MODEL (${chosen}); install another with hotline models --sherpa NAME.`);

  const unpinned = status.filter((s) => s.model.unpinned);
  if (unpinned.length) {
    out.push(
      '',
      'Unpinned (no published SHA-256 for some files; the install checks sizes only where known and says the hash is unpinned):',
    );
    for (const s of unpinned) {
      const files = s.model.files.filter((f) => !f.sha256).map((f) => f.path);
      out.push(`  ${s.model.name}: ${files.join(', ')}`);
    }
  }

  const paths = sherpaPaths(values);
  out.push('', 'Support files:');
  for (const [spec, path] of [
    [SILERO_VAD, paths.vad],
    [PINYIN_LEXICON, paths.lexicon],
  ] as const) {
    out.push(
      `  ${spec.name} (${spec.licence}, ${(spec.bytes / 1e6).toFixed(1)} MB, pinned): ${existsSync(path) ? `installed: ${path}` : 'not installed'}`,
    );
  }

  const own = values.SHERPA_MODEL_DIR;
  if (own) {
    const d = describeSherpaModelDir(own);
    out.push(
      '',
      `SHERPA_MODEL_DIR=${own}: ${'problems' in d ? `not usable: ${d.problems.join('; ')}` : `${d.kind}, ${d.output} (used instead of SHERPA_MODEL)`}`,
    );
  }
  return out.join('\n');
}
