import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLocalBus, type DataKeyring, type EventBus, keyringFrom, newDataKey, parseDataKey, setDataKeyring } from '../core/index.js';
import { type Db, migrate, openDb, ownerOnlyUmask, restrictToOwner } from '../db/index.js';
import type { Config } from './config.js';

export const VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

/** Opens the configured database: PostgreSQL when DATABASE_URL is set, else PGlite in DATA_DIR. */
export async function openConfiguredDb(config: Config): Promise<Db> {
  if (config.databaseUrl) {
    try {
      return await openDb({ url: config.databaseUrl, preparedStatements: config.databasePreparedStatements });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new Error(
        `Cannot connect to PostgreSQL at DATABASE_URL (${redactUrl(config.databaseUrl)}): ${reason}. Check that the server runs and the URL is right.`,
      );
    }
  }
  const dir = join(config.dataDir, 'pgdata');
  try {
    // DATA_DIR holds the database, trained models and any other local state: owner-only,
    // and an install left readable by others is fixed at this start (the database's own
    // folder is kept so by openDb).
    ownerOnlyUmask();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    restrictToOwner(config.dataDir);
  } catch (err) {
    throw new Error(`Cannot create the data folder ${dir}: ${(err as Error).message}. Set DATA_DIR to a writable folder.`);
  }
  return openDb({ dataDir: dir });
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

export interface Runtime {
  config: Config;
  db: Db;
  bus: EventBus;
  /** Migrations applied while opening (empty when the database was up to date). */
  applied: string[];
  close(): Promise<void>;
}

/**
 * The keyring that seals personal fields: DATA_KEY when set, else DATA_DIR/data.key,
 * made (owner-only) at the first start. Several processes on one database need one key,
 * so a scaled-out site sets DATA_KEY on each.
 */
export function loadDataKeyring(config: Config, note: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): DataKeyring {
  const given = config.values.DATA_KEY as string | undefined;
  const previous = ((config.values.DATA_KEYS_PREVIOUS as string | undefined) ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean)
    .map((k, i) => parseDataKey(k, `DATA_KEYS_PREVIOUS entry ${i + 1}`));
  if (given) return keyringFrom(parseDataKey(given), previous);
  const file = join(config.dataDir, 'data.key');
  if (!existsSync(file)) {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, `${newDataKey()}\n`, { mode: 0o600, flag: 'wx' });
    note(
      `Created the data key ${file}: it seals callers' numbers and names. Back it up with the database; without it they cannot be read.`,
    );
  }
  return keyringFrom(parseDataKey(readFileSync(file, 'utf8'), file), previous);
}

export async function openRuntime(config: Config, onBusError?: (err: unknown) => void): Promise<Runtime> {
  setDataKeyring(loadDataKeyring(config));
  const db = await openConfiguredDb(config);
  let applied: string[];
  try {
    applied = await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  const bus = createLocalBus(onBusError);
  return {
    config,
    db,
    bus,
    applied,
    async close() {
      await bus.close();
      await db.close();
    },
  };
}
