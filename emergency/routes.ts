/** REST of the emergency path: check an agent's note, the latest alerts, and the one-click transfer. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { currentUser } from '../auth/index.js';
import { protectedErrors } from '../core/index.js';
import { emergencyTransfer, type TransferDeps } from './transfer.js';
import type { EmergencyWatch } from './watch.js';

const E = Type.Ref('ErrorResponse');
const Line = Type.Union([Type.Literal('110'), Type.Literal('119'), Type.Literal('120')]);
const Nullable = <T extends import('@sinclair/typebox').TSchema>(t: T) => Type.Union([t, Type.Null()]);

const AlertSchema = Type.Object({
  callId: Nullable(Type.Integer()),
  workOrderId: Nullable(Type.Integer()),
  agentId: Nullable(Type.Integer()),
  line: Line,
  reason: Type.String(),
  matched: Type.Array(Type.String()),
  text: Type.String(),
  source: Type.String(),
  autoTransfer: Type.Boolean(),
  segmentAt: Type.Number(),
});

export const emergencyRoutes: FastifyPluginAsyncTypebox<{ watch: EmergencyWatch; transfer: TransferDeps }> = async (
  app,
  { watch, transfer },
) => {
  app.post(
    '/api/emergency/check',
    {
      config: { roles: ['agent', 'dispatcher', 'supervisor'] },
      schema: {
        tags: ['emergency'],
        summary: "Check an agent's note (or any text) for an emergency; a hit raises emergency.alert on the desk and the wallboard",
        body: Type.Object({
          text: Type.String({ minLength: 1, maxLength: 5000 }),
          callId: Type.Optional(Type.Integer({ minimum: 1 })),
          workOrderId: Type.Optional(Type.Integer({ minimum: 1 })),
        }),
        response: { 200: Type.Object({ emergency: Type.Boolean(), alert: Nullable(AlertSchema) }), ...protectedErrors },
      },
    },
    async (req) => {
      const u = currentUser(req);
      const alert = await watch.checkText({ ...req.body, agentId: u.role === 'agent' ? u.id : null });
      return { emergency: alert !== null, alert };
    },
  );

  app.get(
    '/api/emergency/alerts',
    {
      config: { roles: ['supervisor', 'admin'] },
      schema: {
        tags: ['emergency'],
        summary: "The latest emergency alerts of this server process, newest first (the wallboard's list)",
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 20 })) }),
        response: { 200: Type.Array(AlertSchema), ...protectedErrors },
      },
    },
    async (req) => watch.recent(req.query.limit ?? 20),
  );

  app.post(
    '/api/emergency/transfer',
    {
      config: { roles: ['agent', 'supervisor'] },
      schema: {
        tags: ['emergency'],
        summary:
          'Transfer a live call to 110/119/120 (one click): referral with transcript excerpt, address and agent; the case, if given, becomes refer_110',
        body: Type.Object({
          callId: Type.Integer({ minimum: 1 }),
          line: Line,
          workOrderId: Type.Optional(Type.Integer({ minimum: 1 })),
          address: Type.Optional(Type.String({ maxLength: 500 })),
          reason: Type.Optional(Type.String({ maxLength: 500 })),
          mode: Type.Optional(Type.Union([Type.Literal('bridge'), Type.Literal('blind')])),
        }),
        response: {
          200: Type.Object({
            id: Type.Integer(),
            line: Type.String(),
            target: Type.String(),
            mode: Type.String(),
            outcome: Type.String(),
            transcriptExcerpt: Nullable(Type.String()),
            address: Nullable(Type.String()),
            workOrderId: Nullable(Type.Integer()),
            agentId: Nullable(Type.Integer()),
          }),
          ...protectedErrors,
          404: E,
          409: E,
          503: E,
        },
      },
    },
    async (req) => {
      const u = currentUser(req);
      return emergencyTransfer(transfer, { ...req.body, user: { id: u.id, role: u.role } });
    },
  );
};
