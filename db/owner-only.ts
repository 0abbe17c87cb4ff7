/**
 * The embedded database's files hold every caller's number and words (tables and WAL), so
 * they are readable by the server's user only. PGlite's Node file system writes the files of
 * the cluster it unpacks on first start with mode 0666, whatever the umask, so the modes
 * are also corrected after the fact.
 */
import { chmodSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** From now on this process creates files 0600 and folders 0700 (on top of its umask). */
export function ownerOnlyUmask(): void {
  process.umask(process.umask() | 0o077);
}

/**
 * Takes group and other permissions off `root` and everything under it (folders end up
 * 0700, files 0600 plus any owner bits they had). Symbolic links are neither followed nor
 * changed. Returns how many entries were changed.
 */
export function restrictToOwner(root: string): number {
  let changed = 0;
  const stack = [root];
  while (stack.length) {
    const path = stack.pop() as string;
    let st: ReturnType<typeof lstatSync>;
    try {
      st = lstatSync(path);
    } catch (err) {
      // Postgres removes temporary files while we walk: what is gone needs no fixing.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    if (st.isSymbolicLink()) continue;
    const dir = st.isDirectory();
    const mode = st.mode & 0o7777;
    const wanted = (mode & 0o700) | (dir ? 0o700 : 0o600);
    if (mode !== wanted) {
      chmodSync(path, wanted);
      changed++;
    }
    if (dir) for (const name of readdirSync(path)) stack.push(join(path, name));
  }
  return changed;
}
