/** The knowledge base (知识库): search during a call, read, and (supervisors) edit articles. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { currentUser } from '../../auth/index.js';
import { IdParams, protectedErrors } from '../../core/index.js';
import { createArticle, getArticle, searchArticles, updateArticle } from '../knowledge.js';
import { ArticleBody, ArticleSchema } from '../schemas.js';
import { type DispatchRouteOptions, refusals } from './shared.js';

export const knowledgeRoutes: FastifyPluginAsyncTypebox<DispatchRouteOptions> = async (app, { ctx }) => {
  const { db } = ctx;

  app.get(
    '/api/knowledge',
    {
      config: { roles: 'any' },
      schema: {
        tags: ['knowledge'],
        summary: 'Search the knowledge base (知识库) during a call; best matches first',
        querystring: Type.Object({
          q: Type.Optional(Type.String({ maxLength: 200 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
        }),
        response: { 200: Type.Array(ArticleSchema), ...protectedErrors },
      },
    },
    async (req) => searchArticles(db, req.query.q ?? '', req.query.limit),
  );

  app.get(
    '/api/knowledge/:id',
    {
      config: { roles: 'any' },
      schema: { tags: ['knowledge'], summary: 'One knowledge article', params: IdParams, response: { 200: ArticleSchema, ...refusals } },
    },
    async (req) => getArticle(db, req.params.id),
  );

  app.post(
    '/api/knowledge',
    {
      config: { roles: ['supervisor'] },
      schema: {
        tags: ['knowledge'],
        summary: 'Add a knowledge article',
        body: ArticleBody,
        response: { 201: ArticleSchema, ...protectedErrors },
      },
    },
    async (req, reply) => reply.code(201).send(await createArticle(db, req.body, currentUser(req).id)),
  );

  app.put(
    '/api/knowledge/:id',
    {
      config: { roles: ['supervisor'] },
      schema: {
        tags: ['knowledge'],
        summary: 'Change a knowledge article (active: false hides it from search)',
        params: IdParams,
        body: ArticleBody,
        response: { 200: ArticleSchema, ...refusals },
      },
    },
    async (req) => updateArticle(db, req.params.id, req.body),
  );
};
