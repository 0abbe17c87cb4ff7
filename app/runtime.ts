import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLocalBus, type EventBus } from '../core/events.js';
import { type Db, migrate, openDb, ownerOnlyUmask, restrictToOwner } from '../db/index.js';
import type { Config } from './config.js';

export const VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

/** Opens the configured database: PostgreSQL when DATABASE_URL is set, else PGlite in DATA_DIR. */
export async function openConfiguredDb(config: Config): Promise<Db> {
  if (config.databaseUrl) {
    try {
      return await openDb({ url: config.databaseUrl });
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

export async function openRuntime(config: Config, onBusError?: (err: unknown) => void): Promise<Runtime> {
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
