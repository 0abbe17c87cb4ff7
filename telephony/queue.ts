/**
 * The queue and the agents (automatic call distribution), as plain data and decisions:
 * which waiting call is offered to which agent, what an agent's state change or answer
 * does to the offers, what a rung-out offer leads to. No sockets, database or timers here,
 * and the time is passed in: the call centre carries the decisions out (writes, events,
 * the offer timer) and tests run them as they are (telephony/queue.test.ts).
 *
 *   queued ──offer──▶ offered ──answer──▶ answered
 *     ▲                 │
 *     └──rang out / agent not available / agent answered another──┘
 *
 * Order: emergencies first, then first come first served; each free agent gets one offer
 * at a time, the one available longest first. An agent on a call or with an offer standing
 * is not free.
 */
import { TelephonyErrors } from './errors.js';
import type { AgentStateName, CallState } from './store.js';

/** What the queue needs to know of a live call (the call centre's live call has these fields). */
export interface QueueCall {
  readonly id: number;
  state: CallState;
  /** ms since the epoch. */
  readonly arrivedAt: number;
  emergency: boolean;
  /** The agent the call is offered to now. */
  offeredTo?: number;
  /** The agent who answered it. */
  agentId?: number;
  answeredAt?: number;
}

export interface Agent {
  readonly id: number;
  state: AgentStateName;
  /** ms since the epoch: when the agent entered `state` (longest idle = smallest). */
  since: number;
  callId?: number;
  offeredCallId?: number;
}

/** An agent's phone state as the desk reads it. */
export interface AgentView {
  state: AgentStateName;
  since: string;
  callId: number | null;
  offeredCallId: number | null;
}

/** The agents of one call centre, by user id; an agent never seen is offline since `now`. */
export class Agents {
  private readonly byId = new Map<number, Agent>();

  get(id: number, now: number): Agent {
    let a = this.byId.get(id);
    if (!a) {
      a = { id, state: 'offline', since: now };
      this.byId.set(id, a);
    }
    return a;
  }

  /** The agent when already known (no entry made). */
  find(id: number | undefined): Agent | undefined {
    return id === undefined ? undefined : this.byId.get(id);
  }

  all(): IterableIterator<Agent> {
    return this.byId.values();
  }
}

export function agentView(a: Agent): AgentView {
  return { state: a.state, since: new Date(a.since).toISOString(), callId: a.callId ?? null, offeredCallId: a.offeredCallId ?? null };
}

/** The waiting calls in the order they are offered: emergencies first, then by arrival (id breaks ties). */
export function queueOrder<C extends QueueCall>(calls: Iterable<C>): C[] {
  return [...calls]
    .filter((c) => c.state === 'queued')
    .sort((a, b) => Number(b.emergency) - Number(a.emergency) || a.arrivedAt - b.arrivedAt || a.id - b.id);
}

/** Agents who may be offered a call now, longest available first. */
export function freeAgents(agents: Iterable<Agent>): Agent[] {
  return [...agents]
    .filter((a) => a.state === 'available' && a.offeredCallId === undefined && a.callId === undefined)
    .sort((a, b) => a.since - b.since);
}

/** The offers to make now: the waiting calls in order, each to the next free agent (one offer per agent). */
export function nextOffers<C extends QueueCall>(calls: Iterable<C>, agents: Iterable<Agent>): { call: C; agent: Agent }[] {
  const free = freeAgents(agents);
  return queueOrder(calls)
    .slice(0, free.length)
    .map((call, i) => ({ call, agent: free[i] as Agent }));
}

/** Offers `call` to `agent`. */
export function makeOffer(call: QueueCall, agent: Agent): void {
  call.state = 'offered';
  call.offeredTo = agent.id;
  agent.offeredCallId = call.id;
}

/** Takes back the offer standing for `call`, if any (its state is left to the caller). */
export function withdrawOffer(call: QueueCall, agents: Agents): void {
  const agent = agents.find(call.offeredTo);
  if (agent && agent.offeredCallId === call.id) agent.offeredCallId = undefined;
  call.offeredTo = undefined;
}

/** Withdraws the offer of `call` and puts it back in the queue. */
export function requeue(call: QueueCall, agents: Agents): void {
  withdrawOffer(call, agents);
  call.state = 'queued';
}

export function setAgentState(a: Agent, state: AgentStateName, now: number): void {
  a.state = state;
  a.since = now;
}

/**
 * The offer of `call` to `agent` rang out. When it still stood, the call goes back to the
 * queue and the agent is paused (an agent who lets a call ring out is away, so calls stop
 * going to them): returns true. False when the offer had already ended (answered, withdrawn).
 */
export function offerRangOut(call: QueueCall, agent: Agent, agents: Agents, now: number): boolean {
  if (call.state !== 'offered' || call.offeredTo !== agent.id) return false;
  requeue(call, agents);
  setAgentState(agent, 'paused', now);
  return true;
}

/**
 * The desk sets an agent's state. Refused (coded errors) while on a call for `available`,
 * and for `on_call` (which answering sets). Any other state than available takes back the
 * offer standing for the agent: that call, back in the queue, is returned.
 */
export function changeAgentState<C extends QueueCall>(
  a: Agent,
  state: AgentStateName,
  calls: ReadonlyMap<number, C>,
  agents: Agents,
  now: number,
): { requeued?: C } {
  if (a.callId !== undefined && state === 'available') throw TelephonyErrors.AGENT_STILL_ON_CALL({ callId: a.callId });
  if (state === 'on_call' && a.callId === undefined) throw TelephonyErrors.AGENT_ON_CALL_BY_ANSWER();
  let requeued: C | undefined;
  if (state !== 'available' && a.offeredCallId !== undefined) {
    const call = calls.get(a.offeredCallId);
    if (call) {
      requeue(call, agents);
      requeued = call;
    }
  }
  setAgentState(a, state, now);
  return { requeued };
}

/** Why `agent` may not answer `call` now (a coded error), or undefined when they may. */
export function answerRefusal(call: QueueCall, agent: Agent): Error | undefined {
  if (call.state !== 'queued' && call.state !== 'offered') return TelephonyErrors.CALL_NOT_WAITING({ callId: call.id, state: call.state });
  if (call.state === 'offered' && call.offeredTo !== agent.id) return TelephonyErrors.CALL_OFFERED_TO_OTHER({ callId: call.id });
  if (agent.callId !== undefined) return TelephonyErrors.AGENT_ALREADY_ON_CALL({ callId: agent.callId });
  if (call.offeredTo !== agent.id && agent.state !== 'available') return TelephonyErrors.AGENT_NOT_AVAILABLE({ state: agent.state });
  return undefined;
}

/**
 * `agent` answers `call` (checked by answerRefusal first): the call is theirs, they are
 * on_call, and an offer of another call that stood for them goes back to the queue (returned).
 */
export function answerCall<C extends QueueCall>(
  call: C,
  agent: Agent,
  calls: ReadonlyMap<number, C>,
  agents: Agents,
  now: number,
): { requeued?: C } {
  const refusal = answerRefusal(call, agent);
  if (refusal) throw refusal;
  let requeued: C | undefined;
  if (agent.offeredCallId !== undefined && agent.offeredCallId !== call.id) {
    const other = calls.get(agent.offeredCallId);
    if (other) {
      requeue(other, agents);
      requeued = other;
    }
  }
  withdrawOffer(call, agents);
  call.state = 'answered';
  call.agentId = agent.id;
  call.answeredAt = now;
  agent.callId = call.id;
  setAgentState(agent, 'on_call', now);
  return { requeued };
}

/**
 * The call's agent is done with it (it ended, or was bridged to another line): returns
 * the agent when they were still on it, now in after_call.
 */
export function releaseAgent(call: QueueCall, agents: Agents, now: number): Agent | undefined {
  const a = agents.find(call.agentId);
  if (!a || a.callId !== call.id) return undefined;
  a.callId = undefined;
  setAgentState(a, 'after_call', now);
  return a;
}
