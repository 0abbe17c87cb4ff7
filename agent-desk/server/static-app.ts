/**
 * Serves the built desk (agent-desk/dist) at `/`. Paths that are not files fall back to
 * index.html so the desk's own routes (/agent, /dispatch ...) survive a reload, except
 * under the server's own prefixes: an unknown /api/... path stays a JSON 404.
 */

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { CoreErrors } from '../../core/index.js';

export const DEFAULT_DIST_DIR = fileURLToPath(new URL('../dist', import.meta.url));

/** Prefixes that belong to the server; the SPA fallback never answers them. */
export const SERVER_PREFIXES = ['/api', '/docs', '/ws', '/healthz', '/readyz', '/open311', '/metrics'];

export function isServerPath(path: string): boolean {
  return SERVER_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`) || path.startsWith(`${p}.`));
}

const NOT_BUILT = `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>12345 热线</title>
<body style="font-family:sans-serif;padding:2em"><h1>坐席桌面尚未构建</h1>
<p>The desk has not been built: run <code>npm run build:desk</code> (or <code>npm ci</code>, which builds it) and restart.</p>
<p>The API is available: <a href="/docs">/docs</a>.</p></body></html>`;

export const staticApp: FastifyPluginAsync<{ distDir?: string }> = async (app, opts) => {
  const root = opts.distDir ?? DEFAULT_DIST_DIR;
  const built = existsSync(join(root, 'index.html'));
  // index.html is read once: it is tiny and names the hashed asset files of this build.
  const indexHtml = built ? readFileSync(join(root, 'index.html')) : undefined;
  if (built) await app.register(fastifyStatic, { root, serve: false });

  const sendIndex = (reply: FastifyReply) => {
    if (!indexHtml) return reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT);
    return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(indexHtml);
  };

  const notFound = (method: string, path: string) => {
    const e = CoreErrors.ROUTE_NOT_FOUND({ method, path });
    return { statusCode: 404, error: 'Not Found', code: e.code, message: e.message, params: e.params };
  };

  app.get('/', { config: { public: true }, schema: { hide: true } }, async (_req, reply) => sendIndex(reply));

  app.get('/*', { config: { public: true }, schema: { hide: true } }, async (req, reply) => {
    const path = decodeURIComponent(req.url.split('?')[0] ?? '/');
    if (isServerPath(path)) return reply.code(404).send(notFound(req.method, path));
    if (built) {
      const rel = normalize(path).replace(/^[/\\]+/, '');
      const file = join(root, rel);
      if (!rel.startsWith('..') && file.startsWith(root + sep) && rel !== 'index.html' && isFile(file)) {
        // Vite names assets by content hash, so they never change under the same name.
        const immutable = rel.startsWith(`assets${sep}`);
        return reply.sendFile(rel, { maxAge: immutable ? 365 * 86400_000 : 0, immutable });
      }
      // A missing asset is a real 404; anything else is a desk route.
      if (/\.[a-z0-9]{1,8}$/i.test(path)) return reply.code(404).send(notFound(req.method, path));
    }
    return sendIndex(reply);
  });
};

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
