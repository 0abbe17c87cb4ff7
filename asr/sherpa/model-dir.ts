/**
 * Works out what a sherpa-onnx streaming model folder holds (any folder a site brings,
 * not only the catalogue's): which model type, which files play which role, and whether
 * it outputs pinyin or characters. Missing or broken files are reported with their full
 * path, so a bad folder is refused here and never reaches the native recognizer.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { SherpaKind, SherpaOutput, SherpaRole } from './catalogue.js';
import { onnxHeaderProblem } from './verify.js';

export interface SherpaModelDescription {
  kind: SherpaKind;
  output: SherpaOutput;
  /** Full paths by role: encoder/decoder/joiner (transducer), encoder/decoder (paraformer) or model (CTC), and tokens. */
  files: Partial<Record<SherpaRole, string>>;
}

export function describeSherpaModelDir(dir: string): SherpaModelDescription | { problems: string[] } {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    return { problems: [`${dir} is not a folder: set SHERPA_MODEL_DIR to a sherpa-onnx streaming model folder, or run hotline models`] };
  }
  const onnx = readdirSync(dir)
    .filter((n) => n.endsWith('.onnx') && statSync(join(dir, n)).isFile())
    .sort();
  // int8 encoders and joiners are as accurate in practice and several times faster on CPU; the decoder is small,
  // and the sherpa-onnx examples pair int8 encoder/joiner with the fp32 decoder when both are there.
  const pick = (prefix: string, preferInt8: boolean): string | undefined => {
    const found = onnx.filter((n) => n.startsWith(prefix));
    const int8 = found.filter((n) => n.includes('.int8.'));
    const plain = found.filter((n) => !n.includes('.int8.'));
    const name = (preferInt8 ? (int8[0] ?? plain[0]) : (plain[0] ?? int8[0])) as string | undefined;
    return name === undefined ? undefined : join(dir, name);
  };
  const encoder = pick('encoder', true);
  const decoder = pick('decoder', false);
  const joiner = pick('joiner', true);
  const single = pick('model', true) ?? pick('ctc', true);
  const tokens = join(dir, 'tokens.txt');
  const problems: string[] = [];
  let kind: SherpaKind | undefined;
  let files: Partial<Record<SherpaRole, string>> = {};

  if (encoder && decoder && joiner) {
    kind = 'transducer';
    files = { encoder, decoder, joiner };
  } else if (encoder && decoder) {
    if (/paraformer/i.test(basename(dir)) || onnx.some((n) => /paraformer/i.test(n))) {
      kind = 'paraformer';
      files = { encoder, decoder };
    } else {
      problems.push(
        `${join(dir, 'joiner*.onnx')} is missing: a transducer needs encoder, decoder and joiner (a Paraformer folder is recognised by "paraformer" in its name)`,
      );
    }
  } else if (encoder || decoder || joiner) {
    for (const [role, path] of [
      ['encoder', encoder],
      ['decoder', decoder],
      ['joiner', joiner],
    ] as const) {
      if (!path) problems.push(`${join(dir, `${role}*.onnx`)} is missing`);
    }
  } else if (single) {
    kind = 'ctc';
    files = { model: single };
  } else {
    problems.push(
      `no model in ${dir}: expected encoder*.onnx, decoder*.onnx and joiner*.onnx (transducer), encoder*.onnx and decoder*.onnx (Paraformer) or model*.onnx (CTC)`,
    );
  }

  if (!existsSync(tokens)) problems.push(`${tokens} is missing: every sherpa-onnx model needs the tokens.txt it was trained with`);
  else if (statSync(tokens).size === 0) problems.push(`${tokens} is empty`);
  for (const path of Object.values(files)) {
    const p = onnxHeaderProblem(path);
    if (p) problems.push(p);
  }
  if (problems.length || !kind) return { problems };
  return { kind, output: tokensArePinyin(tokens) ? 'pinyin' : 'characters', files: { ...files, tokens } };
}

const TONAL = /^[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*$/u;
const HAN = /^\p{Script=Han}+$/u;

/** Pinyin models (the KWS family) have tonal finals such as "ǎo" or "iàn" as tokens; character models have Han tokens. */
function tokensArePinyin(tokensPath: string): boolean {
  let tonal = 0;
  let han = 0;
  for (const line of readFileSync(tokensPath, 'utf8').split('\n')) {
    const token = line.trim().split(/\s+/)[0] ?? '';
    if (TONAL.test(token)) tonal++;
    else if (HAN.test(token)) han++;
  }
  return tonal >= 20 && tonal > han;
}
