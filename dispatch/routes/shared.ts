/** What the resource plugins of dispatch's API share: refusal responses, the actor, the list shape. */
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { currentUser } from '../../auth/index.js';
import type { ModuleContext } from '../../core/index.js';
import { protectedErrors } from '../../core/index.js';
import type { DispatchSettings } from '../settings.js';
import type { Actor } from '../workorders.js';

/** The options every dispatch route plugin is registered with. */
export interface DispatchRouteOptions {
  ctx: ModuleContext;
  settings: DispatchSettings;
}

const E = Type.Ref('ErrorResponse');
export const refusals = { ...protectedErrors, 404: E, 409: E } as const;

export const actorOf = (req: FastifyRequest): Actor => {
  const u = currentUser(req);
  return { id: u.id, role: u.role, orgUnitId: u.orgUnitId };
};

export { WorkOrderPageSchema as ListResponse } from '../schemas.js';
