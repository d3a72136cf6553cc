// The stable endpoint's contract: what the orchestrator gives it (the service's healthy
// instances, from the registry, and its selection settings) and what it reports back (one
// outcome per request or connection, for metrics; the QoS scores, for `--scores`).

import type { ScoredInstance, SelectionSpec } from '../core/index.js';

export interface Target {
  id: string;
  address: string;
  port: number;
  health: 'passing' | 'warning';
}

/** One proxied request (http) or connection (tcp), reported after it ends. */
export interface RequestOutcome {
  service: string;
  instance: string;
  /** http: the request's method; tcp: 'CONNECT' */
  method: string;
  /** http: the response's status code; 0 when no response came (connect error, reset); tcp: 0 on connect failure, 200 otherwise */
  status: number;
  durationSeconds: number;
  /** why it failed, for a status of 0 (e.g. ECONNREFUSED) */
  error?: string;
}

export interface EndpointOptions {
  service: string;
  host: string;
  /** 0 = any free port; a remembered port is tried first, a free one taken if it is in use */
  port: number;
  /** default 'http' */
  protocol?: 'http' | 'tcp';
  /** default DEFAULT_SELECTION */
  selection?: SelectionSpec;
  /** the service's instances that may receive traffic now (passing or warning), in a stable order */
  targets: () => Target[];
  onOutcome?: (outcome: RequestOutcome) => void;
}

export interface ServiceEndpoint {
  readonly service: string;
  readonly protocol: 'http' | 'tcp';
  readonly port: number;
  /** http://host:port (tcp: tcp://host:port) */
  readonly url: string;
  /** the current targets, scored */
  scores(): ScoredInstance[];
  configure(selection: SelectionSpec): void;
  close(): Promise<void>;
}
