/** POST /api/classify: the desk's proposal of category, department and emergency line for a case text. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { protectedErrors } from '../../core/index.js';
import { ClassifyRequest, ClassifyResult } from '../schemas.js';
import type { Classifier } from '../service.js';

export const classifyRoutes: FastifyPluginAsyncTypebox<{ classifier: Classifier }> = async (app, { classifier }) => {
  app.post(
    '/api/classify',
    {
      config: { roles: ['agent', 'dispatcher', 'supervisor'] },
      schema: {
        tags: ['classifier'],
        summary: 'Propose category, department and emergency line for a case description',
        body: ClassifyRequest,
        response: { 200: ClassifyResult, 503: Type.Ref('ErrorResponse'), ...protectedErrors },
      },
    },
    async (req) => classifier.classify(req.body.text, { id: req.body.id ?? null, topK: req.body.topK, address: req.body.address ?? null }),
  );
};
