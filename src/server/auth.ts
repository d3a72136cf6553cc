// Bearer-token authentication and role checks. Every request needs a token except the
// liveness probe; GETs need `viewer`, actions `operator`, and routes that destroy or stop
// things say `config: { role: 'admin' }`. Tokens are compared in constant time.

import { createHash, timingSafeEqual } from 'node:crypto';
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
    /** answered without a token (liveness probe only) */
    public?: boolean;
  }
}

const RANK: Record<Role, number> = { viewer: 0, service: 1, operator: 2, admin: 3 };
const TOKEN_HINT = 'send `Authorization: Bearer <token>`; a local daemon keeps its token in .tutti/token';

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

export interface AuthOptions {
  tokens: Record<string, Role>;
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

async function auth(app: FastifyInstance, opts: AuthOptions): Promise<void> {
  const match = tokenMatcher(opts.tokens);
  app.addHook('onRequest', async (request, reply) => {
    if (!request.is404 && request.routeOptions.config?.public) return;
    const header = request.headers.authorization;
    const bearer = header ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header)?.[1] : undefined;
    const role = bearer ? match(bearer) : undefined;
    if (!role) {
      reply.header('WWW-Authenticate', 'Bearer realm="tutti"');
      throw new TuttiError(
        'TUTTI_E_UNAUTHORIZED',
        header ? 'the bearer token is not valid for this control plane' : 'this request needs a bearer token',
        { hint: TOKEN_HINT },
      );
    }
    const needed = requiredRole(request);
    if (RANK[role] < RANK[needed]) {
      throw new TuttiError('TUTTI_E_FORBIDDEN', `${request.method} ${request.url.split('?')[0]} needs the ${needed} role; this token has ${role}`, {
        hint: `use a token with the ${needed} role`,
      });
    }
  });
}

export const authPlugin = global(auth, 'tutti-auth');
