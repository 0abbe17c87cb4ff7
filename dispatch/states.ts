/**
 * The case flow as data: which actions exist, from which states, by which roles, and
 * where they lead. `transitions.ts` applies it; the desk reads it to offer buttons.
 */
import { type HotlineError, ROLE_NAMES_ZH, type Role } from '../core/index.js';
import { DispatchErrors } from './errors.js';

export const STATES = [
  'intake',
  'pending_dispatch',
  'dispatched',
  'in_progress',
  'returned',
  'replied',
  'callback_pending',
  'closed',
  'merged',
  'referred_110',
] as const;
export type State = (typeof STATES)[number];

export const CHANNELS = ['hotline', 'web', 'grid', 'open311', 'referral_110'] as const;
export type Channel = (typeof CHANNELS)[number];
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];
export const CALLBACK_OUTCOMES = ['satisfied', 'basically_satisfied', 'unsatisfied', 'unsolved', 'unreachable'] as const;
export type CallbackOutcome = (typeof CALLBACK_OUTCOMES)[number];

export const STATE_NAMES_ZH: Record<State, string> = {
  intake: '受理中',
  pending_dispatch: '待派单',
  dispatched: '待签收',
  in_progress: '办理中',
  returned: '已退单',
  replied: '待审核',
  callback_pending: '待回访',
  closed: '已办结',
  merged: '已合并',
  referred_110: '已转110',
};

/** States in which nothing more happens unless a case is reopened. */
export const FINAL_STATES: readonly State[] = ['closed', 'merged', 'referred_110'];
/** States in which the department's deadline runs. */
export const CLOCK_STATES: readonly State[] = ['dispatched', 'in_progress'];

export const ACTIONS = [
  'resolve_on_call',
  'submit',
  'dispatch',
  'merge',
  'accept',
  'reply',
  'return',
  'request_extension',
  'approve_extension',
  'reject_extension',
  'forward',
  'review',
  'supervise',
  'close',
  'reopen',
  'refer_110',
] as const;
export type Action = (typeof ACTIONS)[number];

/** Who performs an action: a role, or 'system' for other modules acting on their own (callback jobs). */
export type ActorRole = Role | 'system';

export interface ActionRule {
  from: readonly State[];
  /** The state after the action; `same` keeps the current state (supervision, extensions). */
  to: State | 'same';
  roles: readonly Role[];
  /** Department actions: the actor must be a handler of the case's unit or a unit above it. */
  departmentOnly?: boolean;
  /** Roles that may take the action from some of `from` only (others keep all of it). */
  roleFrom?: Partial<Record<Role, readonly State[]>>;
  /** Roles that may take the action only on a case they took (created it, or it came from their call). */
  ownCaseOnly?: readonly Role[];
  zh: string;
}

const OPEN_FOR_110: readonly State[] = ['intake', 'pending_dispatch', 'dispatched', 'in_progress', 'returned'];

export const RULES: Record<Action, ActionRule> = {
  resolve_on_call: { from: ['intake'], to: 'closed', roles: ['agent'], zh: '直接办结' },
  submit: { from: ['intake'], to: 'pending_dispatch', roles: ['agent', 'dispatcher'], zh: '提交派单' },
  dispatch: { from: ['pending_dispatch', 'returned'], to: 'dispatched', roles: ['dispatcher'], zh: '派单' },
  merge: { from: ['intake', 'pending_dispatch', 'returned'], to: 'merged', roles: ['dispatcher'], zh: '合并' },
  accept: { from: ['dispatched'], to: 'in_progress', roles: ['handler'], departmentOnly: true, zh: '签收' },
  reply: { from: ['in_progress'], to: 'replied', roles: ['handler'], departmentOnly: true, zh: '办结答复' },
  return: { from: ['dispatched', 'in_progress'], to: 'returned', roles: ['handler'], departmentOnly: true, zh: '退单' },
  request_extension: { from: ['dispatched', 'in_progress'], to: 'same', roles: ['handler'], departmentOnly: true, zh: '申请延期' },
  approve_extension: { from: ['dispatched', 'in_progress', 'replied'], to: 'same', roles: ['dispatcher'], zh: '批准延期' },
  reject_extension: { from: ['dispatched', 'in_progress', 'replied'], to: 'same', roles: ['dispatcher'], zh: '驳回延期' },
  forward: { from: ['dispatched', 'in_progress'], to: 'dispatched', roles: ['handler'], departmentOnly: true, zh: '转派下级' },
  review: { from: ['replied'], to: 'callback_pending', roles: ['dispatcher', 'supervisor'], zh: '审核' },
  supervise: { from: ['dispatched', 'in_progress', 'replied', 'returned'], to: 'same', roles: ['dispatcher', 'supervisor'], zh: '督办' },
  close: {
    from: ['pending_dispatch', 'returned', 'callback_pending'],
    to: 'closed',
    roles: ['callback', 'dispatcher', 'supervisor'],
    // Callback staff close what they called back; a case never handled is the dispatchers' call.
    roleFrom: { callback: ['callback_pending'] },
    zh: '结案',
  },
  reopen: { from: ['callback_pending', 'closed'], to: 'dispatched', roles: ['callback', 'dispatcher', 'supervisor'], zh: '重办' },
  refer_110: {
    from: OPEN_FOR_110,
    to: 'referred_110',
    roles: ['agent', 'dispatcher', 'supervisor'],
    // Referring closes the case: an agent does it for the call they took, before a department works on it.
    roleFrom: { agent: ['intake', 'pending_dispatch'] },
    ownCaseOnly: ['agent'],
    zh: '转110',
  },
};

const who = (roles: readonly Role[]) => [...roles, 'admin' as const].map((r) => `${r} (${ROLE_NAMES_ZH[r]})`).join(', ');

/**
 * Why `role` may not take `action` on a case in `state` although the role is among the
 * action's roles (a narrower rule for that role), or null when it may. `ownCase`: the actor
 * created the case or it came from their call.
 */
export function roleRefusal(action: Action, state: State, role: ActorRole, ownCase: boolean): HotlineError | null {
  const limit = roleLimit(action, state, role, ownCase);
  return limit && DispatchErrors.ACTION_LIMITED_FOR_ROLE(limit);
}

/** The parameters of roleRefusal's error, or null (allowedActions asks this for every action: no error built). */
function roleLimit(action: Action, state: State, role: ActorRole, ownCase: boolean) {
  if (role === 'admin' || role === 'system') return null;
  const rule = RULES[action];
  if (!rule.roles.includes(role)) return null;
  const states = rule.roleFrom?.[role];
  const inState = !states || states.includes(state);
  const own = !rule.ownCaseOnly?.includes(role) || ownCase;
  if (inState && own) return null;
  const others = rule.roles.filter(
    (r) => r !== role && (!rule.roleFrom?.[r] || rule.roleFrom[r]?.includes(state)) && !rule.ownCaseOnly?.includes(r),
  );
  const limit = [
    rule.ownCaseOnly?.includes(role) ? 'a case they took (created, or from their own call)' : 'a case',
    states ? `that is ${states.map((s) => STATE_NAMES_ZH[s]).join(' or ')}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const why = inState ? 'you did not take this case' : `this one is ${STATE_NAMES_ZH[state]}`;
  return { role, roleZh: ROLE_NAMES_ZH[role], action, actionZh: rule.zh, limit, why, allowed: who(others) };
}

/**
 * The actions a role may take on a case in `state` (admin and system may take all);
 * `ownCase`: the actor took the case (for actions some roles take only on their own cases).
 */
export function allowedActions(state: State, role: ActorRole, ownCase = false): Action[] {
  return ACTIONS.filter((a) => {
    const rule = RULES[a];
    return (
      rule.from.includes(state) &&
      (role === 'admin' || role === 'system' || rule.roles.includes(role)) &&
      roleLimit(a, state, role, ownCase) === null
    );
  });
}
