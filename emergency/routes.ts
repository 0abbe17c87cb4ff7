/** REST of the emergency path: check an agent's note, the latest alerts, and the one-click transfer. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { currentUser } from '../auth/index.js';
import { protectedErrors } from '../core/index.js';
import {
  EmergencyAlertResponse,
  EmergencyAlertsQuery,
  EmergencyCheckRequest,
  EmergencyCheckResponse,
  EmergencyTransferRequest,
  EmergencyTransferResponse,
} from './schemas.js';
import { emergencyTransfer, type TransferDeps } from './transfer.js';
import type { EmergencyWatch } from './watch.js';

const E = Type.Ref('ErrorResponse');

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
        body: EmergencyCheckRequest,
        response: { 200: EmergencyCheckResponse, ...protectedErrors },
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
        querystring: EmergencyAlertsQuery,
        response: { 200: Type.Array(EmergencyAlertResponse), ...protectedErrors },
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
        body: EmergencyTransferRequest,
        response: {
          200: EmergencyTransferResponse,
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
