/** Calls: the list, one call with its transcript, and what the agent does with it (answer, hang up, hold). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type TObject, Type } from '@sinclair/typebox';
import { logPiiRead } from '../../audit/index.js';
import { currentUser } from '../../auth/index.js';
import { IdParams, maskText, protectedErrors } from '../../core/index.js';
import { TelephonyErrors } from '../errors.js';
import { CallDetail, CallListQuery, HoldBody, Ok } from '../schemas.js';
import { type CallRecord, getCall, listCalls, listReferrals, listSegments } from '../store.js';
import { type CallApiOptions, isSupervisor, maskedCall } from './shared.js';

const ok = { ok: true as const };
const callRoles = ['agent', 'supervisor', 'dispatcher', 'callback'] as const;

/** The schema of an action on a call (POST /api/calls/:id/...). */
export const actionSchema = (summary: string, body?: TObject) => ({
  tags: ['calls'],
  summary,
  params: IdParams,
  ...(body ? { body } : {}),
  response: { 200: Ok, 404: Type.Ref('ErrorResponse'), 409: Type.Ref('ErrorResponse'), ...protectedErrors },
});

export const callRoutes: FastifyPluginAsyncTypebox<CallApiOptions> = async (app, { db, center }) => {
  app.get(
    '/api/calls',
    {
      config: { roles: callRoles },
      schema: {
        tags: ['calls'],
        summary: 'Calls, newest first, filtered by state, time, agent or channel (caller numbers masked)',
        querystring: CallListQuery,
        response: { 200: Type.Array(Type.Ref('Call')), ...protectedErrors },
      },
    },
    async (req) => (await listCalls(db, req.query)).map((c) => maskedCall(c)),
  );

  app.get(
    '/api/calls/:id',
    {
      config: { roles: callRoles },
      schema: {
        tags: ['calls'],
        summary: 'One call with its transcript (final segments), referrals and, while live, its queue position',
        description:
          "The caller's number, the transcript and the referrals' excerpts are in clear only for the call's agent (also while it is offered to them) and supervisors/admins, " +
          'and each such read is written to the access log (GET /api/audit/pii-access); others get the numbers masked and no transcript (piiMasked: true).',
        params: IdParams,
        response: { 200: CallDetail, 404: Type.Ref('ErrorResponse'), ...protectedErrors },
      },
    },
    async (req) => {
      const call: CallRecord | undefined = (await center.record(req.params.id)) ?? (await getCall(db, req.params.id));
      if (!call) throw TelephonyErrors.CALL_NOT_FOUND({ callId: req.params.id });
      const user = currentUser(req);
      const live = center.live(call.id) ?? null;
      const onCall = isSupervisor(req) || call.agentId === user.id || live?.offeredTo === user.id;
      if (!onCall) {
        const referrals = (await listReferrals(db, call.id)).map((r) => ({
          ...r,
          reason: r.reason && maskText(r.reason),
          transcriptExcerpt: null,
        }));
        return { ...maskedCall(call), transcript: [], referrals, live: live && { ...live, dtmf: maskText(live.dtmf) }, piiMasked: true };
      }
      const [transcript, referrals] = await Promise.all([listSegments(db, call.id), listReferrals(db, call.id)]);
      const fields = [
        ...(call.callerNumber ? ['callerNumber'] : []),
        ...(call.direction === 'outbound' && call.calledNumber ? ['calledNumber'] : []),
        ...(transcript.length ? ['transcript'] : []),
        ...(referrals.some((r) => r.transcriptExcerpt) ? ['referralExcerpt'] : []),
      ];
      await logPiiRead(db, req, { type: 'call', id: call.id, ref: call.sipCallId }, fields);
      return { ...call, transcript, referrals, live, piiMasked: false };
    },
  );

  app.post(
    '/api/calls/:id/answer',
    { config: { roles: ['agent'] }, schema: actionSchema('Answer a call offered to you (or waiting, when you are available)') },
    async (req) => {
      await center.answer(req.params.id, currentUser(req).id);
      return ok;
    },
  );

  app.post(
    '/api/calls/:id/hangup',
    {
      // callback: staff hang up the calls they placed (click-to-call), ringing or answered.
      config: { roles: ['agent', 'supervisor', 'callback'] },
      schema: actionSchema('Hang up your call, or cancel your outbound call while it rings (a supervisor may hang up any live call)'),
    },
    async (req) => {
      await center.hangup(req.params.id, currentUser(req).id, isSupervisor(req));
      return ok;
    },
  );

  app.post(
    '/api/calls/:id/hold',
    {
      config: { roles: ['agent', 'supervisor'] },
      schema: actionSchema('Put your call on hold or take it off hold (SIP re-INVITE sendonly/sendrecv)', HoldBody),
    },
    async (req) => {
      const body = (req.body ?? { hold: true }) as HoldBody;
      await center.hold(req.params.id, currentUser(req).id, body.hold, isSupervisor(req));
      return ok;
    },
  );
};
