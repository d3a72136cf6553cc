// The dashboard's bundles under /assets/, served by @fastify/static (pre-compressed br/gzip
// files, safe paths) and cached for a year: their names change with their content. The
// static-file plugin and what it pulls in cost the daemon about 2 MiB, so it is loaded with the
// first asset request, in a Fastify instance of its own that this route hands requests to.

import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { TuttiError } from '../../core/index.js';

const IMMUTABLE = 'public, max-age=31536000, immutable';
/** headers of the inner answer that the outer reply sets itself */
const HOP_BY_HOP = new Set(['connection', 'transfer-encoding', 'keep-alive', 'date']);

async function assetServer(webRoot: string): Promise<FastifyInstance> {
  const [{ default: Fastify }, { default: fastifyStatic }] = await Promise.all([import('fastify'), import('@fastify/static')]);
  const server = Fastify({ logger: false });
  await server.register(fastifyStatic, {
    root: path.join(webRoot, 'assets'),
    prefix: '/assets/',
    preCompressed: true,
    // the default Cache-Control would make browsers revalidate; hashed names never change
    cacheControl: false,
    etag: false,
    lastModified: false,
    setHeaders: (reply) => {
      reply.header('cache-control', IMMUTABLE);
      reply.header('x-content-type-options', 'nosniff');
    },
  });
  await server.ready();
  return server;
}

export async function assetRoutes(app: FastifyInstance, opts: { webRoot: string; load?: (webRoot: string) => Promise<FastifyInstance> }): Promise<void> {
  const load = opts.load ?? assetServer;
  let server: Promise<FastifyInstance> | undefined;
  app.addHook('onClose', async () => {
    const loaded = await server?.catch(() => undefined);
    await loaded?.close();
  });
  app.get('/assets/*', { schema: { hide: true }, config: { public: true } }, async (request, reply) => {
    if (!server) {
      const loading = load(opts.webRoot);
      server = loading;
      // a load that failed is not kept: the next request tries again
      loading.catch(() => {
        if (server === loading) server = undefined;
      });
    }
    const inner = await server;
    const res = await inner.inject({
      method: 'GET',
      url: request.url,
      headers: { 'accept-encoding': request.headers['accept-encoding'] ?? '', ...(request.headers.range && { range: request.headers.range }) },
    });
    if (res.statusCode === 404) {
      throw new TuttiError('TUTTI_E_NOT_FOUND', `no dashboard file ${request.url.split('?')[0]}`, { hint: 'the dashboard was rebuilt: reload the page' });
    }
    for (const [name, value] of Object.entries(res.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) reply.header(name, value);
    return reply.code(res.statusCode).send(res.rawPayload);
  });
}
