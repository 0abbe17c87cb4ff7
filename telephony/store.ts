/** The telephony tables: calls, transcript segments, referrals, agent states. */
import { open, openNumbersInText, phoneHash, seal, sealNumbersInText } from '../core/index.js';
import type { Queryable } from '../db/index.js';
import type { Channel } from './leg.js';

export type CallState = 'ringing' | 'queued' | 'offered' | 'answered' | 'held' | 'transferring' | 'ended';
/** `lost_on_restart`: the process that held the call stopped without ending it (see reconcileLostCalls). */
export type EndReason = 'answered' | 'abandoned' | 'transferred' | 'failed' | 'timeout' | 'rejected' | 'lost_on_restart';
/** An agent's phone state (offline: never seen by this process). */
export type AgentStateName = 'available' | 'on_call' | 'after_call' | 'paused' | 'offline';

export interface CallRecord {
  id: number;
  channel: Channel;
  direction: 'inbound' | 'outbound';
  sipCallId: string | null;
  callerNumber: string | null;
  calledNumber: string | null;
  state: CallState;
  emergency: boolean;
  arrivedAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  agentId: number | null;
  queueWaitMs: number | null;
  endReason: EndReason | null;
  details: Record<string, unknown>;
}

export interface Segment {
  leg: 'caller' | 'agent';
  seq: number;
  text: string;
  final: boolean;
  startMs: number | null;
  endMs: number | null;
  confidence: number | null;
}

export interface Referral {
  id: number;
  line: '110' | '119' | '120' | 'other';
  target: string;
  mode: 'blind' | 'bridge' | 'record_only';
  reason: string | null;
  transcriptExcerpt: string | null;
  agentId: number | null;
  outcome: 'pending' | 'connected' | 'failed';
  sipStatus: number | null;
  detail: string | null;
  createdAt: string;
  completedAt: string | null;
}

const iso = (v: unknown) => (v == null ? null : new Date(v as string).toISOString());

const CALL_COLUMNS = `id, channel, direction, sip_call_id, caller_number, called_number, state, emergency, arrived_at,
  answered_at, ended_at, agent_id, queue_wait_ms, end_reason, details`;

function toCall(r: Record<string, unknown>): CallRecord {
  return {
    id: r.id as number,
    channel: r.channel as Channel,
    direction: r.direction as CallRecord['direction'],
    sipCallId: (r.sip_call_id as string) ?? null,
    callerNumber: open(r.caller_number as string | null),
    calledNumber: open(r.called_number as string | null),
    state: r.state as CallState,
    emergency: r.emergency as boolean,
    arrivedAt: iso(r.arrived_at) as string,
    answeredAt: iso(r.answered_at),
    endedAt: iso(r.ended_at),
    agentId: (r.agent_id as number) ?? null,
    queueWaitMs: (r.queue_wait_ms as number) ?? null,
    endReason: (r.end_reason as EndReason) ?? null,
    details: (r.details as Record<string, unknown>) ?? {},
  };
}

export async function insertCall(
  q: Queryable,
  c: {
    channel: Channel;
    direction: 'inbound' | 'outbound';
    sipCallId?: string;
    callerNumber: string;
    calledNumber: string;
    state: CallState;
    /** The desk user who placed an outbound call. */
    agentId?: number;
    details?: object;
  },
): Promise<CallRecord> {
  const r = await q.query(
    `INSERT INTO calls (channel, direction, sip_call_id, caller_number, caller_number_hash, called_number, state, agent_id, details)
     VALUES ($1, $2, $3, $4, $9, $5, $6, $7, $8) RETURNING ${CALL_COLUMNS}`,
    [
      c.channel,
      c.direction,
      c.sipCallId ?? null,
      // Sealed at rest; the hash finds a caller's earlier calls (core/personal-data.ts).
      seal(c.callerNumber),
      // On an outbound call (a callback, a survey) this is the citizen's number.
      c.direction === 'outbound' ? seal(c.calledNumber) : c.calledNumber,
      c.state,
      c.agentId ?? null,
      JSON.stringify(c.details ?? {}),
      phoneHash(c.callerNumber),
    ],
  );
  return toCall(r.rows[0] as Record<string, unknown>);
}

const FIELD_COLUMNS: Record<string, string> = {
  state: 'state',
  emergency: 'emergency',
  answeredAt: 'answered_at',
  endedAt: 'ended_at',
  agentId: 'agent_id',
  queueWaitMs: 'queue_wait_ms',
  endReason: 'end_reason',
  sipCallId: 'sip_call_id',
};

export async function updateCall(
  q: Queryable,
  id: number,
  fields: Partial<
    Pick<CallRecord, 'state' | 'emergency' | 'answeredAt' | 'endedAt' | 'agentId' | 'queueWaitMs' | 'endReason' | 'sipCallId'>
  >,
  details?: object,
): Promise<void> {
  const sets: string[] = [];
  const params: unknown[] = [id];
  for (const [k, v] of Object.entries(fields)) {
    params.push(v);
    sets.push(`${FIELD_COLUMNS[k]} = $${params.length}`);
  }
  if (details) {
    params.push(JSON.stringify(details));
    sets.push(`details = details || $${params.length}::jsonb`);
  }
  if (!sets.length) return;
  await q.query(`UPDATE calls SET ${sets.join(', ')} WHERE id = $1`, params);
}

/**
 * Ends every call row that is not ended, in one statement, as `lost_on_restart`: run when
 * telephony starts, before it takes a call, so it holds none of them. Live calls exist only in
 * the process that held their sockets; after a crash their rows stayed `queued`, `answered` …
 * for ever and the wallboard counted phantom callers waiting. The state the row had is kept
 * in details.stateAtRestart. Returns how many rows were ended.
 *
 * Scale-out: the calls table has no node/instance column, so this ends the live rows of
 * every telephony process sharing the database. With several telephony processes on one
 * database (issue #14's scale-out follow-up), calls need the id of the node that holds them
 * and this must be scoped to `node = <this node>`.
 */
export async function reconcileLostCalls(q: Queryable): Promise<number> {
  const r = await q.query(
    `UPDATE calls SET state = 'ended', ended_at = coalesce(ended_at, now()), end_reason = 'lost_on_restart',
            details = details || jsonb_build_object('stateAtRestart', state)
      WHERE state <> 'ended'`,
  );
  return r.rowCount ?? 0;
}

export async function getCall(q: Queryable, id: number): Promise<CallRecord | undefined> {
  const r = await q.query(`SELECT ${CALL_COLUMNS} FROM calls WHERE id = $1`, [id]);
  return r.rows[0] ? toCall(r.rows[0]) : undefined;
}

export interface CallFilter {
  state?: CallState;
  from?: string;
  to?: string;
  agentId?: number;
  channel?: Channel;
  limit?: number;
  offset?: number;
}

export async function listCalls(q: Queryable, f: CallFilter): Promise<CallRecord[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (f.state) add('state = ?', f.state);
  if (f.from) add('arrived_at >= ?', f.from);
  if (f.to) add('arrived_at < ?', f.to);
  if (f.agentId) add('agent_id = ?', f.agentId);
  if (f.channel) add('channel = ?', f.channel);
  params.push(f.limit ?? 50, f.offset ?? 0);
  const r = await q.query(
    `SELECT ${CALL_COLUMNS} FROM calls ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY arrived_at DESC, id DESC LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  return r.rows.map(toCall);
}

export async function insertSegment(q: Queryable, callId: number, s: Segment): Promise<void> {
  await q.query(
    `INSERT INTO transcript_segments (call_id, leg, seq, text, is_final, start_ms, end_ms, confidence)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (call_id, leg, seq) DO NOTHING`,
    // An ID or card number read out is sealed in place (core/personal-data.ts).
    [callId, s.leg, s.seq, sealNumbersInText(s.text), s.final, s.startMs, s.endMs, s.confidence],
  );
}

export async function listSegments(q: Queryable, callId: number): Promise<Segment[]> {
  const r = await q.query(
    `SELECT leg, seq, text, is_final, start_ms, end_ms, confidence FROM transcript_segments
     WHERE call_id = $1 ORDER BY coalesce(start_ms, 0), leg, seq`,
    [callId],
  );
  return r.rows.map((x) => ({
    leg: x.leg as Segment['leg'],
    seq: x.seq as number,
    text: openNumbersInText(x.text as string),
    final: x.is_final as boolean,
    startMs: (x.start_ms as number) ?? null,
    endMs: (x.end_ms as number) ?? null,
    confidence: (x.confidence as number) ?? null,
  }));
}

const REFERRAL_COLUMNS = `id, line, target, mode, reason, transcript_excerpt, agent_id, outcome, sip_status, detail, created_at, completed_at`;

function toReferral(r: Record<string, unknown>): Referral {
  return {
    id: r.id as number,
    line: r.line as Referral['line'],
    target: r.target as string,
    mode: r.mode as Referral['mode'],
    reason: (r.reason as string) ?? null,
    transcriptExcerpt: openNumbersInText((r.transcript_excerpt as string) ?? null),
    agentId: (r.agent_id as number) ?? null,
    outcome: r.outcome as Referral['outcome'],
    sipStatus: (r.sip_status as number) ?? null,
    detail: (r.detail as string) ?? null,
    createdAt: iso(r.created_at) as string,
    completedAt: iso(r.completed_at),
  };
}

export async function insertReferral(
  q: Queryable,
  r: { callId: number; line: Referral['line']; target: string; mode: Referral['mode']; reason?: string; excerpt: string; agentId: number },
): Promise<Referral> {
  const res = await q.query(
    `INSERT INTO referrals (call_id, line, target, mode, reason, transcript_excerpt, agent_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${REFERRAL_COLUMNS}`,
    [r.callId, r.line, r.target, r.mode, r.reason ?? null, sealNumbersInText(r.excerpt), r.agentId],
  );
  return toReferral(res.rows[0] as Record<string, unknown>);
}

/** A referral of a case to 110 without a call transfer (dispatch's refer_110 action). */
export async function insertCaseReferral(
  q: Queryable,
  r: { callId: number | null; workOrderId: number; reason: string | null; address: string | null; agentId: number | null },
): Promise<{ id: number }> {
  const res = await q.query<{ id: number }>(
    `INSERT INTO referrals (call_id, work_order_id, line, target, mode, reason, address, agent_id)
     VALUES ($1, $2, '110', '110', 'record_only', $3, $4, $5) RETURNING id`,
    [r.callId, r.workOrderId, r.reason, r.address, r.agentId],
  );
  return { id: res.rows[0]?.id as number };
}

/** Links a transfer's referral to its case, with the address and excerpt handed over (sealed). */
export async function attachReferralToCase(
  q: Queryable,
  id: number,
  a: { address: string | null; workOrderId: number | null; excerpt: string | null },
): Promise<void> {
  await q.query('UPDATE referrals SET address = $2, work_order_id = $3, transcript_excerpt = $4 WHERE id = $1', [
    id,
    a.address,
    a.workOrderId,
    a.excerpt && sealNumbersInText(a.excerpt),
  ]);
}

/** Marks the call that rings a callback's citizen with the callback it serves. */
export async function linkCallToCallback(q: Queryable, callId: number, callbackId: number): Promise<void> {
  await q.query('UPDATE calls SET callback_id = $1 WHERE id = $2', [callbackId, callId]);
}

export async function updateReferral(
  q: Queryable,
  id: number,
  u: { outcome?: Referral['outcome']; sipStatus?: number; detail?: string },
): Promise<void> {
  await q.query(
    `UPDATE referrals SET outcome = coalesce($2, outcome), sip_status = coalesce($3, sip_status), detail = coalesce($4, detail),
       completed_at = CASE WHEN $2::text IN ('connected', 'failed') THEN now() ELSE completed_at END
     WHERE id = $1`,
    [id, u.outcome ?? null, u.sipStatus ?? null, u.detail ?? null],
  );
}

export async function listReferrals(q: Queryable, callId: number): Promise<Referral[]> {
  const r = await q.query(`SELECT ${REFERRAL_COLUMNS} FROM referrals WHERE call_id = $1 ORDER BY id`, [callId]);
  return r.rows.map(toReferral);
}

export async function saveAgentState(q: Queryable, userId: number, state: AgentStateName): Promise<string> {
  const r = await q.query(
    `INSERT INTO agent_states (user_id, state, since) VALUES ($1, $2, now())
     ON CONFLICT (user_id) DO UPDATE SET state = excluded.state, since = now() RETURNING since`,
    [userId, state],
  );
  return iso(r.rows[0]?.since) as string;
}
