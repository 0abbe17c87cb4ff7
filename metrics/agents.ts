/**
 * Agents by state for the wallboard. Telephony owns agent state; it reaches metrics as
 * bus events (any `agent.*` event whose payload has an agent id and a state), so this
 * module keeps the latest state per agent without importing telephony. At start it reads
 * the states telephony stored (agent_states), so a restarted server's wallboard shows the
 * floor at once instead of waiting for each agent to change state.
 */
import type { EventBus } from '../core/index.js';
import type { Queryable } from '../db/index.js';

export const AGENT_STATES = ['available', 'busy', 'wrap_up', 'break', 'offline'] as const;
export type AgentState = (typeof AGENT_STATES)[number];

// Telephony may name states in its own words; these are mapped to the wallboard's five.
const ALIASES: Record<string, AgentState> = {
  available: 'available',
  idle: 'available',
  ready: 'available',
  busy: 'busy',
  talking: 'busy',
  on_call: 'busy',
  in_call: 'busy',
  ringing: 'busy',
  wrap_up: 'wrap_up',
  wrapup: 'wrap_up',
  acw: 'wrap_up',
  after_call: 'wrap_up',
  break: 'break',
  pause: 'break',
  paused: 'break',
  away: 'break',
  offline: 'offline',
  logged_out: 'offline',
};

export function normaliseAgentState(s: unknown): AgentState | undefined {
  return typeof s === 'string' ? ALIASES[s.toLowerCase().replace(/[- ]/g, '_')] : undefined;
}

export interface AgentTracker {
  counts(): Record<AgentState, number>;
  /** Whether any agent state was ever reported (false until telephony publishes one). */
  known(): boolean;
  /** Adds the stored states of agents no event has reported yet. */
  load(q: Queryable): Promise<void>;
  stop(): void;
}

export function trackAgents(bus: EventBus): AgentTracker {
  const states = new Map<string, AgentState>();
  const stop = bus.subscribeAll((event) => {
    if (!event.type.startsWith('agent.') && !event.type.startsWith('agents.')) return;
    const p = (event.payload ?? {}) as Record<string, unknown>;
    const id = p.agentId ?? p.userId;
    const state = normaliseAgentState(p.state);
    if ((typeof id === 'number' || typeof id === 'string') && state) states.set(String(id), state);
  });
  return {
    counts() {
      const c = Object.fromEntries(AGENT_STATES.map((s) => [s, 0])) as Record<AgentState, number>;
      for (const s of states.values()) c[s]++;
      return c;
    },
    known: () => states.size > 0,
    async load(q) {
      const r = await q.query<{ id: string; state: string }>('SELECT user_id::text AS id, state FROM agent_states');
      for (const row of r.rows) {
        const state = normaliseAgentState(row.state);
        if (state && !states.has(row.id)) states.set(row.id, state);
      }
    },
    stop,
  };
}
