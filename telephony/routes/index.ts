/**
 * The call API: one plugin per resource (calls, transfers, agent states, a call's desk
 * audio, the PBX ingress), registered in this order so the OpenAPI document lists them so.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Call } from '../schemas.js';
import { agentStateRoutes } from './agent-states.js';
import { callAudioRoutes } from './call-audio.js';
import { callRoutes } from './calls.js';
import { ingressRoutes } from './ingress.js';
import type { CallApiOptions } from './shared.js';
import { transferRoutes } from './transfers.js';

export interface TelephonyRoutesOptions extends CallApiOptions {
  ingressToken?: string;
}

export const telephonyRoutes: FastifyPluginAsyncTypebox<TelephonyRoutesOptions> = async (app, { db, center, ingressToken }) => {
  // Here, above the resource plugins, so `Type.Ref('Call')` resolves in each of them.
  app.addSchema(Call);
  await app.register(callRoutes, { db, center });
  await app.register(transferRoutes, { db, center });
  await app.register(agentStateRoutes, { db, center });
  await app.register(callAudioRoutes, { db, center });
  await app.register(ingressRoutes, { center, ingressToken });
};
