/**
 * Agents by state for the wallboard. Telephony owns agent state; it reaches metrics as
 * bus events (any `agent.*` event whose payload has an agent id and a state), so this
 * module keeps the latest state per agent without importing telephony.
 */
import type { EventBus } from '../core/events.js';

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
    stop,
  };
}
