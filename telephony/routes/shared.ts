/** What the call API's plugins share: who counts as a supervisor, and a call as others see it. */
import type { FastifyRequest } from 'fastify';
import { currentUser } from '../../auth/index.js';
import { maskPhone, maskText } from '../../core/index.js';
import type { Db } from '../../db/index.js';
import type { CallCenter } from '../call-center.js';
import type { CallRecord } from '../store.js';

/** The options every telephony route plugin gets. */
export interface CallApiOptions {
  db: Db;
  center: CallCenter;
}

export const isSupervisor = (req: FastifyRequest) => {
  const r = currentUser(req).role;
  return r === 'supervisor' || r === 'admin';
};

/**
 * A call as lists and people not on it see it: the caller's number masked, and on an
 * outbound call (click-to-call, surveys) the called citizen's too; DTMF digits masked.
 */
export function maskedCall(c: CallRecord): CallRecord {
  return {
    ...c,
    callerNumber: maskPhone(c.callerNumber),
    calledNumber: c.direction === 'outbound' ? maskPhone(c.calledNumber) : c.calledNumber,
    details: Object.fromEntries(Object.entries(c.details).map(([k, v]) => [k, typeof v === 'string' ? maskText(v) : v])),
  };
}
