// The dashboard's files: index.html for every page the app routes (the app reads the path),
// and the hashed bundles under /assets/ (assets.ts). Pages and assets are public: they hold no
// data and no secret; everything they show comes from the API, which asks for the session
// cookie or a token.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { TuttiError } from '../../core/index.js';
import { assetRoutes } from './assets.js';

/** The paths the app renders (web/src/router.ts); anything else stays the API's 401/404. */
export const PAGE_ROUTES = ['/', '/login', '/topology', '/services/:name', '/workflows', '/workflows/:name', '/runs', '/runs/:id', '/alerts', '/logs'];

/** What every HTML answer carries: no framing, no inline script, no referrer. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; " +
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};


/** Marks every route added in this context public (@fastify/static takes no route config). */
function publicRoutes(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    route.config = { ...(route.config as object), public: true };
  });
}

export type PageSender = (reply: FastifyReply) => FastifyReply;

/** What answers a page request: index.html, read on each request (it is tiny, and a rebuilt
 *  dashboard then shows at once), or a 503 saying the dashboard was not built. */
export function pageSender(webRoot: string | undefined): PageSender {
  return (reply) => {
    let html: string;
    try {
      if (!webRoot) throw new Error('no web root');
      html = readFileSync(path.join(webRoot, 'index.html'), 'utf8');
    } catch {
      throw new TuttiError('TUTTI_E_UNAVAILABLE', 'the dashboard is not built into this installation', {
        hint: 'build it with `npm run build` (vite build -c web/vite.config.ts writes dist/web); the API works without it',
      });
    }
    return reply.headers(PAGE_HEADERS).type('text/html; charset=utf-8').send(html);
  };
}

export async function pageRoutes(app: FastifyInstance, opts: { webRoot?: string; sendPage: PageSender }): Promise<void> {
  publicRoutes(app);
  for (const url of PAGE_ROUTES) {
    if (url === '/login') continue; // the login routes serve it (a ?code= logs in first)
    app.get(url, { schema: { hide: true } }, async (_request, reply) => opts.sendPage(reply));
  }
  if (opts.webRoot) await app.register(assetRoutes, { webRoot: opts.webRoot });
}
