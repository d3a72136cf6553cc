// The SDK's `fetch`: the global fetch, except that `http://<service>/path` for a service the
// registry knows goes to one of its healthy instances, picked by the same Balancer as tutti's
// stable endpoints and fed with each outcome (ok = an answer below 500). An idempotent request
// (GET, HEAD, OPTIONS, or one carrying an Idempotency-Key) that could not reach its instance is
// tried once more on another. Any other URL goes straight to the global fetch.

import { isTuttiError, TuttiError, type Balancer, type Candidate } from '../../core/index.js';
import type { InstanceCache } from './instance-cache.js';

export interface ServiceFetchDeps {
  cache: InstanceCache;
  balancer(service: string): Balancer;
  /** default: the global fetch */
  fetch?: typeof fetch;
  /** ms since epoch; injected by tests */
  now?: () => number;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS']);
/** errors meaning the request never reached (or never got an answer from) the instance */
const CONNECT_FAILURES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);
/** a host that is not a service is asked about again after this long */
const NOT_A_SERVICE_MS = 30_000;
const SERVICE_HOST = /^[a-z0-9]([a-z0-9_-]*[a-z0-9])?$/i;

export function connectFailed(err: unknown): boolean {
  let e = err as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 4; depth++, e = e.cause as typeof e) {
    if (typeof e.code === 'string' && CONNECT_FAILURES.has(e.code)) return true;
  }
  return false;
}

/** The service a URL names, or undefined when it is an ordinary URL (a port, a dot, https…). */
export function serviceOf(url: URL): string | undefined {
  if (url.protocol !== 'http:' || url.port !== '' || url.hostname === 'localhost') return undefined;
  return SERVICE_HOST.test(url.hostname) ? url.hostname : undefined;
}

function hostOf(address: string): string {
  return address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
}

export function createServiceFetch(deps: ServiceFetchDeps): typeof fetch {
  const base = deps.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const now = deps.now ?? Date.now;
  const notServices = new Map<string, number>();

  /** The candidates of a service, or undefined when the host is not one. */
  async function candidatesOf(service: string): Promise<readonly Candidate[] | undefined> {
    const known = deps.cache.candidates(service);
    if (known) return known;
    const until = notServices.get(service);
    if (until !== undefined && until > now()) return undefined;
    try {
      await deps.cache.load(service);
    } catch (err) {
      if (isTuttiError(err) && (err.code === 'TUTTI_E_NOT_FOUND' || err.code === 'TUTTI_E_UNKNOWN_SERVICE')) {
        notServices.set(service, now() + NOT_A_SERVICE_MS);
        return undefined;
      }
      throw err;
    }
    return deps.cache.candidates(service);
  }

  return async function serviceFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const service = serviceOf(url);
    const candidates = service === undefined ? undefined : await candidatesOf(service);
    if (service === undefined || candidates === undefined) return base(input, init);

    const source = input instanceof Request ? new Request(input, init) : undefined;
    const method = (source?.method ?? init?.method ?? 'GET').toUpperCase();
    const headers = source?.headers ?? new Headers(init?.headers);
    const streamBody = init?.body instanceof ReadableStream;
    const retryable = (IDEMPOTENT.has(method) || headers.has('idempotency-key')) && !streamBody;
    const signal = source?.signal ?? init?.signal ?? undefined;
    const balancer = deps.balancer(service);

    let tried: Set<string> | undefined;
    let lastError: unknown;
    for (let attempt = 0; attempt < 2; attempt++) {
      const current = deps.cache.candidates(service) ?? candidates;
      const picked = balancer.pick(current, tried);
      const instance = picked && deps.cache.instance(service, picked.id);
      if (!picked || !instance) break;
      const target = new URL(url);
      target.host = `${hostOf(instance.address)}:${instance.port}`;
      const done = balancer.begin(picked.id);
      const started = performance.now();
      try {
        const res = source
          ? await base(new Request(target, retryable ? source.clone() : source))
          : await base(target.href, init);
        done({ ok: res.status < 500, latencyMs: performance.now() - started });
        return res;
      } catch (err) {
        // the caller's own abort says nothing about the instance
        done({ ok: signal?.aborted === true, latencyMs: performance.now() - started });
        if (!retryable || signal?.aborted || !connectFailed(err)) throw err;
        lastError = err;
        (tried ??= new Set()).add(picked.id);
      }
    }
    if (lastError) throw lastError;
    throw new TuttiError('TUTTI_E_NOT_FOUND', `no healthy instance of service ${service} to send ${method} ${url.pathname} to`, {
      hint: `\`tutti instances ${service}\` shows its instances and why they are not passing`,
    });
  } as typeof fetch;
}
