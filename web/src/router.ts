// The dashboard's pages by path (the control plane serves index.html for exactly these, see
// src/server/dashboard/pages.ts), with History API navigation: plain <a href> links are
// intercepted so moving between pages never reloads the app.

import { useExternal } from './lib/use-external';

export type Route =
  | { page: 'overview' }
  | { page: 'login' }
  | { page: 'topology' }
  | { page: 'service'; name: string }
  | { page: 'workflows' }
  | { page: 'workflow'; name: string }
  | { page: 'runs' }
  | { page: 'run'; id: string }
  | { page: 'alerts' }
  | { page: 'logs' }
  | { page: 'not-found' };

const one = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

export function match(pathname: string): Route {
  const parts = pathname.replace(/\/+$/, '').split('/').filter(Boolean);
  const [a, b, extra] = parts;
  if (extra !== undefined) return { page: 'not-found' };
  if (a === undefined) return { page: 'overview' };
  if (b === undefined) {
    switch (a) {
      case 'login': return { page: 'login' };
      case 'topology': return { page: 'topology' };
      case 'workflows': return { page: 'workflows' };
      case 'runs': return { page: 'runs' };
      case 'alerts': return { page: 'alerts' };
      case 'logs': return { page: 'logs' };
      default: return { page: 'not-found' };
    }
  }
  switch (a) {
    case 'services': return { page: 'service', name: one(b) };
    case 'workflows': return { page: 'workflow', name: one(b) };
    case 'runs': return { page: 'run', id: one(b) };
    default: return { page: 'not-found' };
  }
}

const listeners = new Set<() => void>();

export function navigate(href: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  for (const l of listeners) l();
  if (!opts.replace) window.scrollTo(0, 0);
}

/** Replaces the query of the current URL (filters kept in the address, shareable). */
export function setQuery(params: Record<string, string | undefined>): void {
  const url = new URL(location.href);
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === '') url.searchParams.delete(k);
    else url.searchParams.set(k, v);
  }
  navigate(url.pathname + url.search, { replace: true });
}

export function startRouter(): void {
  window.addEventListener('popstate', () => listeners.forEach((l) => l()));
  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest?.('a');
    if (!a || a.getAttribute('target') || a.hasAttribute('download')) return;
    const href = a.getAttribute('href');
    if (!href || !href.startsWith('/') || href.startsWith('//') || href.startsWith('/api/')) return;
    e.preventDefault();
    navigate(href);
  });
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

export function useLocation(): { route: Route; path: string; query: URLSearchParams } {
  const current = useExternal(subscribe, () => location.pathname + location.search);
  const url = new URL(current, location.origin);
  return { route: match(url.pathname), path: url.pathname, query: url.searchParams };
}

export const href = {
  service: (name: string) => `/services/${encodeURIComponent(name)}`,
  workflow: (name: string) => `/workflows/${encodeURIComponent(name)}`,
  run: (id: string) => `/runs/${encodeURIComponent(id)}`,
};
