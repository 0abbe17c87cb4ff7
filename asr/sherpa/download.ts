/**
 * Streams a download to `<dest>.part` and renames it to `dest` only when it is complete,
 * so an interrupted download never looks like a finished file. Large archives are never
 * held in memory.
 */

import { once } from 'node:events';
import { createWriteStream, renameSync, rmSync, type WriteStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

export interface DownloadOptions {
  timeoutMs: number;
  progress?: (done: number, total?: number) => void;
}

export async function downloadFile(url: string, dest: string, opts: DownloadOptions): Promise<void> {
  const part = `${dest}.part`;
  let out: WriteStream | undefined;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(opts.timeoutMs) });
    if (!res.ok || !res.body) throw new Error(`HTTP ${res.status} ${res.statusText}`.trim());
    const total = Number(res.headers.get('content-length')) || undefined;
    let done = 0;
    const count = new Transform({
      transform(chunk: Buffer, _enc, next) {
        done += chunk.length;
        opts.progress?.(done, total);
        next(null, chunk);
      },
    });
    out = createWriteStream(part);
    await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), count, out);
    if (total !== undefined && done !== total) throw new Error(`the connection closed after ${done} of ${total} bytes`);
    renameSync(part, dest);
  } catch (err) {
    // A failed pipeline destroys the file stream, but its open and close finish later; remove the file only after that.
    if (out && !out.closed) await once(out, 'close').catch(() => {});
    rmSync(part, { force: true });
    throw new Error(fetchErrorText(err));
  }
}

/** fetch() hides the useful part (DNS failure, refused connection) in `cause`. */
function fetchErrorText(err: unknown): string {
  const e = err as Error & { cause?: { message?: string; code?: string } };
  if (e.name === 'TimeoutError') return 'timed out';
  const cause = e.cause?.code ?? e.cause?.message;
  const what = e.message === 'terminated' ? 'the connection was cut' : e.message;
  return cause ? `${what}: ${cause}` : what;
}
