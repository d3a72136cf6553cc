// Who is logged in: checked once at start (GET /api/v1/dashboard/session), set by the login
// form, cleared by logging out or by any 401 of the API (the session expired or the daemon
// restarted and forgot it). The role decides which actions the pages offer.

import { ApiError, api, get, onUnauthorised } from '../api/http';
import type { Role } from '../api/types';
import { useExternal } from '../lib/use-external';

export type Session = { status: 'checking' } | { status: 'out'; reason?: string } | { status: 'in'; role: Role };

let session: Session = { status: 'checking' };
const listeners = new Set<() => void>();

function set(next: Session): void {
  session = next;
  for (const l of listeners) l();
}

onUnauthorised(() => {
  if (session.status !== 'out') set({ status: 'out', reason: session.status === 'in' ? 'Your session ended; log in again.' : undefined });
});

export async function checkSession(): Promise<void> {
  try {
    const me = await get<{ role: Role }>('/api/v1/dashboard/session');
    set({ status: 'in', role: me.role });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) set({ status: 'out' });
    else set({ status: 'out', reason: err instanceof Error ? err.message : String(err) });
  }
}

/** Exchanges the token for the session cookie; the token is not kept anywhere. */
export async function logIn(token: string): Promise<void> {
  const me = await api<{ role: Role }>('POST', '/api/v1/dashboard/session', { body: { token } });
  set({ status: 'in', role: me.role });
}

export async function logOut(): Promise<void> {
  await api('DELETE', '/api/v1/dashboard/session').catch(() => {});
  set({ status: 'out', reason: 'You are logged out.' });
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

export function useSession(): Session {
  return useExternal(subscribe, () => session);
}

/** operator and admin may act on services and runs */
export function canAct(s: Session): boolean {
  return s.status === 'in' && (s.role === 'operator' || s.role === 'admin');
}
