/**
 * Who sees which bus event on the desk's real-time channel. Events carry ids in their
 * payloads (agentId, callId, departmentId ...); the rules below read those ids, so a
 * module publishing a new event type only has to name the people it concerns.
 */
import type { User } from '../../auth/index.js';
import type { BusEvent } from '../../core/index.js';

/** What one connection has learnt so far: the calls its user was offered, answered or placed. */
export interface ConnectionState {
  calls: Set<string>;
}

type Payload = Record<string, unknown>;

const idOf = (v: unknown): string | undefined => (typeof v === 'number' || typeof v === 'string' ? String(v) : undefined);

function field(p: Payload, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = idOf(p[n]);
    if (v !== undefined) return v;
  }
  // Work-order and call events often carry the whole record under one key.
  for (const key of ['workOrder', 'call', 'callback', 'order']) {
    const inner = p[key];
    if (inner && typeof inner === 'object') {
      for (const n of names) {
        const v = idOf((inner as Payload)[n]);
        if (v !== undefined) return v;
      }
    }
  }
  return undefined;
}

const family = (type: string) => type.split(/[.:]/)[0] ?? type;

const CALL_FAMILIES = new Set([
  'call',
  'calls',
  'transcript',
  'asr',
  'classifier',
  'proposal',
  'proposals',
  'alert',
  'emergency',
  'referral',
]);
const ORDER_FAMILIES = new Set(['work_order', 'workorder', 'work-order', 'order', 'dispatch']);
const CALLBACK_FAMILIES = new Set(['callback', 'callbacks', 'survey']);

/**
 * Whether `user` may receive `event`, updating `state` as calls are offered to them.
 * Supervisors and admins see everything (they watch the whole floor); the others see
 * what concerns them: agents their own calls, transcripts and alerts; dispatchers the
 * work orders; department handlers their unit's work orders; callback staff the callbacks
 * and the calls they placed.
 */
export function mayReceive(user: Pick<User, 'id' | 'role' | 'orgUnitId'>, event: BusEvent, state: ConnectionState): boolean {
  const p = (event.payload ?? {}) as Payload;
  const fam = family(event.type);
  if (user.role === 'admin' || user.role === 'supervisor') return true;
  if (fam === 'metrics') return false;

  const agentId = field(p, 'agentId', 'userId');
  const callId = field(p, 'callId');
  /** Call events about this user's own calls: answered by them, or placed by them (click-to-call). */
  const ownCall = () => {
    if (agentId === String(user.id)) {
      if (callId) state.calls.add(callId);
      return true;
    }
    // An offer to someone else means the call is no longer this agent's to take.
    if (agentId !== undefined && callId && event.type.endsWith('offered')) state.calls.delete(callId);
    return callId !== undefined && state.calls.has(callId);
  };
  switch (user.role) {
    case 'agent': {
      if (fam === 'agent' || fam === 'agents') return agentId === String(user.id);
      if (!CALL_FAMILIES.has(fam)) return false;
      return ownCall();
    }
    case 'dispatcher':
      return ORDER_FAMILIES.has(fam);
    case 'handler': {
      if (!ORDER_FAMILIES.has(fam)) return false;
      const dept = field(p, 'departmentId', 'orgUnitId', 'unitId');
      const prev = field(p, 'previousDepartmentId', 'fromDepartmentId');
      const mine = user.orgUnitId === null ? undefined : String(user.orgUnitId);
      return mine !== undefined && (dept === mine || prev === mine);
    }
    case 'callback':
      // The callback queue, and the calls they place to citizens (ringing, answered, transcript, ended).
      if (CALLBACK_FAMILIES.has(fam)) return true;
      return CALL_FAMILIES.has(fam) && ownCall();
    default:
      return false;
  }
}
