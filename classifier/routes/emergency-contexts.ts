/** General contexts (past, hypothetical, administrative) that keep every emergency rule quiet: list and edit. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { currentUser } from '../../auth/index.js';
import type { ModuleContext } from '../../core/index.js';
import { protectedErrors } from '../../core/index.js';
import { addEmergencyContext, deleteEmergencyContext, listEmergencyContexts, updateEmergencyContext } from '../emergency.js';
import { EmergencyContextInput, EmergencyContextResponse, RuleIdParams } from '../schemas.js';

const ref = Type.Ref('ErrorResponse');

export const emergencyContextRoutes: FastifyPluginAsyncTypebox<{ ctx: ModuleContext }> = async (app, { ctx }) => {
  app.get(
    '/api/classifier/emergency-contexts',
    {
      config: { roles: ['supervisor', 'agent', 'dispatcher'] },
      schema: {
        tags: ['classifier'],
        summary: 'General contexts that keep every emergency rule quiet in a past, hypothetical or administrative sense',
        response: { 200: Type.Array(EmergencyContextResponse), ...protectedErrors },
      },
    },
    async () => listEmergencyContexts(ctx.db),
  );

  app.post(
    '/api/classifier/emergency-contexts',
    {
      config: { roles: ['supervisor'] },
      schema: {
        tags: ['classifier'],
        summary: 'Add a general context (takes effect at once)',
        body: EmergencyContextInput,
        response: { 201: EmergencyContextResponse, ...protectedErrors },
      },
    },
    async (req, reply) => {
      const c = await addEmergencyContext(ctx.db, { ...req.body, note: req.body.note ?? '' }, currentUser(req).id);
      return reply.code(201).send(c);
    },
  );

  app.patch(
    '/api/classifier/emergency-contexts/:id',
    {
      config: { roles: ['supervisor'] },
      schema: {
        tags: ['classifier'],
        summary: 'Change a general context (e.g. deactivate it)',
        params: RuleIdParams,
        body: Type.Partial(EmergencyContextInput),
        response: { 200: EmergencyContextResponse, 404: ref, ...protectedErrors },
      },
    },
    async (req) => updateEmergencyContext(ctx.db, req.params.id, req.body, currentUser(req).id),
  );

  app.delete(
    '/api/classifier/emergency-contexts/:id',
    {
      config: { roles: ['supervisor'] },
      schema: {
        tags: ['classifier'],
        summary: 'Delete a general context',
        params: RuleIdParams,
        response: { 204: Type.Null(), 404: ref, ...protectedErrors },
      },
    },
    async (req, reply) => {
      await deleteEmergencyContext(ctx.db, req.params.id);
      return reply.code(204).send(null);
    },
  );
};
