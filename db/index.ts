export { eachInBatches } from './batches.js';
export type { Db, DbOptions, Queryable, QueryResult, Row } from './client.js';
export { openDb } from './client.js';
export { type DatabaseErrorKind, databaseErrorKind } from './errors.js';
export { listMigrations, MigrationError, migrate, PROJECT_DIR } from './migrate.js';
export { ownerOnlyUmask, restrictToOwner } from './owner-only.js';
