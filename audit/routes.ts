/** GET /api/audit/pii-access: the personal-data access log, for supervisors and admins. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { ModuleContext } from '../core/index.js';
import { protectedErrors } from '../core/index.js';
import { PiiAccessSchema } from './schemas.js';
import { listPiiAccess, RECORD_TYPES } from './store.js';

const RecordType = Type.Union(RECORD_TYPES.map((t) => Type.Literal(t)));

export const auditRoutes: FastifyPluginAsyncTypebox<{ ctx: ModuleContext }> = async (app, { ctx }) => {
  app.addSchema(PiiAccessSchema);
  app.get(
    '/api/audit/pii-access',
    {
      config: { roles: ['supervisor'] },
      schema: {
        tags: ['audit'],
        summary: "Who read which caller's personal data in clear, when and from where (newest first; supervisors and admins)",
        description:
          'One row per read that showed a phone number, name, address, location, unmasked description or transcript: the case detail to those working on it, the call detail to its agent. Rows are never changed and kept at least 180 days.',
        querystring: Type.Object({
          userId: Type.Optional(Type.Integer({ minimum: 1 })),
          recordType: Type.Optional(RecordType),
          recordId: Type.Optional(Type.Integer({ minimum: 1 })),
          from: Type.Optional(Type.String({ maxLength: 40, description: 'at or after (ISO 8601)' })),
          to: Type.Optional(Type.String({ maxLength: 40, description: 'before (ISO 8601)' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
          offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
        }),
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('PiiAccess')), total: Type.Integer() }), ...protectedErrors },
      },
    },
    async (req) => listPiiAccess(ctx.db, req.query),
  );
};
