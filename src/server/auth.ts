// Authentication and role checks. Every request needs a credential except the liveness probe
// and what a route marks public (the dashboard's pages and login); GETs need `viewer`, actions
// `operator`, and routes that destroy or stop things say `config: { role: 'admin' }`.
// A credential is a bearer token (compared in constant time) or, for the dashboard, its
// HttpOnly session cookie; a write sent with the cookie must also carry `X-Tutti-Request: 1`,
// a header no other site can make a browser send (CSRF).

import { createHash, timingSafeEqual } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { TuttiError } from '../core/index.js';
import { global } from './plugin-types.js';

/** viewer reads; service also registers and heartbeats instances (the token tutti hands to the
 *  services it starts); operator also acts on services; admin also destroys. */
export type Role = 'viewer' | 'service' | 'operator' | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** least role allowed; default viewer for GET/HEAD, operator otherwise */
    role?: Role;
    /** answered without a credential (liveness probe, the dashboard's pages and login) */
    public?: boolean;
  }
  interface FastifyRequest {
    /** who sent the request, once authenticated (absent on public routes) */
    caller?: Caller;
  }
}

/** The authenticated sender of a request: its role and how it proved it. */
export interface Caller {
  role: Role;
  via: 'bearer' | 'session';
}

/** Where the dashboard's sessions are looked up (src/server/dashboard keeps them). */
export interface SessionLookup {
  /** the role of a live session, undefined for an unknown or expired one */
  role(id: string): Role | undefined;
}

export const SESSION_COOKIE = 'tutti_session';
/** the header the dashboard sends with every write made with its cookie */
export const CSRF_HEADER = 'x-tutti-request';

export const ROLE_RANK: Readonly<Record<Role, number>> = { viewer: 0, service: 1, operator: 2, admin: 3 };
const RANK = ROLE_RANK;
const TOKEN_HINT = 'send `Authorization: Bearer <token>`; a local daemon keeps its token in .tutti/token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

export interface AuthOptions {
  tokens: Record<string, Role>;
  /** the dashboard's sessions; without it the session cookie is ignored */
  sessions?: SessionLookup;
}

/** Resolves a presented token to its role, looking at every known token (no early exit). */
export function tokenMatcher(tokens: Record<string, Role>): (presented: string) => Role | undefined {
  const known = Object.entries(tokens).map(([token, role]) => {
    if (token.length === 0) throw new TypeError('an API token must not be empty');
    if (!(role in RANK)) throw new TypeError(`unknown role ${String(role)}`);
    return { hash: digest(token), role };
  });
  return (presented) => {
    const hash = digest(presented);
    let role: Role | undefined;
    for (const k of known) {
      if (timingSafeEqual(hash, k.hash) && role === undefined) role = k.role;
    }
    return role;
  };
}

function requiredRole(request: FastifyRequest): Role {
  if (request.is404) return 'viewer';
  const configured = request.routeOptions.config?.role;
  if (configured) return configured;
  return request.method === 'GET' || request.method === 'HEAD' ? 'viewer' : 'operator';
}

/** The session id in the request's Cookie header, if any. */
export function sessionCookie(request: FastifyRequest): string | undefined {
  // parsed by @fastify/cookie, registered with the sessions
  const value = (request.cookies as Record<string, string | undefined> | undefined)?.[SESSION_COOKIE];
  return value ? value : undefined;
}

/** Refuses a cookie-authenticated write without the dashboard's header (a cross-site form or fetch). */
export function requireCsrfHeader(request: FastifyRequest): void {
  if (SAFE_METHODS.has(request.method) || request.headers[CSRF_HEADER] === '1') return;
  throw new TuttiError('TUTTI_E_FORBIDDEN', `${request.method} ${request.url.split('?')[0]} with the dashboard's session cookie needs the header X-Tutti-Request: 1`, {
    hint: 'the dashboard sends it with every action; scripts should send a bearer token instead of the cookie',
  });
}

async function auth(app: FastifyInstance, opts: AuthOptions): Promise<void> {
  const match = tokenMatcher(opts.tokens);
  // parses the Cookie header (before the hook below) and gives replies setCookie
  if (opts.sessions) await app.register(fastifyCookie);
  app.addHook('onRequest', async (request, reply) => {
    if (!request.is404 && request.routeOptions.config?.public) return;
    const header = request.headers.authorization;
    let caller: Caller | undefined;
    if (header) {
      // a bearer token, when sent, decides alone: a bad one is refused even beside a good cookie
      const bearer = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header)?.[1];
      const role = bearer ? match(bearer) : undefined;
      if (role) caller = { role, via: 'bearer' };
    } else {
      const session = opts.sessions ? sessionCookie(request) : undefined;
      const role = session ? opts.sessions!.role(session) : undefined;
      if (role) caller = { role, via: 'session' };
    }
    if (!caller) {
      reply.header('WWW-Authenticate', 'Bearer realm="tutti"');
      throw new TuttiError(
        'TUTTI_E_UNAUTHORIZED',
        header ? 'the bearer token is not valid for this control plane' : 'this request needs a bearer token',
        { hint: TOKEN_HINT },
      );
    }
    if (caller.via === 'session') requireCsrfHeader(request);
    const needed = requiredRole(request);
    if (RANK[caller.role] < RANK[needed]) {
      throw new TuttiError('TUTTI_E_FORBIDDEN', `${request.method} ${request.url.split('?')[0]} needs the ${needed} role; this token has ${caller.role}`, {
        hint: `use a token with the ${needed} role`,
      });
    }
    request.caller = caller;
  });
}

export const authPlugin = global(auth, 'tutti-auth');
