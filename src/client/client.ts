// The typed client of the control-plane API (`/api/v1`), used by the CLI, tests and users.
// Every method maps to one route; failures are TuttiErrors carrying the server's code and
// hint, or TUTTI_E_DAEMON_UNREACHABLE when the daemon cannot be reached. A run watch survives a
// daemon restart (runs are durable): it reconnects and picks up from the run's current status.

import { TuttiError, type LogLine, type StackSpec } from '../core/index.js';
import type {
  AlertsView,
  EventInput,
  HeartbeatReport,
  InstanceView,
  LogsQuery,
  OperationEvent,
  OperationInfo,
  RegisterInput,
  RegistryInstance,
  RegistryInstanceList,
  RegistryInstancesQuery,
  RegistryScores,
  RegistryWatchEvent,
  RegistryWatchOptions,
  RunDetail,
  RunPage,
  RunsQuery,
  RunSummary,
  RunWatchEvent,
  SentEvent,
  StartRunOptions,
  SeriesQueryResult,
  ServiceSummary,
  SeriesRequest,
  ServiceStatus,
  ShutdownResult,
  StackStatusView,
  VersionInfo,
  WorkflowDeployResult,
  WorkflowDocument,
  WorkflowSummary,
} from './api-types.js';
import { DEFAULT_TIMEOUT_MS, Transport, type Query, type TransportOptions } from './http.js';
import { watchRegistry } from './registry-watch.js';
import { readServerSentEvents } from './sse-reader.js';
import type { TargetGroup, TopView } from '../monitor/index.js';
import { pause } from './pause.js';

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
  /** `tutti top`'s figures per service and instance over the last `window` (default 30s). */
  top(q?: { services?: string[]; window?: string }): Promise<TopView>;
  /** Prometheus http_sd target groups of the services that declare `metrics:`. */
  scrapeTargets(): Promise<TargetGroup[]>;
  /** Every service the registry knows (declared by the stack or registered), with instance counts. */
  registryServices(): Promise<ServiceSummary[]>;
  /** The services with the registry's index and where its DNS interface answers. */
  registryCatalog(): Promise<{ index: number; services: ServiceSummary[]; dns?: { host: string; port: number } }>;
  /** A service's instances; with `index` a blocking query that answers once the registry
   *  moves past it (or `waitMs` elapses). TUTTI_E_NOT_FOUND for an unknown service. */
  registryInstances(service: string, query?: RegistryInstancesQuery): Promise<RegistryInstanceList>;
  /** The balancer's scores of a service's instances (`tutti instances SERVICE --scores`). */
  registryScores(service: string): Promise<RegistryScores>;
  registryInstance(id: string): Promise<RegistryInstance>;
  /** Registers (or replaces, same id) an instance started outside tutti. */
  registerInstance(input: RegisterInput): Promise<RegistryInstance>;
  deregisterInstance(id: string): Promise<RegistryInstance>;
  /** A TTL check's heartbeat; the status defaults to passing. */
  heartbeat(id: string, report?: HeartbeatReport): Promise<RegistryInstance>;
  /** Registry changes, live, reconnecting by itself after a dropped stream without repeating or
   *  losing a change; ends quietly when the signal aborts. */
  watchRegistry(opts?: RegistryWatchOptions): AsyncIterable<RegistryWatchEvent>;
  /** Deploys a Serverless Workflow document (YAML or JSON text); `file` names it in messages.
   *  TUTTI_E_BAD_REQUEST listing each problem, TUTTI_E_CONFLICT when that version exists with
   *  another source. */
  deployWorkflow(source: string, file?: string): Promise<WorkflowDeployResult>;
  listWorkflows(): Promise<WorkflowSummary[]>;
  /** One version of a workflow (default: the latest), as written and parsed. */
  getWorkflow(name: string, version?: string): Promise<WorkflowDocument>;
  startRun(workflow: string, opts?: StartRunOptions): Promise<RunSummary>;
  /** Runs newest first, one page; pass `next` as `before` for the following one. */
  listRuns(query?: RunsQuery): Promise<RunPage>;
  getRun(id: string): Promise<RunDetail>;
  /** TUTTI_E_CONFLICT when the run's status does not allow it, TUTTI_E_NOT_FOUND for an unknown run. */
  cancelRun(id: string): Promise<RunSummary>;
  suspendRun(id: string): Promise<RunSummary>;
  resumeRun(id: string): Promise<RunSummary>;
  /** The run's current summary, then its task events and status changes live; ends after a
   *  terminal status (completed, faulted, cancelled), or quietly when the signal aborts. */
  watchRun(id: string, opts?: RunWatchOptions): AsyncIterable<RunWatchEvent>;
  /** Publishes a CloudEvent (structured mode); id and time are filled in when absent. */
  sendEvent(event: EventInput): Promise<SentEvent>;
  shutdown(opts?: { stopStack?: boolean }): Promise<ShutdownResult>;
  healthz(): Promise<{ status: 'ok' }>;
  version(): Promise<VersionInfo>;
}

export interface RunWatchOptions {
  signal?: AbortSignal;
  /** first pause before reconnecting a dropped stream; doubles up to 5 s. Default 100 ms */
  retryMs?: number;
  /** give up (rethrowing the last failure) after this long without a connection. Default 60 s */
  giveUpAfterMs?: number;
}

const API = '/api/v1';
const TERMINAL: ReadonlySet<string> = new Set(['completed', 'faulted', 'cancelled']);
/** the server's hold of a blocking query that names no `wait` */
const DEFAULT_BLOCKING_WAIT_MS = 5 * 60_000;
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


/** Worth another attempt: the daemon went away or is restarting, not a refusal of the request. */
function retriable(err: unknown): boolean {
  return !(err instanceof TuttiError) || err.code === 'TUTTI_E_DAEMON_UNREACHABLE' || err.status >= 500;
}

/** The same fetch with the CloudEvents structured-mode content type on every request. */
function cloudEventsFetch(base: typeof fetch | undefined): typeof fetch {
  const f = base ?? ((input: Parameters<typeof fetch>[0], init?: RequestInit) => globalThis.fetch(input, init));
  return ((input: Parameters<typeof fetch>[0], init?: RequestInit) =>
    f(input, { ...init, headers: { ...(init?.headers as Record<string, string>), 'content-type': 'application/cloudevents+json' } })) as typeof fetch;
}

export function createClient(opts: ClientOptions): TuttiClient {
  const http = new Transport(opts satisfies TransportOptions);
  const cloudEvents = new Transport({ ...opts, fetch: cloudEventsFetch(opts.fetch) });

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

    top: (q = {}) => http.json<TopView>('GET', `${API}/top`, { query: { service: q.services, window: q.window } }),
    scrapeTargets: () => http.json<TargetGroup[]>('GET', `${API}/prometheus/targets`),

    logs: async (query = {}) => (await http.json<{ lines: LogLine[] }>('GET', `${API}/logs`, { query: logsQuery(query) })).lines,

    async *followLogs(query, signal) {
      for await (const { data } of events<LogLine>(`${API}/logs`, { query: { ...logsQuery(query), follow: true }, signal })) yield data;
    },

    registryServices: async () => (await http.json<{ services: ServiceSummary[] }>('GET', `${API}/registry/services`)).services,
    registryCatalog: () => http.json('GET', `${API}/registry/services`),
    registryInstances: (service, q = {}) => {
      const blocking = q.index !== undefined;
      return http.json<RegistryInstanceList>('GET', `${API}/registry/services/${seg(service)}/instances`, {
        query: {
          healthy: q.healthy || undefined,
          tag: q.tags,
          index: q.index,
          wait: blocking && q.waitMs !== undefined ? `${Math.max(0, Math.round(q.waitMs))}ms` : undefined,
        },
        // the server holds a blocking query on purpose: allow for that on top of the usual timeout
        timeoutMs: blocking ? (q.waitMs ?? DEFAULT_BLOCKING_WAIT_MS) + (opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) : undefined,
        signal: q.signal,
      });
    },
    registryScores: (service) => http.json('GET', `${API}/registry/services/${seg(service)}/scores`),
    registryInstance: (id) => http.json('GET', `${API}/registry/instances/${seg(id)}`),
    registerInstance: (input) => http.json('POST', `${API}/registry/instances`, { body: input }),
    deregisterInstance: (id) => http.json('DELETE', `${API}/registry/instances/${seg(id)}`),
    heartbeat: (id, report = {}) => http.json('PUT', `${API}/registry/instances/${seg(id)}/heartbeat`, { body: report }),
    watchRegistry: (o = {}) => watchRegistry(http, o),

    deployWorkflow: (source, file) => http.json('POST', `${API}/workflows`, { body: file === undefined ? { source } : { source, file } }),
    listWorkflows: async () => (await http.json<{ workflows: WorkflowSummary[] }>('GET', `${API}/workflows`)).workflows,
    getWorkflow: (name, version) => http.json('GET', `${API}/workflows/${seg(name)}`, { query: { version } }),
    startRun: async (workflow, o = {}) =>
      (await http.json<{ run: RunSummary }>('POST', `${API}/workflows/${seg(workflow)}/runs`, { body: o })).run,
    listRuns: (q = {}) =>
      http.json('GET', `${API}/runs`, {
        query: { workflow: q.workflow, status: q.status, since: q.since, until: q.until, limit: q.limit, before: q.before },
      }),
    getRun: async (id) => (await http.json<{ run: RunDetail }>('GET', `${API}/runs/${seg(id)}`)).run,
    cancelRun: async (id) => (await http.json<{ run: RunSummary }>('POST', `${API}/runs/${seg(id)}/cancel`)).run,
    suspendRun: async (id) => (await http.json<{ run: RunSummary }>('POST', `${API}/runs/${seg(id)}/suspend`)).run,
    resumeRun: async (id) => (await http.json<{ run: RunSummary }>('POST', `${API}/runs/${seg(id)}/resume`)).run,

    async *watchRun(id, o = {}) {
      const { signal } = o;
      const firstRetryMs = o.retryMs ?? 100;
      const giveUpAfterMs = o.giveUpAfterMs ?? 60_000;
      let retryMs = firstRetryMs;
      let lastContact = Date.now();
      let last: RunSummary | undefined;
      while (!signal?.aborted) {
        try {
          for await (const { event, data } of events<unknown>(`${API}/runs/${seg(id)}/watch`, { signal })) {
            lastContact = Date.now();
            retryMs = firstRetryMs;
            if (event === 'task') {
              yield { type: 'task', data: data as RunWatchEvent['data'] } as RunWatchEvent;
            } else if (event === 'run') {
              const run = data as RunSummary;
              // a reconnect starts with the current summary, which may repeat the last one
              if (last?.status !== run.status || last.updatedAt !== run.updatedAt) yield { type: 'run', data: run };
              last = run;
              if (TERMINAL.has(run.status)) return;
            }
          }
          if (signal?.aborted) return;
          // the stream ended before the run did (a daemon restart): pick up where it stands
        } catch (err) {
          if (signal?.aborted) return;
          if (!retriable(err) || Date.now() - lastContact > giveUpAfterMs) throw err;
        }
        if (!(await pause(retryMs, signal))) return;
        retryMs = Math.min(5_000, retryMs * 2);
      }
    },

    sendEvent: (event) => {
      const body: Record<string, unknown> = { specversion: '1.0', ...event };
      if (body.data !== undefined && body.datacontenttype === undefined) body.datacontenttype = 'application/json';
      return cloudEvents.json('POST', `${API}/events`, { body });
    },

    shutdown: (o = {}) => http.json('POST', `${API}/daemon/shutdown`, { body: { stopStack: o.stopStack === true } }),
    healthz: () => http.json('GET', '/healthz'),
    version: () => http.json('GET', `${API}/version`),
  };
  return client;
}

