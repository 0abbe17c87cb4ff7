/** The classifier's model versions: the list with holdout metrics, promote and rollback. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { currentUser } from '../../auth/index.js';
import type { ModuleContext } from '../../core/index.js';
import { protectedErrors } from '../../core/index.js';
import { listVersions, promote, rollback } from '../registry.js';
import { ModelSwitch, ModelVersionResponse, PromoteRequest, VersionParams } from '../schemas.js';
import type { Classifier } from '../service.js';

const ref = Type.Ref('ErrorResponse');

export const modelRoutes: FastifyPluginAsyncTypebox<{ ctx: ModuleContext; classifier: Classifier }> = async (app, { ctx, classifier }) => {
  app.get(
    '/api/classifier/models',
    {
      config: { roles: ['supervisor'] },
      schema: {
        tags: ['classifier'],
        summary: 'Classifier model versions with their holdout metrics, newest first',
        response: { 200: Type.Array(ModelVersionResponse), ...protectedErrors },
      },
    },
    async () => listVersions(ctx.db),
  );

  app.post(
    '/api/classifier/models/:version/promote',
    {
      config: { roles: [] },
      schema: {
        tags: ['classifier'],
        summary: 'Make a model version the active classifier (admin); refused when worse than the active one unless force',
        params: VersionParams,
        body: PromoteRequest,
        response: { 200: ModelSwitch, 404: ref, 409: ref, ...protectedErrors },
      },
    },
    async (req) => {
      const r = await promote(ctx.db, req.params.version, { force: req.body?.force === true, userId: currentUser(req).id });
      // The next classification loads the newly active version.
      classifier.refresh();
      return r;
    },
  );

  app.post(
    '/api/classifier/rollback',
    {
      config: { roles: [] },
      schema: {
        tags: ['classifier'],
        summary: 'Re-activate the classifier version that was active before the current one (admin)',
        response: { 200: ModelSwitch, 409: ref, ...protectedErrors },
      },
    },
    async (req) => {
      const r = await rollback(ctx.db, { userId: currentUser(req).id });
      classifier.refresh();
      return r;
    },
  );
};
