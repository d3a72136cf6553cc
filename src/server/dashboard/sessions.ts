// The dashboard's sessions and one-time login codes, kept in the daemon's memory only (a
// restarted daemon forgets them: log in again). A session carries the role of the credential
// that opened it (a token typed into the login form, or the token that asked for a login code),
// so the dashboard can do exactly what that token could. Ids and codes are random, compared by
// their SHA-256, and both maps are bounded so a flood of logins cannot grow the daemon. Each
// session also remembers the credential that opened it (its owner: a digest of the token), and
// one owner keeps at most `maxSessionsPerOwner`, so logging in again and again with one token
// (a viewer's, say) only ever replaces that token's own sessions and never pushes another
// token's session out of the global bound.

import { createHash, randomBytes } from 'node:crypto';
import type { Role, SessionLookup } from '../auth.js';

export interface DashboardSessionsOptions {
  /** how long a session lasts; default 12 h */
  sessionTtlMs?: number;
  /** how long a login code may wait to be used; default 10 min */
  codeTtlMs?: number;
  /** sessions kept at most (the oldest goes first); default 1000 */
  maxSessions?: number;
  /** sessions kept at most per owner (the credential that opened them; its oldest goes first); default 20 */
  maxSessionsPerOwner?: number;
  /** unused codes kept at most; default 100 */
  maxCodes?: number;
  now?: () => number;
}

export const DEFAULT_SESSION_TTL_MS = 12 * 3_600_000;
export const DEFAULT_CODE_TTL_MS = 10 * 60_000;

interface Entry {
  role: Role;
  expiresAt: number;
  /** who opened it (sessions) or asked for it (codes); see ownerOfToken */
  owner?: string;
}

const hash = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('base64url');

/** The owner key of sessions opened with this token (a digest: the token itself is not kept). */
export const ownerOfToken = (token: string): string => `token:${hash(token)}`;
const secret = (bytes: number) => randomBytes(bytes).toString('base64url');

export class DashboardSessions implements SessionLookup {
  readonly sessionTtlMs: number;
  readonly codeTtlMs: number;
  private readonly maxSessions: number;
  private readonly maxCodes: number;
  private readonly maxPerOwner: number;
  private readonly now: () => number;
  // Maps keep insertion order: the first entry is the oldest, evicted first when full.
  private readonly sessions = new Map<string, Entry>();
  private readonly codes = new Map<string, Entry>();

  constructor(opts: DashboardSessionsOptions = {}) {
    this.sessionTtlMs = opts.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;
    this.codeTtlMs = opts.codeTtlMs ?? DEFAULT_CODE_TTL_MS;
    this.maxSessions = opts.maxSessions ?? 1000;
    this.maxCodes = opts.maxCodes ?? 100;
    this.maxPerOwner = opts.maxSessionsPerOwner ?? 20;
    this.now = opts.now ?? Date.now;
  }

  /** Opens a session for `owner` (default: one owner per role); the id goes into the HttpOnly
   *  cookie and nowhere else. The owner's oldest session goes when it has too many. */
  create(role: Role, owner = `role:${role}`): { id: string; expiresAt: number } {
    const id = secret(32);
    const now = this.now();
    const expiresAt = now + this.sessionTtlMs;
    const mine = [...this.sessions].filter(([, e]) => e.owner === owner && e.expiresAt > now);
    for (let i = 0; i <= mine.length - this.maxPerOwner; i++) this.sessions.delete(mine[i][0]);
    add(this.sessions, hash(id), { role, expiresAt, owner }, this.maxSessions, now);
    return { id, expiresAt };
  }

  role(id: string): Role | undefined {
    return live(this.sessions, hash(id), this.now())?.role;
  }

  /** The owner of a live session (to hand on to the sessions a login code it asks for opens). */
  owner(id: string): string | undefined {
    return live(this.sessions, hash(id), this.now())?.owner;
  }

  end(id: string): void {
    this.sessions.delete(hash(id));
  }

  /** A one-time code that opens a session with this role, for a URL printed by the CLI. */
  issueCode(role: Role, owner?: string): { code: string; expiresAt: number } {
    const code = secret(18);
    const expiresAt = this.now() + this.codeTtlMs;
    add(this.codes, hash(code), { role, expiresAt, ...(owner !== undefined && { owner }) }, this.maxCodes, this.now());
    return { code, expiresAt };
  }

  /** The code's role, once: a used, expired or unknown code gives undefined. */
  redeemCode(code: string): Role | undefined {
    return this.redeem(code)?.role;
  }

  /** Redeems the code (once) and opens its session, owned by whoever asked for the code. */
  openWithCode(code: string): { role: Role; id: string; expiresAt: number } | undefined {
    const entry = this.redeem(code);
    if (!entry) return undefined;
    return { role: entry.role, ...this.create(entry.role, entry.owner) };
  }

  private redeem(code: string): Entry | undefined {
    const key = hash(code);
    const entry = live(this.codes, key, this.now());
    this.codes.delete(key);
    return entry;
  }

  get size(): { sessions: number; codes: number } {
    return { sessions: this.sessions.size, codes: this.codes.size };
  }
}

function live(map: Map<string, Entry>, key: string, now: number): Entry | undefined {
  const entry = map.get(key);
  if (!entry) return undefined;
  if (entry.expiresAt <= now) {
    map.delete(key);
    return undefined;
  }
  return entry;
}

function add(map: Map<string, Entry>, key: string, entry: Entry, max: number, now: number): void {
  for (const [k, e] of map) if (e.expiresAt <= now) map.delete(k);
  while (map.size >= max) map.delete(map.keys().next().value as string);
  map.set(key, entry);
}
