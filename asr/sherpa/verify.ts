/**
 * Byte-level checks for model files: size and SHA-256 against the catalogue, a copy that
 * hashes while it copies (so a shared file is read once), and a cheap look at an .onnx
 * file's first bytes so a truncated or wrong file is refused before the native code sees it.
 */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, createWriteStream, openSync, readSync, statSync } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sha256File } from '../models.js';

export interface Expected {
  bytes?: number;
  sha256?: string;
}

/** Copies `src` to `dest` (created writable, even when `src` is read-only) and returns the SHA-256 of what was copied. */
export async function copyHashed(src: string, dest: string): Promise<string> {
  const h = createHash('sha256');
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      h.update(chunk);
      done(null, chunk);
    },
  });
  await pipeline(createReadStream(src), tap, createWriteStream(dest, { mode: 0o644 }));
  return h.digest('hex');
}

/**
 * The problem with `path` against what the catalogue expects, or undefined when it matches.
 * `hash` is the file's SHA-256 when the caller already has it (computed while copying).
 */
export async function fileProblem(path: string, want: Expected, hash?: string): Promise<string | undefined> {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return `${path} is missing`;
  }
  if (want.bytes !== undefined && size !== want.bytes)
    return `${path} is ${size} bytes, expected ${want.bytes}: incomplete or a different file`;
  if (want.bytes === undefined && size === 0) return `${path} is empty (0 bytes)`;
  if (want.sha256) {
    const actual = hash ?? (await sha256File(path));
    if (actual !== want.sha256) return `${path} has SHA-256 ${actual}, expected ${want.sha256}: damaged or not the published file`;
  }
  if (path.endsWith('.onnx')) return onnxHeaderProblem(path);
  return undefined;
}

/**
 * Refuses an .onnx file that cannot be a model: empty, a Git LFS pointer, or not starting
 * with the protobuf tag of ModelProto.ir_version (field 1, varint: byte 0x08), which every
 * ONNX file written by the onnx library starts with.
 */
export function onnxHeaderProblem(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return `${path} is missing`;
  }
  try {
    const head = Buffer.alloc(64);
    const n = readSync(fd, head, 0, head.length, 0);
    if (n === 0) return `${path} is empty (0 bytes): a truncated download or copy; install it again`;
    if (head.subarray(0, n).toString('latin1').startsWith('version https://git-lfs')) {
      return `${path} is a Git LFS pointer, not the model: fetch the real file (git lfs pull) or install it again`;
    }
    if (head[0] !== 0x08) {
      return `${path} does not start like an ONNX file (first byte 0x${head[0]!.toString(16).padStart(2, '0')}, expected 0x08): corrupt or not a model; install it again`;
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}
