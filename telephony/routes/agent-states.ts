/** Agent states: the desk user's phone state (available, after_call, paused; on_call by answering). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { currentUser } from '../../auth/index.js';
import { protectedErrors } from '../../core/index.js';
import { AgentState, AgentStateBody } from '../schemas.js';
import type { CallApiOptions } from './shared.js';

export const agentStateRoutes: FastifyPluginAsyncTypebox<CallApiOptions> = async (app, { center }) => {
  app.post(
    '/api/agents/me/state',
    {
      config: { roles: ['agent', 'supervisor'] },
      schema: {
        tags: ['calls'],
        summary: 'Set your phone state: available (calls are offered to you), after_call, paused; on_call comes from answering',
        body: AgentStateBody,
        response: { 200: AgentState, 409: Type.Ref('ErrorResponse'), ...protectedErrors },
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
        response: { 200: AgentState, ...protectedErrors },
      },
    },
    async (req) => center.agentState(currentUser(req).id),
  );
};
