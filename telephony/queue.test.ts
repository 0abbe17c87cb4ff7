/** The queue's decisions, without sockets, database or timers (telephony/queue.ts). */
import assert from 'node:assert/strict';
import test from 'node:test';
import { TelephonyErrors } from './errors.js';
import {
  type Agent,
  Agents,
  agentView,
  answerCall,
  changeAgentState,
  makeOffer,
  nextOffers,
  offerRangOut,
  type QueueCall,
  queueOrder,
  releaseAgent,
} from './queue.js';

/** A small call centre: calls by id and agents, with the clock passed in. */
function centre() {
  const calls = new Map<number, QueueCall>();
  const agents = new Agents();
  let nextId = 1;
  return {
    calls,
    agents,
    arrive(at: number, emergency = false): QueueCall {
      const c: QueueCall = { id: nextId++, state: 'queued', arrivedAt: at, emergency };
      calls.set(c.id, c);
      return c;
    },
    available(id: number, at: number): Agent {
      const a = agents.get(id, at);
      changeAgentState(a, 'available', calls, agents, at);
      return a;
    },
    /** What the call centre's dispatch does: make every offer the queue decides on. */
    dispatch(): [number, number][] {
      const offers = nextOffers(calls.values(), agents.all());
      for (const { call, agent } of offers) makeOffer(call, agent);
      return offers.map(({ call, agent }) => [call.id, agent.id]);
    },
  };
}

test('the queue: emergencies first, then first come first served; ties by id', () => {
  const c = centre();
  const a = c.arrive(1000);
  const b = c.arrive(2000);
  const e = c.arrive(3000, true);
  const d = c.arrive(1000);
  assert.deepEqual(
    queueOrder(c.calls.values()).map((x) => x.id),
    [e.id, a.id, d.id, b.id],
  );
  // A call marked an emergency later jumps the queue.
  b.emergency = true;
  assert.deepEqual(
    queueOrder(c.calls.values()).map((x) => x.id),
    [b.id, e.id, a.id, d.id],
  );
});

test('each free agent is offered one call at a time, the agent available longest first', () => {
  const c = centre();
  c.available(7, 500);
  c.available(5, 100); // longest idle
  c.available(9, 900);
  const first = c.arrive(1000);
  const second = c.arrive(2000);
  assert.deepEqual(c.dispatch(), [
    [first.id, 5],
    [second.id, 7],
  ]);
  const third = c.arrive(3000);
  const fourth = c.arrive(4000);
  // Agents 5 and 7 hold their offers: only 9 is free.
  assert.deepEqual(c.dispatch(), [[third.id, 9]]);
  assert.equal(fourth.state, 'queued');
  assert.deepEqual(c.dispatch(), []);
  assert.deepEqual(agentView(c.agents.get(5, 0)), {
    state: 'available',
    since: new Date(100).toISOString(),
    callId: null,
    offeredCallId: first.id,
  });
});

test('an agent on a call is offered nothing until released, then after_call until they choose available', () => {
  const c = centre();
  const a = c.available(1, 0);
  const call = c.arrive(10);
  c.dispatch();
  answerCall(call, a, c.calls, c.agents, 20);
  assert.deepEqual([call.state, call.agentId, call.answeredAt, a.state, a.callId, a.since], ['answered', 1, 20, 'on_call', call.id, 20]);
  c.arrive(30);
  assert.deepEqual(c.dispatch(), []);
  assert.ok(TelephonyErrors.AGENT_STILL_ON_CALL.is(catchErr(() => changeAgentState(a, 'available', c.calls, c.agents, 40))));
  assert.equal(releaseAgent(call, c.agents, 50), a);
  assert.deepEqual([a.state, a.callId], ['after_call', undefined]);
  assert.equal(releaseAgent(call, c.agents, 60), undefined, 'released once');
  assert.deepEqual(c.dispatch(), []);
  changeAgentState(a, 'available', c.calls, c.agents, 70);
  assert.equal(c.dispatch().length, 1);
});

test('a missed offer: the call goes back to the queue, the agent is paused, the next agent gets it', () => {
  const c = centre();
  const slow = c.available(1, 0);
  const call = c.arrive(10);
  c.dispatch();
  const other = c.available(2, 15);
  assert.equal(offerRangOut(call, slow, c.agents, 25), true);
  assert.deepEqual(
    [call.state, call.offeredTo, slow.state, slow.offeredCallId, slow.since],
    ['queued', undefined, 'paused', undefined, 25],
  );
  assert.deepEqual(c.dispatch(), [[call.id, other.id]]);
  // The timer of an offer already answered or withdrawn changes nothing.
  assert.equal(offerRangOut(call, slow, c.agents, 30), false);
  answerCall(call, other, c.calls, c.agents, 35);
  assert.equal(offerRangOut(call, other, c.agents, 40), false);
  assert.equal(call.state, 'answered');
});

test('an agent logging out (or pausing) with a call offered: the offer is withdrawn and goes to the next agent', () => {
  for (const state of ['offline', 'paused', 'after_call'] as const) {
    const c = centre();
    const leaving = c.available(1, 0);
    const call = c.arrive(10);
    c.dispatch();
    const next = c.available(2, 20);
    const { requeued } = changeAgentState(leaving, state, c.calls, c.agents, 30);
    assert.equal(requeued, call, state);
    assert.deepEqual([call.state, leaving.state, leaving.offeredCallId], ['queued', state, undefined]);
    assert.deepEqual(c.dispatch(), [[call.id, next.id]]);
  }
});

test('answering: only a waiting call, only the agent it is offered to, one call per agent; on_call only by answering', () => {
  const c = centre();
  const a = c.available(1, 0);
  const b = c.available(2, 5);
  const first = c.arrive(10);
  const second = c.arrive(20);
  c.dispatch(); // first → 1, second → 2
  const refused = (fn: () => unknown) => catchErr(fn);
  assert.ok(TelephonyErrors.CALL_OFFERED_TO_OTHER.is(refused(() => answerCall(second, a, c.calls, c.agents, 30))));
  answerCall(first, a, c.calls, c.agents, 30);
  assert.ok(TelephonyErrors.CALL_NOT_WAITING.is(refused(() => answerCall(first, b, c.calls, c.agents, 31))));
  const third = c.arrive(40);
  assert.ok(TelephonyErrors.AGENT_ALREADY_ON_CALL.is(refused(() => answerCall(third, a, c.calls, c.agents, 41))));
  const paused = c.agents.get(3, 0);
  changeAgentState(paused, 'paused', c.calls, c.agents, 0);
  assert.ok(TelephonyErrors.AGENT_NOT_AVAILABLE.is(refused(() => answerCall(third, paused, c.calls, c.agents, 42))));
  assert.ok(TelephonyErrors.AGENT_ON_CALL_BY_ANSWER.is(refused(() => changeAgentState(paused, 'on_call', c.calls, c.agents, 43))));
  // An available agent may pick a waiting call not offered to them: their own offer goes back to the queue.
  const { requeued } = answerCall(third, b, c.calls, c.agents, 44);
  assert.equal(requeued, second);
  assert.deepEqual([second.state, second.offeredTo, b.offeredCallId, b.callId], ['queued', undefined, undefined, third.id]);
});

function catchErr(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  assert.fail('expected a refusal');
}
