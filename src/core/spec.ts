// The compiled form of a manifest: what the control plane stores and reconciles. The manifest
// loader (manifest/) turns a `tutti.yaml` into a StackSpec: defaults applied, durations in
// milliseconds, paths absolute, environment interpolated, dependency order computed.
// Everything here is plain JSON so it crosses the API and sits in the database as is.

export type RestartPolicy = 'always' | 'on-failure' | 'never';
export type DependencyCondition = 'started' | 'healthy' | 'completed';

export interface HealthSpec {
  /** exactly one of http / tcp / exec is set */
  http?: string;          // path, e.g. /healthz, probed on the instance's port
  tcp?: boolean;          // connect to the instance's port
  exec?: string[];        // argv run in the service's cwd and env; exit 0 = healthy
  intervalMs: number;     // default 2s
  timeoutMs: number;      // default 1s
  healthyAfter: number;   // consecutive successes to become healthy, default 1
  unhealthyAfter: number; // consecutive failures to become unhealthy, default 3
  startPeriodMs: number;  // failures during this period after start do not count, default 0
}

export interface BackoffSpec {
  initialMs: number;      // delay before the 2nd restart in a row (the 1st is immediate), default 100ms
  factor: number;         // default 2
  maxMs: number;          // cap, default 30s
  resetAfterMs: number;   // an instance up this long has its crash count reset, default 30s
}

export interface LogSpec {
  maxBytes: number;       // rotate the current file past this size, default 10 MiB
  maxFiles: number;       // rotated files kept, default 5
  /** rotated files older than this are deleted, and so are the files of instances gone this long; default 7 days (also when absent, as in specs stored by earlier versions) */
  maxAgeMs?: number;
}

/** What a service may be called, in the manifest and in the registry alike (external
 *  instances share names with declared services). */
export const SERVICE_NAME_PATTERN = '^[a-z][a-z0-9_-]*$';

// ---- discovery: how a service's stable endpoint picks an instance --------------------

/** `qos`: power of two random choices by score (DESIGN.md); the others ignore the weights. */
export type BalanceStrategy = 'qos' | 'round-robin' | 'least-request' | 'random';

/** Weights aᵢ of the QoS score; non-negative, normalised to sum 1 where used. */
export interface QosWeights {
  latency: number;
  success: number;
  load: number;
  health: number;
}

/** Outlier ejection: N consecutive failures (connect error or 5xx) eject an instance for a
 *  back-off period that grows with each ejection; the last candidate is never ejected. */
export interface OutlierSpec {
  consecutiveFailures: number;  // default 5
  baseEjectionMs: number;       // first ejection, default 10s
  maxEjectionMs: number;        // cap of the growing ejection, default 5m
}

export interface SelectionSpec {
  strategy: BalanceStrategy;    // default 'qos'
  weights: QosWeights;          // defaults in core/qos (DEFAULT_QOS_WEIGHTS)
  outlier: OutlierSpec;
}

/** An amount of compute: CPU in thousandths of a core (`500m` = 500), memory in bytes. */
export interface ResourceAmounts {
  cpuMillis?: number;
  memoryBytes?: number;
}

/** The manifest's `resources`: what an instance is guaranteed (requests) and may not pass
 *  (limits). Kubernetes gets both; the process runtime enforces `limits.memoryBytes` (an
 *  instance whose resident memory passes it is restarted) and has no use for the rest. */
export interface ResourcesSpec {
  requests?: ResourceAmounts;
  limits?: ResourceAmounts;
}

export interface ServiceSpec {
  name: string;
  /** argv; a string command without shell operators is split into words, otherwise ['/bin/sh', '-c', cmd] */
  command: string[];
  image?: string;
  cwd: string;                          // absolute
  env: Record<string, string>;          // env_file entries overlaid with env, interpolated
  /** names of `env` entries whose values are secret: read from an env_file, or marked `secret: true`
   *  (redacted where the API shows the spec; a Secret on kubernetes); absent = none */
  secretEnv?: string[];
  resources?: ResourcesSpec;
  replicas: number;                     // default 1
  port: number;                         // 0 = allocate one per instance (default)
  health?: HealthSpec;
  dependsOn: Record<string, DependencyCondition>;
  restart: RestartPolicy;               // default 'always'
  backoff: BackoffSpec;
  stopSignal: string;                   // default SIGTERM
  stopGraceMs: number;                  // default 10s
  importance: number;                   // stack-health weight, default 1
  readyTimeoutMs: number;               // how long an instance may take to become ready, default 60s
  logs: LogSpec;
  /** how the stable endpoint balances: layer-7 HTTP/1.1 (default) or per TCP connection */
  protocol?: 'http' | 'tcp';
  /** the stack's `selection` overlaid with the service's own; absent in specs stored by earlier versions (= defaults) */
  selection?: SelectionSpec;
  /** path where instances serve Prometheus metrics (`metrics: /metrics`), listed by the http_sd endpoint */
  metricsPath?: string;
  /** hash of everything that requires new instances when it changes (not replicas, not importance) */
  revision: string;
}

export interface StackSpec {
  name: string;
  file: string;                         // absolute path of the manifest
  dir: string;                          // folder holding it; `.tutti/` lives here
  services: Record<string, ServiceSpec>;
  /** services in dependency order (dependencies first) */
  order: string[];
  /** the manifest's `runtime:` (default 'process'); a command-line choice may override it */
  runtime?: 'process' | 'kubernetes';
  /** the stack-wide selection defaults, compiled (each service's `selection` already includes them) */
  selection?: SelectionSpec;
  /** the registry's DNS interface; port 0 = chosen at first start and kept */
  dns?: { host: string; port: number };
  workflows?: string[];
  /** the manifest's alert rules, compiled (expressions checked, durations in ms) */
  alerts?: AlertRuleSpec[];
}

/** Where one alert rule's notifications go. */
export interface AlertNotifySpec {
  /** `webhook`: Alertmanager's webhook payload to `url`; `alertmanager`: POST to `url`/api/v2/alerts */
  kind: 'webhook' | 'alertmanager';
  url: string;
  /** how soon a still-firing group is sent again (webhook) */
  repeatIntervalMs?: number;
  sendResolved: boolean;
}

/** One alert rule of the manifest, compiled. */
export interface AlertRuleSpec {
  name: string;
  /** the PromQL-subset expression, as written (it parsed at load time) */
  when: string;
  forMs: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  notify: AlertNotifySpec[];
}

// ---- instances, as runtimes report them -------------------------------------------------

export type InstanceState =
  | 'starting'       // spawned, not yet ready
  | 'running'        // up and ready (healthy, or no health check)
  | 'unhealthy'      // up, health check failing
  | 'stopping'       // stop signal sent
  | 'stopped'        // stopped on purpose
  | 'backoff'        // exited, waiting to be restarted
  | 'crash-looping'  // exited again and again; restarts continue with growing delays
  | 'completed'      // exited 0 and will not be restarted
  | 'failed';        // exited and will not be restarted (restart policy, or cannot spawn)

export type HealthStatus = 'none' | 'unknown' | 'passing' | 'failing';

export interface InstanceInfo {
  id: string;               // e.g. orders-3
  service: string;
  revision: string;
  slot: number;             // replica index 0..replicas-1
  address: string;          // 127.0.0.1 for local processes
  port: number;
  pid?: number;
  state: InstanceState;
  health: HealthStatus;
  ready: boolean;
  restarts: number;
  createdAt: number;        // ms since epoch
  startedAt?: number;       // current process' start, ms since epoch
  /** reason: why, where tutti or the cluster knows more than the code (a memory limit passed, OOMKilled) */
  lastExit?: { code: number | null; signal: string | null; at: number; reason?: string };
  message?: string;         // why it is in this state (failed probe, spawn error, …)
}

/** Severity of a log line, lowest first (pino's and bunyan's names). */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export interface LogLine {
  time: number;             // ms since epoch
  service: string;
  instance: string;
  stream: 'stdout' | 'stderr';
  text: string;             // the line as the instance wrote it
  /** for a JSON line in pino, bunyan or winston format: its level, by the names above */
  level?: LogLevel;
  /** for a JSON line: its `msg` (pino, bunyan) or `message` (winston) */
  message?: string;
}

/** Probes one instance. Implemented by the registry layer, handed to runtimes. */
export interface Prober {
  probe(
    check: HealthSpec,
    target: { address: string; port: number; cwd: string; env: Record<string, string> },
    signal: AbortSignal,
  ): Promise<{ ok: boolean; message?: string }>;
}
