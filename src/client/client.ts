// The typed client of the control-plane API (`/api/v1`), used by the CLI, tests and users.
// Every method maps to one route; failures are TuttiErrors carrying the server's code and
// hint, or TUTTI_E_DAEMON_UNREACHABLE when the daemon cannot be reached.

import { TuttiError, type LogLine, type StackSpec } from '../core/index.js';
import type {
  AlertsView,
  InstanceView,
  LogsQuery,
  OperationEvent,
  OperationInfo,
  SeriesQueryResult,
  SeriesRequest,
  ServiceStatus,
  ShutdownResult,
  StackStatusView,
  VersionInfo,
} from './api-types.js';
import { Transport, type Query, type TransportOptions } from './http.js';
import { readServerSentEvents } from './sse-reader.js';

export interface ClientOptions {
  /** where the control plane listens, e.g. http://127.0.0.1:41234 */
  url: string;
  /** bearer token (`.tutti/token` for a local daemon) */
  token: string;
  /** default: the global fetch (undici) */
  fetch?: typeof fetch;
  /** for answers that are not streams; default 30 s */
  timeoutMs?: number;
}

export interface TuttiClient {
  readonly url: string;
  /** Status of the stack; TUTTI_E_NO_STACK when none is applied. */
  stack(opts?: { stats?: boolean }): Promise<StackStatusView>;
  apply(spec: StackSpec): Promise<OperationInfo>;
  down(): Promise<OperationInfo>;
  services(): Promise<ServiceStatus[]>;
  service(name: string): Promise<ServiceStatus>;
  restart(name: string): Promise<OperationInfo>;
  stop(name: string): Promise<OperationInfo>;
  start(name: string): Promise<OperationInfo>;
  scale(name: string, replicas: number): Promise<OperationInfo>;
  instances(service?: string, opts?: { stats?: boolean }): Promise<InstanceView[]>;
  operation(id: string): Promise<OperationInfo>;
  /** Past events, then live ones; ends after the 'complete' event (or quietly when the signal aborts). */
  followOperation(id: string, signal?: AbortSignal): AsyncIterable<OperationEvent>;
  logs(query?: LogsQuery): Promise<LogLine[]>;
  /** The backlog (`tail`), then live lines until the signal aborts or the daemon ends the stream. */
  followLogs(query: LogsQuery, signal?: AbortSignal): AsyncIterable<LogLine>;
  /** Alert rules with their state and alerts (none while the stack has no rules). */
  alerts(): Promise<AlertsView>;
  /** Points of one built-in metric over a time range. */
  series(q: SeriesRequest): Promise<SeriesQueryResult[]>;
  shutdown(opts?: { stopStack?: boolean }): Promise<ShutdownResult>;
  healthz(): Promise<{ status: 'ok' }>;
  version(): Promise<VersionInfo>;
}

const API = '/api/v1';
const seg = (s: string) => encodeURIComponent(s);

function logsQuery(q: LogsQuery): Query {
  return { service: q.services, instance: q.instances, since: q.since, until: q.until, grep: q.grep, level: q.level, tail: q.tail };
}

function parseData<T>(data: string): T {
  try {
    return JSON.parse(data) as T;
  } catch {
    throw new TuttiError('TUTTI_E_INTERNAL', 'the control plane sent an event that is not JSON');
  }
}

export function createClient(opts: ClientOptions): TuttiClient {
  const http = new Transport(opts satisfies TransportOptions);

  /** Events of one stream, `error` events thrown; a caller's abort ends the iteration quietly. */
  async function* events<T>(path: string, req: { query?: Query; headers?: Record<string, string>; signal?: AbortSignal }) {
    if (req.signal?.aborted) return;
    let res: Response;
    try {
      res = await http.stream(path, req);
    } catch (e) {
      if (req.signal?.aborted) return;
      throw e;
    }
    try {
      for await (const message of readServerSentEvents(res.body!)) {
        if (message.event === 'error') throw TuttiError.fromJSON(parseData(message.data));
        yield { event: message.event, data: parseData<T>(message.data) };
      }
    } catch (e) {
      if (req.signal?.aborted) return;
      throw http.streamFailure(e);
    }
  }

  const client: TuttiClient = {
    url: http.base,
    stack: (o = {}) => http.json('GET', `${API}/stack`, { query: { stats: o.stats || undefined } }),
    apply: (spec) => http.json('PUT', `${API}/stack`, { body: { spec } }),
    down: () => http.json('DELETE', `${API}/stack`),
    services: async () => (await http.json<{ services: ServiceStatus[] }>('GET', `${API}/services`)).services,
    service: (name) => http.json('GET', `${API}/services/${seg(name)}`),
    restart: (name) => http.json('POST', `${API}/services/${seg(name)}/restart`),
    stop: (name) => http.json('POST', `${API}/services/${seg(name)}/stop`),
    start: (name) => http.json('POST', `${API}/services/${seg(name)}/start`),
    scale: (name, replicas) => http.json('PUT', `${API}/services/${seg(name)}/scale`, { body: { replicas } }),
    instances: async (service, o = {}) =>
      (await http.json<{ instances: InstanceView[] }>('GET', `${API}/instances`, { query: { service, stats: o.stats || undefined } })).instances,
    operation: (id) => http.json('GET', `${API}/operations/${seg(id)}`),

    async *followOperation(id, signal) {
      let completed = false;
      for await (const { data } of events<OperationEvent>(`${API}/operations/${seg(id)}/events`, { signal })) {
        yield data;
        if (data.phase === 'complete') {
          completed = true;
          break;
        }
      }
      if (!completed && !signal?.aborted) {
        throw new TuttiError('TUTTI_E_DAEMON_UNREACHABLE', `the control plane ended the progress of operation ${id} before it completed`, {
          hint: 'the daemon may have stopped; `tutti ps` shows where the stack stands',
        });
      }
    },

    alerts: () => http.json<AlertsView>('GET', `${API}/alerts`),
    series: async (q) => {
      const query: Query = { metric: q.metric, start: q.start?.toString(), end: q.end?.toString(), step: q.step };
      for (const [k, v] of Object.entries(q.labels ?? {})) query[`label.${k}`] = v;
      return (await http.json<{ series: SeriesQueryResult[] }>('GET', `${API}/series`, { query })).series;
    },

    logs: async (query = {}) => (await http.json<{ lines: LogLine[] }>('GET', `${API}/logs`, { query: logsQuery(query) })).lines,

    async *followLogs(query, signal) {
      for await (const { data } of events<LogLine>(`${API}/logs`, { query: { ...logsQuery(query), follow: true }, signal })) yield data;
    },

    shutdown: (o = {}) => http.json('POST', `${API}/daemon/shutdown`, { body: { stopStack: o.stopStack === true } }),
    healthz: () => http.json('GET', '/healthz'),
    version: () => http.json('GET', `${API}/version`),
  };
  return client;
}

