/** The site's emergency rules (keyword or regex, line, reason, context exceptions): list and edit; edits take effect at once. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { currentUser } from '../../auth/index.js';
import type { ModuleContext } from '../../core/index.js';
import { protectedErrors } from '../../core/index.js';
import { addEmergencyRule, deleteEmergencyRule, listEmergencyRules, updateEmergencyRule } from '../emergency.js';
import { EmergencyRuleInput, EmergencyRuleResponse, RuleIdParams } from '../schemas.js';

const ref = Type.Ref('ErrorResponse');

export const emergencyRuleRoutes: FastifyPluginAsyncTypebox<{ ctx: ModuleContext }> = async (app, { ctx }) => {
  app.get(
    '/api/classifier/emergency-rules',
    {
      config: { roles: ['supervisor', 'agent', 'dispatcher'] },
      schema: {
        tags: ['classifier'],
        summary: 'Emergency keyword and regex rules with their line (110/119/120) and reason',
        response: { 200: Type.Array(EmergencyRuleResponse), ...protectedErrors },
      },
    },
    async () => listEmergencyRules(ctx.db),
  );

  app.post(
    '/api/classifier/emergency-rules',
    {
      config: { roles: ['supervisor'] },
      schema: {
        tags: ['classifier'],
        summary: 'Add an emergency rule (takes effect at once)',
        body: EmergencyRuleInput,
        response: { 201: EmergencyRuleResponse, ...protectedErrors },
      },
    },
    async (req, reply) => {
      const rule = await addEmergencyRule(ctx.db, { ...req.body, kind: req.body.kind ?? 'keyword' }, currentUser(req).id);
      return reply.code(201).send(rule);
    },
  );

  app.patch(
    '/api/classifier/emergency-rules/:id',
    {
      config: { roles: ['supervisor'] },
      schema: {
        tags: ['classifier'],
        summary: 'Change an emergency rule (e.g. deactivate it)',
        params: RuleIdParams,
        body: Type.Partial(EmergencyRuleInput),
        response: { 200: EmergencyRuleResponse, 404: ref, ...protectedErrors },
      },
    },
    async (req) => updateEmergencyRule(ctx.db, req.params.id, req.body, currentUser(req).id),
  );

  app.delete(
    '/api/classifier/emergency-rules/:id',
    {
      config: { roles: ['supervisor'] },
      schema: {
        tags: ['classifier'],
        summary: 'Delete an emergency rule',
        params: RuleIdParams,
        response: { 204: Type.Null(), 404: ref, ...protectedErrors },
      },
    },
    async (req, reply) => {
      await deleteEmergencyRule(ctx.db, req.params.id);
      return reply.code(204).send(null);
    },
  );
};
