// What the http and tcp proxies share of their endpoint: the service's balancer, its targets,
// and the outcome report. Built once per endpoint by startEndpoint.

import type { Balancer } from '../core/index.js';
import type { RequestOutcome, Target } from './types.js';

export interface ProxyContext {
  readonly service: string;
  readonly balancer: Balancer;
  /** the service's instances now: called once per request (or connection) */
  readonly targets: () => Target[];
  /** picks with the balancer and remembers the instance, so its state is forgotten once it is gone */
  pick(targets: Target[], exclude: ReadonlySet<string> | undefined): Target | undefined;
  readonly onOutcome?: (outcome: RequestOutcome) => void;
  /** reports one request or connection to onOutcome (if any); `startedAt` is a performance.now() */
  report(instance: string, method: string, status: number, startedAt: number, error: string | undefined): void;
}
