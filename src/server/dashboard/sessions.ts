// The dashboard's sessions and one-time login codes, kept in the daemon's memory only (a
// restarted daemon forgets them: log in again). A session carries the role of the credential
// that opened it (a token typed into the login form, or the token that asked for a login code),
// so the dashboard can do exactly what that token could. Ids and codes are random, compared by
// their SHA-256, and both maps are bounded so a flood of logins cannot grow the daemon.

import { createHash, randomBytes } from 'node:crypto';
import type { Role, SessionLookup } from '../auth.js';

export interface DashboardSessionsOptions {
  /** how long a session lasts; default 12 h */
  sessionTtlMs?: number;
  /** how long a login code may wait to be used; default 10 min */
  codeTtlMs?: number;
  /** sessions kept at most (the oldest goes first); default 1000 */
  maxSessions?: number;
  /** unused codes kept at most; default 100 */
  maxCodes?: number;
  now?: () => number;
}

export const DEFAULT_SESSION_TTL_MS = 12 * 3_600_000;
export const DEFAULT_CODE_TTL_MS = 10 * 60_000;

interface Entry {
  role: Role;
  expiresAt: number;
}

const hash = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('base64url');
const secret = (bytes: number) => randomBytes(bytes).toString('base64url');

export class DashboardSessions implements SessionLookup {
  readonly sessionTtlMs: number;
  readonly codeTtlMs: number;
  private readonly maxSessions: number;
  private readonly maxCodes: number;
  private readonly now: () => number;
  // Maps keep insertion order: the first entry is the oldest, evicted first when full.
  private readonly sessions = new Map<string, Entry>();
  private readonly codes = new Map<string, Entry>();

  constructor(opts: DashboardSessionsOptions = {}) {
    this.sessionTtlMs = opts.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;
    this.codeTtlMs = opts.codeTtlMs ?? DEFAULT_CODE_TTL_MS;
    this.maxSessions = opts.maxSessions ?? 1000;
    this.maxCodes = opts.maxCodes ?? 100;
    this.now = opts.now ?? Date.now;
  }

  /** Opens a session; the id goes into the HttpOnly cookie and nowhere else. */
  create(role: Role): { id: string; expiresAt: number } {
    const id = secret(32);
    const expiresAt = this.now() + this.sessionTtlMs;
    add(this.sessions, hash(id), { role, expiresAt }, this.maxSessions, this.now());
    return { id, expiresAt };
  }

  role(id: string): Role | undefined {
    return live(this.sessions, hash(id), this.now())?.role;
  }

  end(id: string): void {
    this.sessions.delete(hash(id));
  }

  /** A one-time code that opens a session with this role, for a URL printed by the CLI. */
  issueCode(role: Role): { code: string; expiresAt: number } {
    const code = secret(18);
    const expiresAt = this.now() + this.codeTtlMs;
    add(this.codes, hash(code), { role, expiresAt }, this.maxCodes, this.now());
    return { code, expiresAt };
  }

  /** The code's role, once: a used, expired or unknown code gives undefined. */
  redeemCode(code: string): Role | undefined {
    const key = hash(code);
    const entry = live(this.codes, key, this.now());
    this.codes.delete(key);
    return entry?.role;
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
