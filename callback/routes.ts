/** REST for callback staff: the due list, claims and outcomes. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { logPiiRead } from '../audit/index.js';
import { currentUser } from '../auth/index.js';
import { IdParams, maskText, protectedErrors } from '../core/index.js';
import { type Callback, CallbackCallSchema, CallbackSchema, STATES } from './schemas.js';
import {
  type CallbackDeps,
  callCitizen,
  claimCallback,
  listCallbacks,
  OUTCOMES,
  recordResult,
  retryCallback,
  takeOverCallback,
} from './store.js';

const E = Type.Ref('ErrorResponse');
const refusals = { ...protectedErrors, 404: E, 409: E } as const;
const ROLES = ['callback', 'supervisor', 'admin'] as const;

export const callbackRoutes: FastifyPluginAsyncTypebox<{ deps: CallbackDeps }> = async (app, { deps }) => {
  app.addSchema(CallbackSchema);
  // Descriptions carry the numbers callers say ("my phone is …"): masked in everything the queue shows.
  // The caller's name and number are in clear only for the staff member who claimed the
  // callback (store.ts view()): each such answer is written to the access log first.
  app.addHook('preSerialization', async (req, _reply, payload: unknown) => {
    const masked = (t: unknown) => (typeof t === 'string' ? maskText(t) : t);
    const mask = (c: unknown) => {
      if (!c || typeof c !== 'object' || typeof (c as { description?: unknown }).description !== 'string') return c;
      const x = c as { description: string; replyText?: unknown; note?: unknown };
      return { ...c, description: maskText(x.description), replyText: masked(x.replyText), note: masked(x.note) };
    };
    const p = payload as { items?: unknown[] } | null;
    const items = Array.isArray(p?.items) ? p.items : [payload];
    for (const c of items as Partial<Callback>[]) {
      if (!c || typeof c !== 'object' || c.state !== 'claimed' || req.user?.id == null || c.claimedBy !== req.user.id) continue;
      const fields = [c.callerPhone && 'callerPhone', c.callerName && 'callerName'].filter((f): f is string => !!f);
      if (fields.length && c.id != null) await logPiiRead(deps.db, req, { type: 'callback', id: c.id, ref: c.workOrderNumber }, fields);
    }
    return Array.isArray(p?.items) ? { ...p, items: p.items.map(mask) } : mask(payload);
  });

  app.get(
    '/api/callbacks',
    {
      config: { roles: ROLES },
      schema: {
        tags: ['callbacks'],
        summary: '回访 list: due (scheduled and due, for staff to claim), mine (claimed by me) or all; optionally by state',
        querystring: Type.Object({
          view: Type.Optional(Type.Union([Type.Literal('due'), Type.Literal('mine'), Type.Literal('all')], { default: 'due' })),
          state: Type.Optional(Type.Union(STATES.map((s) => Type.Literal(s)))),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
          offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
        }),
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('Callback')), total: Type.Integer() }), ...protectedErrors },
      },
    },
    async (req) => listCallbacks(deps.db, currentUser(req).id, req.query),
  );

  app.post(
    '/api/callbacks/:id/claim',
    {
      config: { roles: ROLES },
      schema: {
        tags: ['callbacks'],
        summary: 'Claim a scheduled callback (领取); 409 when someone else took it first',
        params: IdParams,
        response: { 200: Type.Ref('Callback'), ...refusals },
      },
    },
    async (req) => claimCallback(deps, req.params.id, currentUser(req).id),
  );

  app.post(
    '/api/callbacks/:id/call',
    {
      config: { roles: ROLES },
      schema: {
        tags: ['callbacks'],
        summary: 'Click-to-call (拨打): ring the citizen of a callback you claimed through the outbound SIP trunk',
        description:
          'Only the staff member who claimed the callback may call (409 otherwise, and while they are on another call). ' +
          '400 when the case has no phone number or no outbound trunk is configured (SIP_OUTBOUND_TRUNK). ' +
          'The call is recorded at once (direction outbound, state ringing, agentId = you, callback_id = this callback) and rings ' +
          'for CALLBACK_ANSWER_SECONDS. The desk channel then sends call.answered (open the audio WebSocket /ws/calls/:callId/audio, ' +
          'PCM both ways) or call.ended with detail (busy, refused, no answer). POST /api/calls/:callId/hangup hangs up, or cancels while it rings. ' +
          'The call records no outcome: POST /api/callbacks/:id/result does.',
        params: IdParams,
        response: {
          202: CallbackCallSchema,
          ...refusals,
        },
      },
    },
    async (req, reply) => {
      const call = await callCitizen(deps, req.params.id, currentUser(req).id);
      reply.code(202);
      return call;
    },
  );

  app.post(
    '/api/callbacks/:id/retry',
    {
      config: { roles: ROLES },
      schema: {
        tags: ['callbacks'],
        summary: 'Requeue a failed automated callback (重新排队): the survey calls again, with CALLBACK_MAX_ATTEMPTS more attempts',
        description: '409 when the callback is not failed, or its case no longer waits for a callback.',
        params: IdParams,
        response: { 200: Type.Ref('Callback'), ...refusals },
      },
    },
    async (req) => retryCallback(deps, req.params.id, currentUser(req).id),
  );

  app.post(
    '/api/callbacks/:id/take-over',
    {
      config: { roles: ROLES },
      schema: {
        tags: ['callbacks'],
        summary: 'Take a failed automated callback over as a manual one (转人工回访), claimed by you; then call and record the result',
        description: '409 when the callback is not failed (someone else took it first), or its case no longer waits for a callback.',
        params: IdParams,
        response: { 200: Type.Ref('Callback'), ...refusals },
      },
    },
    async (req) => takeOverCallback(deps, req.params.id, currentUser(req).id),
  );

  app.post(
    '/api/callbacks/:id/result',
    {
      config: { roles: ROLES },
      schema: {
        tags: ['callbacks'],
        summary:
          'Record the outcome: satisfied 满意 / basically_satisfied 基本满意 close the case, unsatisfied 不满意 / unsolved 未解决 reopen it (重办), unreachable 联系不上 retries until the last attempt',
        params: IdParams,
        body: Type.Object({
          outcome: Type.Union(OUTCOMES.map((o) => Type.Literal(o))),
          note: Type.Optional(Type.String({ maxLength: 2000 })),
        }),
        response: { 200: Type.Ref('Callback'), ...refusals },
      },
    },
    async (req) => {
      const u = currentUser(req);
      return recordResult(deps, req.params.id, { outcome: req.body.outcome, note: req.body.note, user: { id: u.id, role: u.role } });
    },
  );
};
