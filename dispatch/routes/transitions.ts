/** A work order's actions: one route that moves it (dispatch, accept, reply, review, close, ...). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { IdParams } from '../../core/index.js';
import { TransitionBody, TransitionResponseSchema } from '../schemas.js';
import { applyTransition } from '../transitions.js';
import { actorOf, type DispatchRouteOptions, refusals } from './shared.js';

export const transitionRoutes: FastifyPluginAsyncTypebox<DispatchRouteOptions> = async (app, { ctx, settings }) => {
  const { db, bus } = ctx;

  app.post(
    '/api/work-orders/:id/transitions',
    {
      config: { roles: ['agent', 'dispatcher', 'handler', 'callback', 'supervisor'] },
      // Forms send null for fields left empty; an absent field means the same here.
      preValidation: async (req) => {
        const body = req.body as Record<string, unknown> | null;
        if (body && typeof body === 'object') for (const k of Object.keys(body)) if (body[k] === null) delete body[k];
      },
      schema: {
        tags: ['work orders'],
        summary:
          'Move a work order: one action (dispatch, accept, reply, return, review, close, reopen, ...) checked against role and state',
        description:
          'Actions: resolve_on_call, submit, dispatch, merge, accept, reply, return, request_extension, approve_extension, reject_extension, forward, review, supervise, close, reopen, refer_110. Wrong role: 403; wrong state or a stale version: 409; nothing changes when refused.',
        params: IdParams,
        body: TransitionBody,
        response: { 200: TransitionResponseSchema, ...refusals },
      },
    },
    async (req) => applyTransition(db, bus, { ...req.body, workOrderId: req.params.id, actor: actorOf(req) }, settings),
  );
};
