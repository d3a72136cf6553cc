// The web dashboard, served by the control plane: its pages and bundles at `/` (see pages.ts),
// logging in with a one-time code or a token (login-routes.ts), and the two API routes it
// needs beyond the others: the stack's event history and a live feed of the stack
// (stack-routes.ts). Register it after the auth plugin, which must be given the same sessions.

import type { FastifyInstance } from 'fastify';
import type { Role } from '../auth.js';
import type { ApiDeps } from '../plugin-types.js';
import { loginRoutes } from './login-routes.js';
import type { LoginThrottle } from './login-throttle.js';
import { pageRoutes, pageSender } from './pages.js';
import { StackFeed, type EventHistory } from './stack-feed.js';
import { stackWatchRoutes } from './stack-routes.js';
import { DashboardSessions } from './sessions.js';
import { findWebRoot } from './web-root.js';

export { DashboardSessions, DEFAULT_CODE_TTL_MS, DEFAULT_SESSION_TTL_MS, type DashboardSessionsOptions } from './sessions.js';
export { StackFeed, type EventHistory, type FeedMessage } from './stack-feed.js';
export { findWebRoot } from './web-root.js';
export { LoginThrottle, type LoginThrottleOptions } from './login-throttle.js';
export { PAGE_ROUTES } from './pages.js';

export interface DashboardOptions extends ApiDeps {
  /** the same sessions the auth plugin looks cookies up in */
  sessions: DashboardSessions;
  /** token → role, for the login form */
  tokens: Record<string, Role>;
  /** the stack's event history (the store's events) */
  history?: EventHistory;
  /** the built dashboard (index.html, assets/); default: dist/web of this installation; false: none */
  webRoot?: string | false;
  /** period of the live feed's checks; default 1 s */
  feedTickMs?: number;
  /** counts wrong tokens posted to the login form per client address; default 10 per minute */
  loginThrottle?: LoginThrottle;
}

export async function dashboardPlugin(app: FastifyInstance, opts: DashboardOptions): Promise<void> {
  const webRoot = opts.webRoot === false ? undefined : (opts.webRoot ?? findWebRoot());
  const sendPage = pageSender(webRoot);
  const feed = new StackFeed({
    ...opts,
    tickMs: opts.feedTickMs,
    onError: (err, where) => app.log.warn({ err, where }, 'the stack feed skipped a failure'),
  });
  app.addHook('preClose', async () => feed.close());

  await app.register(pageRoutes, { webRoot, sendPage });
  await app.register(loginRoutes, { ...opts, sendPage });
  await app.register(stackWatchRoutes, { ...opts, feed, prefix: '/api/v1' });
}
