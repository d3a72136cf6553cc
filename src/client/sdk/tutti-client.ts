// The SDK a service uses, on one connection to the control plane: register itself with
// heartbeats, resolve other services from a watched cache, and fetch `http://<service>/…`
// through the QoS balancer. The module-level register/resolve/fetch use one shared SDK
// connected through TUTTI_URL and TUTTI_TOKEN.

import { createBalancer, DEFAULT_SELECTION, type Balancer } from '../../core/index.js';
import type { RegistryInstance } from '../api-types.js';
import type { TuttiClient } from '../client.js';
import { connectControlPlane, type ConnectionOptions } from './connection.js';
import { InstanceCache, type ResolveOptions } from './instance-cache.js';
import { startRegistration, type RegisterOptions, type Registration } from './registration.js';
import { createServiceFetch, serviceOf } from './service-fetch.js';

export interface TuttiSdk {
  /** Registers an instance of a service with a TTL check and keeps it passing until deregistered. */
  register(opts: RegisterOptions): Promise<Registration>;
  /** The instances of a service (healthy ones by default), from a cache a watch keeps current.
   *  The first call per service asks the control plane (TUTTI_E_NOT_FOUND for an unknown one);
   *  later calls answer from memory. Do not modify the array: it is shared (and frozen). */
  resolve(service: string, opts?: ResolveOptions): Promise<readonly RegistryInstance[]>;
  /** The global fetch, with `http://<service>/…` balanced over that service's healthy instances. */
  fetch: typeof fetch;
  /** The typed API client underneath. */
  readonly api: TuttiClient;
  /** Ends the watches (registrations stay until deregistered). */
  close(): void;
}

export function createTuttiClient(conn: ConnectionOptions = {}): TuttiSdk {
  const { api, watch } = connectControlPlane(conn);
  const balancers = new Map<string, Balancer>();
  const cache = new InstanceCache(api, watch, (service, id) => balancers.get(service)?.forget(id));

  const balancer = (service: string): Balancer => {
    let b = balancers.get(service);
    if (!b) {
      b = createBalancer(DEFAULT_SELECTION);
      balancers.set(service, b);
      const created = b;
      // pick like the stable endpoints do: with the service's strategy and weights, once known
      api.registryScores(service).then(
        (s) => created.configure({ ...DEFAULT_SELECTION, strategy: s.strategy, weights: s.weights }),
        () => {},
      );
    }
    return b;
  };

  return {
    api,
    register: (opts) => startRegistration(api, opts),
    resolve: (service, opts) => cache.resolve(service, opts),
    fetch: createServiceFetch({ cache, balancer }),
    close: () => cache.close(),
  };
}

let shared: TuttiSdk | undefined;

/** The SDK connected through TUTTI_URL / TUTTI_TOKEN, made on first use. */
export function defaultClient(): TuttiSdk {
  shared ??= createTuttiClient();
  return shared;
}

/** `register(opts)` on the shared SDK, or on a connection of its own when `conn` is given. */
export function register(opts: RegisterOptions, conn?: ConnectionOptions): Promise<Registration> {
  try {
    return conn ? startRegistration(connectControlPlane(conn).api, opts) : defaultClient().register(opts);
  } catch (err) {
    return Promise.reject(err);
  }
}

export function resolve(service: string, opts?: ResolveOptions): Promise<readonly RegistryInstance[]> {
  try {
    return defaultClient().resolve(service, opts);
  } catch (err) {
    return Promise.reject(err);
  }
}

export const fetch: typeof globalThis.fetch = (input, init) => {
  try {
    // an ordinary URL needs no control plane
    if (serviceOf(new URL(input instanceof Request ? input.url : String(input))) === undefined) return globalThis.fetch(input, init);
    return defaultClient().fetch(input, init);
  } catch (err) {
    return Promise.reject(err);
  }
};
