/** The desk's call API, the agent audio WebSocket and the PBX audio ingress WebSockets. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { logPiiRead } from '../audit/index.js';
import { currentUser } from '../auth/index.js';
import { IdParams, maskPhone, maskText, protectedErrors, secretMatches } from '../core/index.js';
import type { Db } from '../db/index.js';
import type { CallCenter } from './call-center.js';
import { TelephonyErrors } from './errors.js';
import { AudioForkLeg, TwilioLeg } from './ingress.js';
import { type CallRecord, getCall, listCalls, listReferrals, listSegments } from './store.js';

const Nullable = <T extends import('@sinclair/typebox').TSchema>(t: T) => Type.Union([t, Type.Null()]);
const CALL_STATES = ['ringing', 'queued', 'offered', 'answered', 'held', 'transferring', 'ended'] as const;
const AGENT_STATES = ['available', 'on_call', 'after_call', 'paused'] as const;

const CallSchema = Type.Object(
  {
    id: Type.Integer(),
    channel: Type.String({ description: 'sip, twilio, audio_fork or outbound' }),
    direction: Type.String(),
    callerNumber: Nullable(
      Type.String({ description: "masked in lists; whole on GET /api/calls/:id for the call's agent and supervisors" }),
    ),
    calledNumber: Nullable(Type.String({ description: 'on an outbound call the citizen called: masked as callerNumber is' })),
    state: Type.Union(CALL_STATES.map((s) => Type.Literal(s))),
    emergency: Type.Boolean(),
    arrivedAt: Type.String({ format: 'date-time' }),
    answeredAt: Nullable(Type.String({ format: 'date-time' })),
    endedAt: Nullable(Type.String({ format: 'date-time' })),
    agentId: Nullable(Type.Integer()),
    queueWaitMs: Nullable(Type.Integer()),
    endReason: Nullable(Type.String({ description: 'answered, abandoned, transferred, failed, timeout, rejected' })),
    details: Type.Record(Type.String(), Type.Unknown(), { description: 'dtmf digits received, ...' }),
  },
  { $id: 'Call' },
);

const SegmentSchema = Type.Object({
  leg: Type.Union([Type.Literal('caller'), Type.Literal('agent')]),
  seq: Type.Integer(),
  text: Type.String(),
  final: Type.Boolean(),
  startMs: Nullable(Type.Integer()),
  endMs: Nullable(Type.Integer()),
  confidence: Nullable(Type.Number()),
});

const ReferralSchema = Type.Object({
  id: Type.Integer(),
  line: Type.String({ description: '110, 119, 120 or other' }),
  target: Type.String(),
  mode: Type.String(),
  reason: Nullable(Type.String()),
  transcriptExcerpt: Nullable(Type.String()),
  agentId: Nullable(Type.Integer()),
  outcome: Type.Union([Type.Literal('pending'), Type.Literal('connected'), Type.Literal('failed')]),
  sipStatus: Nullable(Type.Integer()),
  detail: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  completedAt: Nullable(Type.String({ format: 'date-time' })),
});

const CallDetailSchema = Type.Intersect([
  Type.Omit(CallSchema, []),
  Type.Object({
    transcript: Type.Array(SegmentSchema),
    referrals: Type.Array(ReferralSchema),
    live: Nullable(
      Type.Object(
        { queuePosition: Nullable(Type.Integer()), offeredTo: Nullable(Type.Integer()), dtmf: Type.String() },
        { description: 'while the call is live' },
      ),
    ),
    piiMasked: Type.Boolean({ description: 'numbers masked and no transcript: you are not on this call' }),
  }),
]);

const AgentStateSchema = Type.Object({
  state: Type.String(),
  since: Type.String({ format: 'date-time' }),
  callId: Nullable(Type.Integer()),
  offeredCallId: Nullable(Type.Integer()),
});

const ListQuery = Type.Object({
  state: Type.Optional(Type.Union(CALL_STATES.map((s) => Type.Literal(s)))),
  from: Type.Optional(Type.String({ format: 'date-time', description: 'arrived at or after' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'arrived before' })),
  agentId: Type.Optional(Type.Integer({ minimum: 1 })),
  channel: Type.Optional(Type.Union(['sip', 'twilio', 'audio_fork', 'outbound'].map((s) => Type.Literal(s)))),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
});

const TransferBody = Type.Object({
  target: Type.String({ minLength: 1, maxLength: 256, description: '"110", "119", "120" or a SIP URI' }),
  mode: Type.Union([Type.Literal('blind'), Type.Literal('bridge')], {
    description: 'blind = SIP REFER; bridge = a new leg bridged through the hotline',
  }),
  reason: Type.Optional(Type.String({ maxLength: 500 })),
});

const OkSchema = Type.Object({ ok: Type.Literal(true) });
const ok = { ok: true as const };

/**
 * A call as lists and people not on it see it: the caller's number masked, and on an
 * outbound call (click-to-call, surveys) the called citizen's too; DTMF digits masked.
 */
function maskedCall(c: CallRecord): CallRecord {
  return {
    ...c,
    callerNumber: maskPhone(c.callerNumber),
    calledNumber: c.direction === 'outbound' ? maskPhone(c.calledNumber) : c.calledNumber,
    details: Object.fromEntries(Object.entries(c.details).map(([k, v]) => [k, typeof v === 'string' ? maskText(v) : v])),
  };
}

const isSupervisor = (req: FastifyRequest) => {
  const r = currentUser(req).role;
  return r === 'supervisor' || r === 'admin';
};

export interface TelephonyRoutesOptions {
  db: Db;
  center: CallCenter;
  ingressToken?: string;
}

export const telephonyRoutes: FastifyPluginAsyncTypebox<TelephonyRoutesOptions> = async (app, { db, center, ingressToken }) => {
  app.addSchema(CallSchema);
  const callRoles = ['agent', 'supervisor', 'dispatcher', 'callback'] as const;

  app.get(
    '/api/calls',
    {
      config: { roles: callRoles },
      schema: {
        tags: ['calls'],
        summary: 'Calls, newest first, filtered by state, time, agent or channel (caller numbers masked)',
        querystring: ListQuery,
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
        response: { 200: CallDetailSchema, 404: Type.Ref('ErrorResponse'), ...protectedErrors },
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

  const actionSchema = (summary: string, body?: ReturnType<typeof Type.Object>) => ({
    tags: ['calls'],
    summary,
    params: IdParams,
    ...(body ? { body } : {}),
    response: { 200: OkSchema, 404: Type.Ref('ErrorResponse'), 409: Type.Ref('ErrorResponse'), ...protectedErrors },
  });

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

  const HoldBody = Type.Object({
    hold: Type.Boolean({ default: true, description: 'true = hold (caller hears the queue audio), false = resume' }),
  });
  app.post(
    '/api/calls/:id/hold',
    {
      config: { roles: ['agent', 'supervisor'] },
      schema: actionSchema('Put your call on hold or take it off hold (SIP re-INVITE sendonly/sendrecv)', HoldBody),
    },
    async (req) => {
      const body = (req.body ?? { hold: true }) as Static<typeof HoldBody>;
      await center.hold(req.params.id, currentUser(req).id, body.hold, isSupervisor(req));
      return ok;
    },
  );

  app.post(
    '/api/calls/:id/transfer',
    {
      config: { roles: ['agent', 'supervisor'] },
      schema: {
        tags: ['calls'],
        summary:
          'Transfer your call to 110/119/120 or a SIP URI: blind (REFER, NOTIFY progress) or bridged; returns the referral (outcome follows)',
        params: IdParams,
        body: TransferBody,
        response: { 202: ReferralSchema, 404: Type.Ref('ErrorResponse'), 409: Type.Ref('ErrorResponse'), ...protectedErrors },
      },
    },
    async (req, reply) => {
      const referral = await center.transfer(req.params.id, currentUser(req).id, req.body, isSupervisor(req));
      reply.code(202);
      return referral;
    },
  );

  app.post(
    '/api/agents/me/state',
    {
      config: { roles: ['agent', 'supervisor'] },
      schema: {
        tags: ['calls'],
        summary: 'Set your phone state: available (calls are offered to you), after_call, paused; on_call comes from answering',
        body: Type.Object({ state: Type.Union(AGENT_STATES.map((s) => Type.Literal(s))) }),
        response: { 200: AgentStateSchema, 409: Type.Ref('ErrorResponse'), ...protectedErrors },
      },
    },
    async (req) => center.setAgentState(currentUser(req).id, req.body.state),
  );

  app.get(
    '/api/agents/me/state',
    {
      config: { roles: ['agent', 'supervisor'] },
      schema: {
        tags: ['calls'],
        summary: 'Your phone state and the call you are on or being offered',
        response: { 200: AgentStateSchema, ...protectedErrors },
      },
    },
    async (req) => center.agentState(currentUser(req).id),
  );

  // ---- agent audio ----

  app.get(
    '/ws/calls/:id/audio',
    {
      websocket: true,
      // callback: staff talk to the citizen they called back; attachAgentAudio admits only the call's own user.
      config: { roles: ['agent', 'supervisor', 'callback'] },
      preValidation: async (req) => {
        const id = Number((req.params as { id: unknown }).id);
        if (!center.isLive(id)) throw TelephonyErrors.CALL_AUDIO_NOT_LIVE({ callId: id });
      },
      schema: {
        tags: ['calls'],
        summary:
          "The agent's call audio (WebSocket): binary frames of 16-bit LE mono PCM at 8 kHz, 20 ms (320 bytes), both ways. The server sends the caller " +
          '(or the citizen on a click-to-call callback); the answering agent or calling callback staff member sends their voice. A supervisor may listen. Text {"type":"dtmf","digits":"1"} sends DTMF. The server closes (1000) when the call ends.',
        params: IdParams,
      },
    },
    (socket: WebSocket, req) => {
      const user = currentUser(req);
      const id = Number((req.params as { id: unknown }).id);
      let link: ReturnType<CallCenter['attachAgentAudio']>;
      try {
        link = center.attachAgentAudio(
          id,
          user.id,
          { send: (pcm) => socket.send(pcm), close: (c, r) => socket.close(c, r) },
          isSupervisor(req),
        );
      } catch (err) {
        socket.close(1008, (err as Error).message.slice(0, 120));
        return;
      }
      socket.on('message', (data, isBinary) => {
        if (isBinary) return link.fromAgent(Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer));
        try {
          const m = JSON.parse(String(data));
          if (m?.type === 'dtmf' && typeof m.digits === 'string' && /^[0-9*#]{1,20}$/.test(m.digits)) {
            center.sendDtmf(id, user.id, m.digits).catch(() => {});
          }
        } catch {
          socket.send(JSON.stringify({ type: 'error', message: 'text frames must be JSON, e.g. {"type":"dtmf","digits":"1"}' }));
        }
      });
      socket.on('close', () => link.detach());
    },
  );

  // ---- PBX ingress ----

  const checkToken = async (req: FastifyRequest) => {
    if (!ingressToken) throw TelephonyErrors.INGRESS_OFF();
    const q = (req.query as { token?: string }).token;
    const h = req.headers.authorization?.replace(/^Bearer\s+/i, '');
    if (!secretMatches(q, [ingressToken]) && !secretMatches(h, [ingressToken])) throw TelephonyErrors.INGRESS_TOKEN_WRONG();
  };
  const TokenQuery = Type.Object({
    token: Type.Optional(Type.String({ maxLength: 256 })),
    sampleRate: Type.Optional(Type.Integer({ description: 'audio-fork only: 8000 or 16000 when the start frame does not say' })),
  });

  app.get(
    '/ws/ingress/twilio',
    {
      websocket: true,
      config: { public: true },
      preValidation: checkToken,
      schema: {
        tags: ['calls'],
        summary:
          'Call audio in the Twilio Media Streams format (connected, start with customParameters from/to, media base64 µ-law 8 kHz, dtmf, stop). ' +
          "The call is queued like a SIP call; the agent's audio comes back as media messages. Needs INGRESS_TOKEN.",
        security: [],
        querystring: TokenQuery,
      },
    },
    (socket: WebSocket) => {
      const leg = new TwilioLeg(socket);
      let started = false;
      socket.on('message', (data, isBinary) => {
        if (isBinary) return void socket.close(1003, 'Twilio Media Streams messages are JSON text');
        const r = leg.handle(String(data));
        if (r === 'start' && !started) {
          started = true;
          center.arrive(leg).catch(() => socket.close(1011, 'could not record the call'));
        } else if (r === 'stop') {
          leg.remoteEnded();
          socket.close(1000);
        } else if (r && typeof r === 'object') {
          socket.close(1003, r.error.slice(0, 120));
        }
      });
      socket.on('close', () => leg.remoteEnded());
    },
  );

  app.get(
    '/ws/ingress/audio-fork',
    {
      websocket: true,
      config: { public: true },
      preValidation: checkToken,
      schema: {
        tags: ['calls'],
        summary:
          'Call audio as raw PCM after a JSON start frame (FreeSWITCH mod_audio_fork, jambonz listen): first a text frame {"callSid","from","to","sampleRate"}, ' +
          "then binary 16-bit LE mono PCM at 8000 or 16000 Hz. The agent's audio comes back as binary PCM at the same rate. Needs INGRESS_TOKEN.",
        security: [],
        querystring: TokenQuery,
      },
    },
    (socket: WebSocket, req) => {
      const leg = new AudioForkLeg(socket);
      let started = false;
      let failed = false;
      socket.on('message', (data, isBinary) => {
        const buf = Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
        if (!started) {
          if (isBinary) return void socket.close(1003, 'send the JSON start frame before any audio');
          const err = leg.begin(buf.toString('utf8'), (req.query as { sampleRate?: number }).sampleRate);
          if (err) return void socket.close(1003, err.slice(0, 120));
          started = true;
          center.arrive(leg).catch(() => {
            failed = true;
            socket.close(1011, 'could not record the call');
          });
          return;
        }
        if (isBinary && !failed) leg.pcm(buf);
      });
      socket.on('close', () => leg.remoteEnded());
    },
  );
};
