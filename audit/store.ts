/**
 * The personal-data access log: one row per read that showed a caller's data in clear.
 * Modules that show such data (dispatch's case detail, telephony's call detail) write the
 * row before they answer, so a read that cannot be logged does not happen.
 */
import type { FastifyRequest } from 'fastify';
import { parseRequestTime } from '../core/index.js';
import type { Queryable } from '../db/index.js';
import { AuditErrors } from './errors.js';
import type { PiiAccess } from './schemas.js';

export const RECORD_TYPES = ['work_order', 'call', 'callback'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

export interface PiiAccessInput {
  userId: number | null;
  username: string | null;
  role: string;
  recordType: RecordType;
  recordId: number;
  /** A readable reference: the work order's number, the call's channel id. */
  recordRef?: string | null;
  /** The personal fields shown in clear (callerPhone, callerName, address, transcript, ...). */
  fields: readonly string[];
  ip: string | null;
  /** Method and route, e.g. GET /api/work-orders/:id. */
  route?: string | null;
}

export async function recordPiiAccess(q: Queryable, a: PiiAccessInput): Promise<void> {
  if (!a.fields.length) return;
  await q.query(
    `INSERT INTO pii_access_log (user_id, username, role, record_type, record_id, record_ref, fields, ip, route)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [a.userId, a.username, a.role, a.recordType, a.recordId, a.recordRef ?? null, [...a.fields], a.ip, a.route ?? null],
  );
}

/** The reader of a guarded request, its address and route, as the log records them. */
export function readerOf(req: FastifyRequest): Pick<PiiAccessInput, 'userId' | 'username' | 'role' | 'ip' | 'route'> {
  const u = req.user;
  return {
    userId: u?.id ?? null,
    username: u?.username ?? null,
    role: u?.role ?? 'anonymous',
    ip: req.ip ?? null,
    route: `${req.method} ${req.routeOptions.url ?? req.url.split('?')[0]}`,
  };
}

/** Logs a read of `fields` of a record by the user of `req` (nothing when no field was shown in clear). */
export async function logPiiRead(
  q: Queryable,
  req: FastifyRequest,
  record: { type: RecordType; id: number; ref?: string | null },
  fields: readonly string[],
): Promise<void> {
  await recordPiiAccess(q, { ...readerOf(req), recordType: record.type, recordId: record.id, recordRef: record.ref ?? null, fields });
}

export interface PiiAccessFilter {
  userId?: number;
  recordType?: RecordType;
  recordId?: number;
  from?: string;
  to?: string;
  limit?: number;
  offset?: number;
}

export async function listPiiAccess(q: Queryable, f: PiiAccessFilter): Promise<{ items: PiiAccess[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    where.push(sql.replace('$?', `$${params.length}`));
  };
  if (f.userId != null) add('user_id = $?', f.userId);
  if (f.recordType) add('record_type = $?', f.recordType);
  if (f.recordId != null) {
    if (!f.recordType) throw AuditErrors.AUDIT_RECORD_TYPE_REQUIRED();
    add('record_id = $?', f.recordId);
  }
  for (const [key, op] of [
    ['from', '>='],
    ['to', '<'],
  ] as const) {
    const v = f[key];
    if (v != null) add(`at ${op} $?::timestamptz`, parseRequestTime(key, v).toISOString());
  }
  const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const c = await q.query<{ n: number }>(`SELECT count(*) AS n FROM pii_access_log ${filter}`, params);
  const r = await q.query<PiiAccess & { at: Date }>(
    `SELECT id, at, user_id AS "userId", username, role, record_type AS "recordType", record_id AS "recordId",
            record_ref AS "recordRef", fields, ip, route
       FROM pii_access_log ${filter} ORDER BY at DESC, id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, f.limit ?? 100, f.offset ?? 0],
  );
  return { items: r.rows.map((x) => ({ ...x, at: new Date(x.at).toISOString() })), total: c.rows[0]?.n ?? 0 };
}
