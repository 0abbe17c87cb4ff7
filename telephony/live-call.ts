/**
 * What the call centre holds of one live call: its leg, its place in the queue, its media
 * (recognizer, desk sinks, bridged leg, prompts) and the chain of its database writes.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { AsrStream } from '../asr/index.js';
import type { CallLeg } from './leg.js';
import type { QueueCall } from './queue.js';

/** Something that takes the agent's copy of the caller's audio (the desk WebSocket). */
export interface AudioSink {
  send(pcm: Buffer): void;
  close(code?: number, reason?: string): void;
}

export interface LiveCall extends QueueCall {
  leg: CallLeg;
  offerTimer?: NodeJS.Timeout;
  asr?: AsrStream;
  /** Audio that arrived while the recognizer was opening. */
  asrPending: Buffer[] | null;
  /** Settles when the recognizer has opened (or failed to). */
  asrOpening?: Promise<void>;
  /** The call's recognition is over (its stream closed or given up on): a stream that opens late is closed at once. */
  asrDone?: boolean;
  seq: number;
  heardMs: number;
  finals: string[];
  writes: Promise<void>;
  sinks: Set<AudioSink>;
  bridge?: CallLeg;
  dtmf: string;
  promptTimer?: NodeJS.Timeout;
  ending?: Promise<void>;
  transferred: boolean;
  done: Promise<void>;
  resolveDone: () => void;
}

/** A live call's bookkeeping at its start; `fields` says how it starts (queued inbound, or answered outbound). */
export function newLiveCall(
  id: number,
  leg: CallLeg,
  fields: Pick<LiveCall, 'state' | 'arrivedAt' | 'emergency'> & Partial<Pick<LiveCall, 'agentId' | 'answeredAt'>>,
): LiveCall {
  let resolveDone = () => {};
  const done = new Promise<void>((r) => {
    resolveDone = r;
  });
  return {
    id,
    leg,
    ...fields,
    asrPending: [],
    seq: 0,
    heardMs: 0,
    finals: [],
    writes: Promise.resolve(),
    sinks: new Set(),
    dtmf: '',
    transferred: false,
    done,
    resolveDone,
  };
}

/** Runs DB writes of one call in order; a failed write is logged, never lost silently. */
export function writeInOrder(call: LiveCall, fn: () => Promise<unknown>, log: FastifyBaseLogger): Promise<void> {
  call.writes = call.writes.then(fn).then(
    () => undefined,
    (err) => log.error({ err, callId: call.id }, 'could not store a call change'),
  );
  return call.writes;
}
