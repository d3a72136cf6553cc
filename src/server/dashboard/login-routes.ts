// Logging in to the dashboard. Two ways in, both ending with an HttpOnly, SameSite=Strict
// session cookie and no secret left in the page or its URL:
// - `/login?code=…`: the one-time code that `tutti up` / `tutti dashboard` print in a URL
//   (asked for with POST /api/v1/dashboard/login-codes); it is redeemed and the browser is
//   redirected to `/`, so the code leaves the address bar at once;
// - the login form: the token is posted once to /api/v1/dashboard/session and exchanged for
//   the cookie (the app never stores it).
// The session carries the role of the token used; logging out ends it on the daemon. Wrong
// tokens posted to the form are counted per client address: too many in a minute and the
// address is refused for the rest of that minute (see login-throttle.ts).

import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TuttiError } from '../../core/index.js';
import { SESSION_COOKIE, requireCsrfHeader, sessionCookie, tokenMatcher, type Role } from '../auth.js';
import type { ApiPlugin } from '../plugin-types.js';
import { LoginThrottle } from './login-throttle.js';
import type { PageSender } from './pages.js';
import { ownerOfToken, type DashboardSessions } from './sessions.js';

const API = '/api/v1/dashboard';

export interface LoginOptions {
  sessions: DashboardSessions;
  tokens: Record<string, Role>;
  sendPage: PageSender;
  /** counts wrong tokens per client address; default 10 per minute */
  loginThrottle?: LoginThrottle;
}

const SessionReply = Type.Object({
  role: Type.String({ description: 'viewer, service, operator or admin: what the session may do' }),
  expiresAt: Type.Optional(Type.Number({ description: 'ms since epoch (sessions only)' })),
  via: Type.Optional(Type.String({ description: 'session (the cookie) or bearer' })),
});

const LoginCodeReply = Type.Object({
  code: Type.String(),
  path: Type.String({ description: 'open this path of the control plane to log in: /login?code=…' }),
  expiresAt: Type.Number({ description: 'ms since epoch; the code works once, until then' }),
});

function setSessionCookie(request: FastifyRequest, reply: FastifyReply, id: string, maxAgeMs: number): void {
  reply.setCookie(SESSION_COOKIE, id, { httpOnly: true, sameSite: 'strict', path: '/', maxAge: Math.floor(maxAgeMs / 1000), secure: request.protocol === 'https' });
}

function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', path: '/', secure: request.protocol === 'https' });
}

/** Who asked: the bearer token's digest, or the owner of the session cookie. */
function callerOwner(request: FastifyRequest, sessions: DashboardSessions): string | undefined {
  const bearer = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(request.headers.authorization ?? '')?.[1];
  if (bearer) return ownerOfToken(bearer);
  const id = sessionCookie(request);
  return id ? sessions.owner(id) : undefined;
}

export const loginRoutes: ApiPlugin<LoginOptions> = async (app, { sessions, tokens, sendPage, loginThrottle }) => {
  const match = tokenMatcher(tokens);
  const throttle = loginThrottle ?? new LoginThrottle();

  app.get(
    '/login',
    {
      config: { public: true },
      schema: { hide: true, querystring: Type.Object({ code: Type.Optional(Type.String()), expired: Type.Optional(Type.String()) }) },
    },
    async (request, reply) => {
      const { code } = request.query;
      if (code === undefined) return sendPage(reply);
      reply.headers({ 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
      const session = sessions.openWithCode(code);
      if (!session) return reply.redirect('/login?expired=1', 303);
      setSessionCookie(request, reply, session.id, sessions.sessionTtlMs);
      return reply.redirect('/', 303);
    },
  );

  app.post(
    `${API}/session`,
    {
      config: { public: true },
      schema: {
        tags: ['dashboard'],
        summary: "Exchange a token for the dashboard's session cookie (the login form)",
        description: 'Public; needs the header `X-Tutti-Request: 1`. Sets an HttpOnly, SameSite=Strict cookie carrying the role of the token.',
        security: [],
        body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 512 }) }),
        response: { 200: SessionReply },
        errors: [400, 401, 403, 429],
      },
    },
    async (request, reply) => {
      requireCsrfHeader(request);
      const wait = throttle.retryAfter(request.ip);
      if (wait !== undefined) {
        const error = new TuttiError('TUTTI_E_TOO_MANY_REQUESTS', 'too many wrong tokens from this address: try again later', {
          hint: `wait ${wait} s, or run \`tutti dashboard\` for a login link`,
        });
        // the typed reply knows only the 200 answer; 429 has the error shape of every failure
        const plain = reply as unknown as FastifyReply;
        return plain.code(429).header('retry-after', String(wait)).header('cache-control', 'no-store').send(error.toJSON());
      }
      const { token } = request.body;
      const role = match(token);
      if (!role) {
        throttle.fail(request.ip);
        throw new TuttiError('TUTTI_E_UNAUTHORIZED', 'this token is not valid for this control plane', {
          hint: 'paste the content of .tutti/token (admin), .tutti/operator.token or .tutti/viewer.token, or run `tutti dashboard` for a login link',
        });
      }
      const session = sessions.create(role, ownerOfToken(token));
      setSessionCookie(request, reply, session.id, sessions.sessionTtlMs);
      reply.header('cache-control', 'no-store');
      return { role, expiresAt: session.expiresAt, via: 'session' };
    },
  );

  app.get(
    `${API}/session`,
    {
      schema: {
        tags: ['dashboard'],
        summary: 'Who the caller is: the role of its session cookie or token',
        response: { 200: SessionReply },
      },
    },
    async (request) => ({ role: request.caller?.role ?? 'viewer', via: request.caller?.via ?? 'bearer' }),
  );

  app.delete(
    `${API}/session`,
    {
      config: { public: true },
      schema: {
        tags: ['dashboard'],
        summary: "Log out: end the dashboard's session and clear its cookie",
        description: 'Public (so an expired session can still clear its cookie); needs the header `X-Tutti-Request: 1`.',
        security: [],
        response: { 200: Type.Object({ ended: Type.Boolean() }) },
        errors: [403],
      },
    },
    async (request, reply) => {
      requireCsrfHeader(request);
      const id = sessionCookie(request);
      if (id) sessions.end(id);
      clearSessionCookie(request, reply);
      return { ended: id !== undefined };
    },
  );

  app.post(
    `${API}/login-codes`,
    {
      schema: {
        tags: ['dashboard'],
        summary: 'A one-time login code for the dashboard (what `tutti dashboard` prints)',
        description: 'The code opens a session with the role of the caller, once, within a few minutes: open `path` on the control plane.',
        response: { 201: LoginCodeReply },
        errors: [403],
      },
    },
    async (request, reply) => {
      const { code, expiresAt } = sessions.issueCode(request.caller?.role ?? 'viewer', callerOwner(request, sessions));
      reply.header('cache-control', 'no-store');
      return reply.code(201).send({ code, path: `/login?code=${encodeURIComponent(code)}`, expiresAt });
    },
  );
};
