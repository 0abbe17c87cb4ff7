/** Transfers (referrals): a call handed to 110/119/120 or a SIP URI. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { currentUser } from '../../auth/index.js';
import { IdParams, protectedErrors } from '../../core/index.js';
import { Referral, TransferBody } from '../schemas.js';
import { type CallApiOptions, isSupervisor } from './shared.js';

export const transferRoutes: FastifyPluginAsyncTypebox<CallApiOptions> = async (app, { center }) => {
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
        response: { 202: Referral, 404: Type.Ref('ErrorResponse'), 409: Type.Ref('ErrorResponse'), ...protectedErrors },
      },
    },
    async (req, reply) => {
      const referral = await center.transfer(req.params.id, currentUser(req).id, req.body, isSupervisor(req));
      reply.code(202);
      return referral;
    },
  );
};
