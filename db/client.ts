import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import pg from 'pg';
import { ownerOnlyUmask, restrictToOwner } from './owner-only.js';

export type Row = Record<string, unknown>;

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

/** Something SQL can be sent to: the database itself or an open transaction. */
export interface Queryable {
  query<T = Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DbOptions {
  /** postgres://… : use PostgreSQL through a `pg` Pool. */
  url?: string;
  /** Folder for the embedded PGlite database; omitted = in memory (tests). */
  dataDir?: string;
  poolSize?: number;
  /** Send statements with parameters as named prepared statements (PostgreSQL; default true). */
  preparedStatements?: boolean;
}

// BIGINT (ids, counts) and NUMERIC come back as JS numbers from both engines so
// that code and tests see the same values whichever database runs underneath.
const INT8 = 20;
const NUMERIC = 1700;
const toNumber = (v: string) => (v == null ? v : Number(v));
pg.types.setTypeParser(INT8, toNumber);
pg.types.setTypeParser(NUMERIC, toNumber);

export async function openDb(options: DbOptions): Promise<Db> {
  return options.url ? openPostgres(options.url, options.poolSize, options.preparedStatements ?? true) : openPglite(options.dataDir);
}

async function openPostgres(url: string, poolSize = 10, prepared = true): Promise<Db> {
  // A connect that hangs (a server gone without a reset) must fail fast into a 503, not
  // hold the request until the client gives up.
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5000 });
  // An idle client that loses its connection must not crash the process.
  pool.on('error', () => {});
  // Fail at start with the server's message, not at the first request.
  const probe = await pool.connect();
  probe.release();

  const names = prepared ? statementNames() : { of: () => undefined, forget: () => {} };
  const wrap = (c: pg.Pool | pg.PoolClient): Queryable => ({
    async query<T>(sql: string, params?: readonly unknown[]) {
      // Only statements with parameters: a text without them may hold several statements,
      // which a prepared statement cannot.
      const name = params?.length ? names.of(sql) : undefined;
      try {
        const r = await c.query({ text: sql, values: params as unknown[], name });
        return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
      } catch (err) {
        // A prepared statement whose table another process's migration changed since ("cached
        // plan must not change result type"): this text runs unprepared from now on, and at
        // once outside a transaction (inside one the error has aborted it anyway).
        if (!name || (err as { code?: string }).code !== '0A000') throw err;
        names.forget(sql);
        if (c instanceof pg.Client) throw err;
        const r = await c.query(sql, params as unknown[]);
        return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
      }
    },
    async exec(sql: string) {
      await c.query(sql);
    },
  });

  return {
    kind: 'postgres',
    ...wrap(pool),
    async tx(fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        // A connection that cannot even roll back is dead: destroy it rather than hand it
        // to the next request.
        await client.query('ROLLBACK').catch((e: Error) => {
          broken = e;
        });
        throw err;
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}

/**
 * Names for prepared statements, one per SQL text. The case flow's statements are planned
 * once per connection instead of at every call (a work order's four-join read: 0.58 ms
 * planned each time, 0.24 ms prepared; bench/dispatch-flow.ts). Bounded: after
 * MAX_PREPARED distinct texts (SQL built with varying text) the rest run unnamed, so no
 * connection collects plans without end.
 */
const MAX_PREPARED = 1000;
function statementNames(): { of(sql: string): string | undefined; forget(sql: string): void } {
  /** By text: its name, or null once it must run unprepared. */
  const known = new Map<string, string | null>();
  return {
    of(sql) {
      const seen = known.get(sql);
      if (seen !== undefined) return seen ?? undefined;
      if (known.size >= MAX_PREPARED) return undefined;
      const name = `h${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
      known.set(sql, name);
      return name;
    },
    forget(sql) {
      known.set(sql, null);
    },
  };
}

async function openPglite(dataDir?: string): Promise<Db> {
  const parsers = { [pgliteTypes.INT8]: toNumber, [pgliteTypes.NUMERIC]: toNumber };
  // A folder on disk (not memory:// or another PGlite scheme).
  const onDisk = dataDir != null && !/^[a-z]+:\/\//i.test(dataDir);
  if (dataDir && onDisk) {
    // Owner-only before the first byte is written; existing installs are fixed here once.
    ownerOnlyUmask();
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    restrictToOwner(dataDir);
  }
  const db = dataDir ? new PGlite(dataDir, { parsers }) : new PGlite({ parsers });
  await db.waitReady;
  // A first start unpacks the initial cluster with mode 0666 whatever the umask.
  if (dataDir && onDisk) restrictToOwner(dataDir);

  const wrap = (c: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    async query<T>(sql: string, params?: readonly unknown[]) {
      const r = await c.query<T>(sql, params as unknown[]);
      // PGlite reports affectedRows 0 for a SELECT; pg reports the rows returned.
      return { rows: r.rows, rowCount: r.affectedRows || r.rows.length };
    },
    async exec(sql: string) {
      await c.exec(sql);
    },
  });

  return {
    kind: 'pglite',
    ...wrap(db),
    tx: (fn) => db.transaction((t) => fn(wrap(t))),
    close: async () => {
      await db.close();
      if (dataDir && onDisk) restrictToOwner(dataDir);
    },
  };
}
