/** Work orders: creation, reading, lists and history. State changes live in transitions.ts. */

import type { EventBus } from '../core/index.js';
import {
  maskAddress,
  maskName,
  maskPhone,
  maskText,
  open,
  openNumbersInText,
  parseRequestTime,
  phoneDigits,
  phoneHash,
  phoneHashes,
  seal,
  sealNumbersInText,
} from '../core/index.js';
import type { Db, Queryable } from '../db/index.js';
import { dayKey, localDay } from './calendar.js';
import { DispatchErrors } from './errors.js';
import { requireCategory, requireHandlingUnit, resolvePlace, unitWithin } from './routing.js';
import type { HistoryEntry, RelatedCase, WorkOrder, WorkOrderDetail } from './schemas.js';
import { DEFAULT_DISPATCH_SETTINGS, type DispatchSettings } from './settings.js';
import { similarityTo } from './similarity.js';
import { type ActorRole, allowedActions, type Channel, FINAL_STATES, type Priority, STATE_NAMES_ZH, type State } from './states.js';
import './events.js';

export type { HistoryEntry, RelatedCase, WorkOrder, WorkOrderDetail } from './schemas.js';
export { CHANNELS, type Channel, PRIORITIES, type Priority } from './states.js';

/** Who acts: a logged-in user, or another module ('system', id null). */
export interface Actor {
  id: number | null;
  role: ActorRole;
  orgUnitId: number | null;
}

/** The row as the SELECT below returns it (timestamps still Date). */
type Row = Omit<WorkOrder, 'stateName' | 'proposal' | 'createdAt' | 'updatedAt' | 'closedAt' | 'deadlineAt'> & {
  proposedCategoryId: number | null;
  proposedDepartmentId: number | null;
  modelVersion: string | null;
  deadlineAt: Date | null;
  deadlineStartedAt: Date | null;
  deadlinePausedAt: Date | null;
  deadlineValue: number | null;
  deadlineUnit: 'hours' | 'workdays' | null;
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
  /** Who took the case on the desk (null: another module, e.g. Open311). */
  createdBy: number | null;
  /** The agent of the linked call. */
  callAgentId: number | null;
};
export type WorkOrderRow = Row;

/** The columns of a Row from `w` (work_orders, or a CTE returning its columns) itself. */
const OWN_COLUMNS = `w.id, w.number, w.channel, w.state, w.caller_name AS "callerName", w.caller_phone AS "callerPhone",
  w.anonymous, w.contact_allowed AS "contactAllowed", w.address, w.place_unit_id AS "placeUnitId",
  w.lat, w.lng, w.media_url AS "mediaUrl", w.description, w.call_id AS "callId",
  w.category_id AS "categoryId", w.department_id AS "departmentId",
  w.priority, w.emergency, w.proposed_category_id AS "proposedCategoryId", w.proposed_department_id AS "proposedDepartmentId",
  w.model_version AS "modelVersion", w.instructions, w.deadline_at AS "deadlineAt", w.deadline_started_at AS "deadlineStartedAt",
  w.deadline_paused_at AS "deadlinePausedAt", w.deadline_value AS "deadlineValue", w.deadline_unit AS "deadlineUnit",
  w.deadline_paused_at IS NOT NULL AS "deadlinePaused", w.near_deadline AS "nearDeadline", w.overdue,
  w.reply_text AS "replyText", w.callback_outcome AS "callbackOutcome", w.close_reason AS "closeReason",
  w.reopen_count AS "reopenCount", w.supervision_count AS "supervisionCount", w.merged_into_id AS "mergedIntoId",
  w.kb_article_id AS "kbArticleId", w.created_at AS "createdAt", w.updated_at AS "updatedAt", w.closed_at AS "closedAt", w.version,
  w.created_by AS "createdBy"`;
/** The columns of a Row from the joins of WORK_ORDER_JOINS: names, and the agent of the call. */
const JOINED_COLUMNS = `pl.name AS "placeName", c.name AS "categoryName", d.name AS "departmentName", cl.agent_id AS "callAgentId"`;
const WORK_ORDER_COLUMNS = `${OWN_COLUMNS}, ${JOINED_COLUMNS}`;
const WORK_ORDER_JOINS = `LEFT JOIN calls cl ON cl.id = w.call_id
  LEFT JOIN categories c ON c.id = w.category_id
  LEFT JOIN org_units d ON d.id = w.department_id
  LEFT JOIN org_units pl ON pl.id = w.place_unit_id`;
export const SELECT_WORK_ORDER = selectWorkOrder();
/** SELECT_WORK_ORDER with `extra` columns (`, expr AS "name"`). */
export function selectWorkOrder(extra = ''): string {
  return `SELECT ${WORK_ORDER_COLUMNS}${extra} FROM work_orders w ${WORK_ORDER_JOINS}`;
}

/**
 * JOINED_COLUMNS as scalar subqueries: the same values for one row, planned in a fraction
 * of the time the four joins take (planning was most of a one-row statement's cost).
 */
const NAME_SUBQUERIES = `(SELECT name FROM org_units WHERE id = w.place_unit_id) AS "placeName",
  (SELECT name FROM categories WHERE id = w.category_id) AS "categoryName",
  (SELECT name FROM org_units WHERE id = w.department_id) AS "departmentName",
  (SELECT agent_id FROM calls WHERE id = w.call_id) AS "callAgentId"`;

/**
 * The statement that writes a work order and answers the row as loadRow would, in one
 * round trip: `cte` defines `w` (an INSERT or UPDATE ... RETURNING *) and may add more
 * CTEs after it, e.g. `e` the audit row; `extra` adds columns to the answer. Without
 * `named`, the answer lacks placeName, categoryName, departmentName and callAgentId (the
 * caller has them).
 */
export function writeAndSelect(cte: string, extra = '', named = true): string {
  return `WITH ${cte} SELECT ${OWN_COLUMNS}${named ? `, ${NAME_SUBQUERIES}` : ''}${extra} FROM w`;
}

/** One row as loadRow reads it, planned as cheaply (for a row locked for a change); `extra` adds columns. */
export function selectForChange(extra = ''): string {
  return `SELECT ${OWN_COLUMNS}, ${NAME_SUBQUERIES}${extra} FROM work_orders w`;
}

/** The Row key of each work_orders column a Row holds as it is (`w.col AS "key"`, or `w.col`). */
export const ROW_KEY_OF: ReadonlyMap<string, string> = new Map(
  [...OWN_COLUMNS.matchAll(/w\.(\w+)(?: AS "(\w+)")?(?=,|$)/g)].map((m) => [m[1] as string, m[2] ?? (m[1] as string)]),
);

const iso = (d: Date | string | null) => (d == null ? null : new Date(d).toISOString());

/** The actor took the case: created it on the desk, or it came from their call. */
export function isOwnCase(row: Pick<Row, 'createdBy' | 'callAgentId'>, actor: Actor): boolean {
  return actor.id != null && (row.createdBy === actor.id || row.callAgentId === actor.id);
}

/** Where a case waits for the dispatchers: before dispatch, after a return, for review of the reply. */
const DISPATCH_QUEUE: readonly State[] = ['intake', 'pending_dispatch', 'returned', 'replied'];

/**
 * Whether `viewer` works on the case and so may read the caller's data in clear: supervisors
 * and admins; the agent who took it; a dispatcher while it waits in the dispatch queue, or
 * after they dispatched it until it is final; the callback staff member who claimed its
 * callback; a handler of its unit (or a unit above: the department views already stop others).
 */
export async function worksOnCase(q: Queryable, row: Row, viewer: Actor): Promise<boolean> {
  switch (viewer.role) {
    case 'supervisor':
    case 'admin':
    case 'system':
      return true;
    case 'handler':
      return viewer.orgUnitId != null && row.departmentId != null && unitWithin(q, row.departmentId, viewer.orgUnitId);
    case 'agent':
      return isOwnCase(row, viewer);
    case 'dispatcher': {
      if (DISPATCH_QUEUE.includes(row.state) || isOwnCase(row, viewer)) return true;
      if (FINAL_STATES.includes(row.state)) return false;
      const r = await q.query<{ actorId: number | null }>(
        `SELECT actor_id AS "actorId" FROM work_order_events WHERE work_order_id = $1 AND action = 'dispatch' ORDER BY id DESC LIMIT 1`,
        [row.id],
      );
      return r.rows[0]?.actorId === viewer.id;
    }
    case 'callback': {
      const r = await q.query(`SELECT 1 FROM callbacks WHERE work_order_id = $1 AND claimed_by = $2 AND state = 'claimed'`, [
        row.id,
        viewer.id,
      ]);
      return r.rowCount > 0;
    }
    default:
      return false;
  }
}

/** Coordinates to about a kilometre: enough for a map of cases, not for a door. */
const coarse = (v: number | null) => (v == null ? null : Math.round(v * 100) / 100);

/**
 * A row as a viewer may see it. `clear` (a detail view for someone who works on the case,
 * see worksOnCase): the caller's name, number, address and the description as stored, except
 * that a department sees neither the number nor numbers in the text of a caller who is
 * anonymous or declined contact, nor an anonymous caller's name. Otherwise (lists, everyone
 * else): number, name and address masked, coordinates coarse, numbers in the text masked.
 */
export function toView(row: Row, viewer: Actor, clear: boolean): WorkOrder {
  const handler = viewer.role === 'handler';
  const restricted = handler && (row.anonymous || !row.contactAllowed);
  const hideName = row.anonymous && handler;
  const freeText = (t: string | null) => (t == null ? null : clear && !restricted ? t : maskText(t));
  return {
    id: row.id,
    number: row.number,
    channel: row.channel,
    state: row.state,
    stateName: STATE_NAMES_ZH[row.state] ?? row.state,
    callerName: hideName ? null : clear ? row.callerName : maskName(row.callerName),
    callerPhone: clear && !restricted ? row.callerPhone : maskPhone(row.callerPhone),
    anonymous: row.anonymous,
    contactAllowed: row.contactAllowed,
    address: clear ? row.address : maskAddress(row.address),
    placeUnitId: row.placeUnitId,
    placeName: row.placeName,
    lat: clear ? row.lat : coarse(row.lat),
    lng: clear ? row.lng : coarse(row.lng),
    mediaUrl: row.mediaUrl,
    description: clear && !restricted ? row.description : maskText(row.description),
    callId: row.callId,
    categoryId: row.categoryId,
    categoryName: row.categoryName,
    departmentId: row.departmentId,
    departmentName: row.departmentName,
    priority: row.priority,
    emergency: row.emergency,
    proposal:
      row.proposedCategoryId != null || row.proposedDepartmentId != null || row.modelVersion != null
        ? { categoryId: row.proposedCategoryId, departmentId: row.proposedDepartmentId, modelVersion: row.modelVersion }
        : null,
    // Staff's free text may carry the caller's number: as clear as the description.
    instructions: freeText(row.instructions),
    deadlineAt: iso(row.deadlineAt),
    deadlinePaused: row.deadlinePaused,
    nearDeadline: row.nearDeadline,
    overdue: row.overdue,
    replyText: freeText(row.replyText),
    callbackOutcome: row.callbackOutcome,
    closeReason: freeText(row.closeReason),
    reopenCount: row.reopenCount,
    supervisionCount: row.supervisionCount,
    mergedIntoId: row.mergedIntoId,
    kbArticleId: row.kbArticleId,
    createdAt: iso(row.createdAt) as string,
    updatedAt: iso(row.updatedAt) as string,
    closedAt: iso(row.closedAt),
    version: row.version,
  };
}

/** The caller's name and number are sealed at rest (core/personal-data.ts); rows carry them open. */
export function openRow<R extends Pick<Row, 'callerName' | 'callerPhone' | 'description'>>(row: R): R {
  row.callerName = open(row.callerName);
  row.callerPhone = open(row.callerPhone);
  row.description = openNumbersInText(row.description);
  return row;
}

export async function loadRow(q: Queryable, id: number, lock = false): Promise<Row> {
  const r = await q.query<Row>(`${SELECT_WORK_ORDER} WHERE w.id = $1${lock ? ' FOR UPDATE OF w' : ''}`, [id]);
  if (!r.rows[0]) throw DispatchErrors.WORK_ORDER_NOT_FOUND({ id });
  return openRow(r.rows[0]);
}

/** Handlers see only cases of their own unit and the units below it. */
export async function assertMayView(q: Queryable, row: Row, viewer: Actor): Promise<void> {
  if (viewer.role !== 'handler') return;
  if (viewer.orgUnitId != null && row.departmentId != null && (await unitWithin(q, row.departmentId, viewer.orgUnitId))) return;
  throw DispatchErrors.WORK_ORDER_NOT_VISIBLE({ number: row.number });
}

/** The personal fields of a detail view shown in clear, for the access log. */
function clearFields(row: Row, view: WorkOrderDetail): string[] {
  const out: string[] = [];
  if (view.callerName && view.callerName === row.callerName) out.push('callerName');
  if (view.callerPhone && view.callerPhone === row.callerPhone) out.push('callerPhone');
  if (view.address && view.address === row.address) out.push('address');
  if (view.lat != null && view.lat === row.lat) out.push('location');
  if (view.description === row.description && maskText(row.description) !== row.description) out.push('description');
  if (view.transcript) out.push('transcript');
  return out;
}

/**
 * One case with the actions the viewer may take. `onClear` is told which personal fields
 * are shown in clear (before the view is returned, so a failed access log fails the read).
 */
export async function getWorkOrder(
  q: Queryable,
  id: number,
  viewer: Actor,
  onClear?: (fields: string[], row: { id: number; number: string }) => Promise<void>,
): Promise<WorkOrderDetail> {
  const row = await loadRow(q, id);
  await assertMayView(q, row, viewer);
  const works = await worksOnCase(q, row, viewer);
  let transcript: string | null = null;
  if (row.callId != null && works) {
    const t = await q.query<{ leg: string; text: string }>(
      `SELECT leg, text FROM transcript_segments WHERE call_id = $1 AND is_final ORDER BY coalesce(start_ms, 0), seq, id`,
      [row.callId],
    );
    if (t.rows.length)
      transcript = t.rows
        .map((x) => (x.leg === 'agent' ? `坐席：${x.text}` : x.text))
        .map((x) => openNumbersInText(x))
        .join('\n');
  }
  // Departments read what the caller said, but not numbers the caller did not agree to share.
  if (transcript && viewer.role === 'handler' && (row.anonymous || !row.contactAllowed)) transcript = maskText(transcript);
  const ext = await q.query<{ requested: Date; reason: string; created: Date }>(
    `SELECT requested_deadline AS requested, reason, created_at AS created FROM extension_requests WHERE work_order_id = $1 AND state = 'pending'`,
    [id],
  );
  const e = ext.rows[0];
  const view: WorkOrderDetail = {
    ...toView(row, viewer, works),
    allowedActions: allowedActions(row.state, viewer.role, isOwnCase(row, viewer)),
    transcript,
    pendingExtension: e ? { requestedDeadline: iso(e.requested) as string, reason: e.reason, requestedAt: iso(e.created) as string } : null,
    piiMasked: !works,
  };
  const fields = works ? clearFields(row, view) : [];
  if (fields.length && onClear) await onClear(fields, row);
  return view;
}

/** The centre's local day of `now`, YYYY-MM-DD: the day of a case's number. */
function localDayKey(now: number, settings: Pick<DispatchSettings, 'utcOffsetMinutes'>): string {
  return dayKey(localDay({ overrides: new Map(), periods: [], utcOffsetMinutes: settings.utcOffsetMinutes }, now));
}

/**
 * The readable number from the counter row `n`, e.g. 20261123-000042: the day, then the
 * day's count padded to six digits (never cut: a seventh digit shows as it is).
 */
const NUMBER_SQL = `to_char($1::date, 'YYYYMMDD') || '-' || CASE WHEN n.last < 1000000 THEN lpad(n.last::text, 6, '0') ELSE n.last::text END`;

export interface NewWorkOrder {
  channel?: Channel;
  callerName?: string | null;
  callerPhone?: string | null;
  anonymous?: boolean;
  contactAllowed?: boolean;
  address?: string | null;
  placeUnitId?: number | null;
  lat?: number | null;
  lng?: number | null;
  mediaUrl?: string | null;
  description: string;
  callId?: number | null;
  categoryId?: number | null;
  departmentId?: number | null;
  priority?: Priority;
  emergency?: boolean;
  /** What the classifier proposed (kept to learn from the dispatcher's decision). */
  proposal?: { categoryId?: number | null; departmentId?: number | null; modelVersion?: string | null; scores?: unknown } | null;
  /** Straight to the dispatch queue (提交派单) instead of staying in intake. */
  submit?: boolean;
  channelData?: Record<string, unknown>;
}

const PHONE = /^\+?[\d\s-]{3,20}$/;

export async function createWorkOrder(
  db: Db,
  bus: EventBus,
  input: NewWorkOrder,
  actor: Actor,
  settings: DispatchSettings = DEFAULT_DISPATCH_SETTINGS,
): Promise<{ workOrder: WorkOrder; related: RelatedCase[] }> {
  // Open311 publishes its own channel's cases: a desk user choosing it would publish a call.
  if (input.channel === 'open311' && actor.role !== 'system') {
    throw DispatchErrors.OPEN311_CHANNEL_RESERVED();
  }
  const description = input.description.trim();
  if (!description) throw DispatchErrors.WORK_ORDER_DESCRIPTION_EMPTY();
  const phone = input.callerPhone?.trim() || null;
  if (phone && !PHONE.test(phone)) throw DispatchErrors.WORK_ORDER_PHONE_INVALID({ phone: maskPhone(phone) });
  const now = Date.now();

  const created = await db.tx(async (q) => {
    // The checks read the names the new row shows, so the statement below needs no joins.
    const category = input.categoryId != null ? await requireCategory(q, input.categoryId) : null;
    const department = input.departmentId != null ? await requireHandlingUnit(q, input.departmentId) : null;
    const p = input.proposal;
    const proposedCategory = p?.categoryId != null ? await requireCategory(q, p.categoryId) : null;
    const proposedDepartment = p?.departmentId != null ? await requireHandlingUnit(q, p.departmentId, 'Proposed department') : null;
    let callAgentId: number | null = null;
    if (input.callId != null) {
      const call = await q.query<{ agentId: number | null }>('SELECT agent_id AS "agentId" FROM calls WHERE id = $1', [input.callId]);
      if (!call.rows[0]) throw DispatchErrors.WORK_ORDER_CALL_NOT_FOUND({ callId: input.callId });
      callAgentId = call.rows[0].agentId;
    }
    let placeUnitId = input.placeUnitId ?? null;
    let placeName: string | null = null;
    if (placeUnitId != null) {
      const u = await q.query<{ kind: string; name: string }>('SELECT kind, name FROM org_units WHERE id = $1', [placeUnitId]);
      if (!u.rows[0] || !['street', 'community', 'grid'].includes(u.rows[0].kind)) {
        throw DispatchErrors.WORK_ORDER_PLACE_INVALID({ placeUnitId });
      }
      placeName = u.rows[0].name;
    } else {
      const place = await resolvePlace(q, input.address);
      placeUnitId = place?.unitId ?? null;
      placeName = place?.name ?? null;
    }
    const names = {
      placeName,
      categoryName: (category ?? proposedCategory)?.name ?? null,
      departmentName: (department ?? proposedDepartment)?.name ?? null,
      callAgentId,
    };
    const day = localDayKey(now, settings);
    const state: State = input.submit ? 'pending_dispatch' : 'intake';
    // The day's next number, the case, its audit row and the row as loadRow reads it, in one
    // round trip (one upsert per case keeps numbers unique under concurrent intakes).
    const r = await q.query<Row & { eventId: number }>(
      writeAndSelect(
        `n AS (INSERT INTO work_order_counters (day, last) VALUES ($1::date, 1)
            ON CONFLICT (day) DO UPDATE SET last = work_order_counters.last + 1 RETURNING last),
         w AS (INSERT INTO work_orders (number, channel, caller_name, caller_phone, anonymous, contact_allowed, address, place_unit_id,
            lat, lng, media_url, description, call_id, category_id, department_id, priority, emergency, state,
            proposed_category_id, proposed_department_id, model_version, proposal, channel_data, created_by, caller_phone_hash)
          VALUES ((SELECT ${NUMBER_SQL} FROM n), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
            $21, $22, $23, $24, $25)
          RETURNING *),
         e AS (INSERT INTO work_order_events (work_order_id, action, from_state, to_state, actor_id, data)
          SELECT id, 'create', NULL, state, created_by, $26::jsonb FROM w RETURNING id)`,
        ', (SELECT id FROM e) AS "eventId"',
        false,
      ),
      [
        day,
        input.channel ?? 'hotline',
        seal(input.anonymous ? null : input.callerName?.trim() || null),
        seal(phone),
        input.anonymous ?? false,
        input.contactAllowed ?? true,
        input.address?.trim() || null,
        placeUnitId,
        input.lat ?? null,
        input.lng ?? null,
        input.mediaUrl ?? null,
        // ID and card numbers said or typed in the text are sealed in place (core/personal-data.ts).
        sealNumbersInText(description),
        input.callId ?? null,
        input.categoryId ?? p?.categoryId ?? null,
        input.departmentId ?? p?.departmentId ?? null,
        input.priority ?? 'normal',
        input.emergency ?? false,
        state,
        p?.categoryId ?? null,
        p?.departmentId ?? null,
        p?.modelVersion ?? null,
        p ? JSON.stringify(p) : null,
        JSON.stringify(input.channelData ?? {}),
        actor.id,
        phoneHash(phone),
        JSON.stringify({ channel: input.channel ?? 'hotline', placeUnitId, submitted: !!input.submit }),
      ],
    );
    const { eventId, ...row } = r.rows[0] as Row & { eventId: number };
    return { row: openRow({ ...row, ...names }), eventId };
  });
  const { row, eventId } = created;
  bus.publish('workorder.changed', {
    id: row.id,
    number: row.number,
    action: 'create',
    fromState: null,
    toState: row.state,
    departmentId: row.departmentId,
    actorId: actor.id,
    eventId,
  });
  const related = await findRelated(db, row, settings.relatedDays);
  return { workOrder: toView(row, actor, true), related };
}

/**
 * Open cases a dispatcher may want to merge this one into: the same caller's open cases,
 * and cases at the same place within `days` whose description is similar.
 */
export async function findRelated(
  q: Queryable,
  row: Pick<Row, 'id' | 'callerPhone' | 'placeUnitId' | 'description'>,
  days: number,
): Promise<RelatedCase[]> {
  const out = new Map<number, RelatedCase>();
  const view = (
    r: { id: number; number: string; state: State; description: string; createdAt: Date },
    reason: RelatedCase['reason'],
    sim: number | null,
  ) => ({
    id: r.id,
    number: r.number,
    state: r.state,
    reason,
    similarity: sim,
    description: maskText(r.description),
    createdAt: iso(r.createdAt) as string,
  });
  type Cand = { id: number; number: string; state: State; description: string; createdAt: Date; byPhone: boolean };
  const phone = open(row.callerPhone);
  const digits = phone ? phoneDigits(phone) : '';
  // Both searches in one round trip: the same caller's open cases, then cases at the place.
  const params: unknown[] = [row.id];
  const parts: string[] = [];
  const COLS = `id, number, state, description, created_at AS "createdAt"`;
  if (phone && digits.length >= 5) {
    params.push([...phoneHashes(phone), digits], FINAL_STATES);
    const [h, f] = [params.length - 1, params.length];
    parts.push(`(SELECT true AS "byPhone", ${COLS} FROM work_orders
        WHERE id <> $1 AND NOT (state = ANY($${f}::text[]))
          AND (caller_phone_hash = ANY($${h}::text[]) OR (caller_phone_hash IS NULL AND regexp_replace(caller_phone, '\\D', '', 'g') = ANY($${h}::text[])))
        ORDER BY created_at DESC LIMIT 20)`);
  }
  if (row.placeUnitId != null) {
    params.push(row.placeUnitId, days);
    const [p, d] = [params.length - 1, params.length];
    parts.push(`(SELECT false AS "byPhone", ${COLS} FROM work_orders
        WHERE id <> $1 AND place_unit_id = $${p} AND created_at > now() - make_interval(days => $${d}) AND state <> 'merged'
        ORDER BY created_at DESC LIMIT 500)`);
  }
  if (!parts.length) return [];
  const r = await q.query<Cand>(`SELECT * FROM (${parts.join(' UNION ALL ')}) c ORDER BY "byPhone" DESC, "createdAt" DESC`, params);
  const similarTo = similarityTo(row.description);
  for (const raw of r.rows) {
    if (raw.byPhone) {
      out.set(raw.id, view({ ...raw, description: openNumbersInText(raw.description) }, 'same_phone', null));
      continue;
    }
    if (out.has(raw.id)) continue;
    const c = { ...raw, description: openNumbersInText(raw.description) };
    const s = similarTo(c.description);
    if (s >= 0.5) out.set(c.id, view(c, 'similar_text', Math.round(s * 100) / 100));
  }
  return [...out.values()].sort((a, b) => (b.similarity ?? 2) - (a.similarity ?? 2));
}

export interface ListFilter {
  state?: string[];
  categoryId?: number;
  departmentId?: number;
  callId?: number;
  channel?: string;
  overdue?: boolean;
  nearDeadline?: boolean;
  from?: string;
  to?: string;
  q?: string;
  page?: number;
  pageSize?: number;
  sort?: 'createdAt' | 'updatedAt' | 'deadlineAt' | 'number';
  order?: 'asc' | 'desc';
}

const SORTS = { createdAt: 'w.created_at', updatedAt: 'w.updated_at', deadlineAt: 'w.deadline_at', number: 'w.number' } as const;

export async function listWorkOrders(
  q: Queryable,
  f: ListFilter,
  viewer: Actor,
): Promise<{ items: WorkOrder[]; total: number; page: number; pageSize: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replaceAll('$?', `$${params.length}`));
  };
  if (f.state?.length) add('w.state = ANY($?::text[])', f.state);
  if (f.categoryId != null) add('w.category_id = $?', f.categoryId);
  if (f.departmentId != null) add('w.department_id = $?', f.departmentId);
  if (f.callId != null) add('w.call_id = $?', f.callId);
  if (f.channel) add('w.channel = $?', f.channel);
  if (f.overdue != null) add('w.overdue = $?', f.overdue);
  if (f.nearDeadline != null) add('w.near_deadline = $?', f.nearDeadline);
  for (const [key, op] of [
    ['from', '>='],
    ['to', '<'],
  ] as const) {
    const v = f[key];
    if (v != null) add(`w.created_at ${op} $?::timestamptz`, parseRequestTime(key, v).toISOString());
  }
  const text = f.q?.trim();
  if (text && /^\d{8}-\d{6}$/.test(text)) {
    add('w.number = $?', text);
  } else if (text && /^\+?[\d\s-]{7,20}$/.test(text)) {
    // A phone number, however it was typed: by its keyed hash under every key in use, or
    // by its digits in a row not sealed yet.
    add(
      `(w.caller_phone_hash = ANY($?::text[]) OR (w.caller_phone_hash IS NULL AND regexp_replace(coalesce(w.caller_phone, ''), '\\D', '', 'g') = ANY($?::text[])))`,
      [...phoneHashes(text), phoneDigits(text)],
    );
  } else if (text) {
    add(`(strpos(lower(w.description), lower($?)) > 0 OR strpos(lower(coalesce(w.address, '')), lower($?)) > 0)`, text);
  }
  if (viewer.role === 'handler') {
    add(
      `w.department_id IN (WITH RECURSIVE sub(id, depth) AS (SELECT id, 0 FROM org_units WHERE id = $?
          UNION ALL SELECT o.id, sub.depth + 1 FROM org_units o JOIN sub ON o.parent_id = sub.id WHERE sub.depth < 20) SELECT id FROM sub)`,
      viewer.orgUnitId ?? -1,
    );
  }
  const page = f.page ?? 1;
  const pageSize = f.pageSize ?? 20;
  const order = `${SORTS[f.sort ?? 'createdAt']} ${f.order === 'asc' ? 'ASC' : 'DESC'} NULLS LAST, w.id ${f.order === 'asc' ? 'ASC' : 'DESC'}`;
  const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
  // The page is chosen on work_orders alone and joined afterwards, and the total is its own
  // count: joining every matching row only to count it was most of a list's time.
  const c = await q.query<{ n: number }>(`SELECT count(*) AS n FROM work_orders w ${filter}`, params);
  const total = c.rows[0]?.n ?? 0;
  const pageParams = [...params, pageSize, (page - 1) * pageSize];
  const r = await q.query<Row>(
    `${SELECT_WORK_ORDER}
      WHERE w.id IN (SELECT w.id FROM work_orders w ${filter} ORDER BY ${order} LIMIT $${params.length + 1} OFFSET $${params.length + 2})
      ORDER BY ${order}`,
    pageParams,
  );
  return { items: r.rows.map((row) => toView(openRow(row), viewer, false)), total, page, pageSize };
}

export async function workOrderHistory(q: Queryable, id: number, viewer: Actor): Promise<HistoryEntry[]> {
  const row = await loadRow(q, id);
  await assertMayView(q, row, viewer);
  const r = await q.query<HistoryEntry & { createdAt: Date }>(
    `SELECT e.id, e.action, e.from_state AS "fromState", e.to_state AS "toState", e.actor_id AS "actorId",
            u.display_name AS "actorName", e.data, e.created_at AS "createdAt"
       FROM work_order_events e LEFT JOIN users u ON u.id = e.actor_id
      WHERE e.work_order_id = $1 ORDER BY e.id`,
    [id],
  );
  // Notes, reasons and replies are free text staff type, sometimes with the caller's
  // number in it: in clear only for those working on the case, as the case itself.
  const clear = await worksOnCase(q, row, viewer);
  const text = (v: unknown): unknown =>
    typeof v === 'string'
      ? maskText(v)
      : v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, text(x)]))
        : v;
  return r.rows.map((e) => ({
    ...e,
    data: clear ? e.data : (text(e.data) as Record<string, unknown>),
    createdAt: iso(e.createdAt) as string,
  }));
}
