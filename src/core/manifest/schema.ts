// The JSON Schema of `tutti.yaml`, written with TypeBox so the same definition gives the
// validator, the TypeScript type of a raw manifest and the document editors autocomplete
// from. Every key carries a description and, where it has one, its default; the defaults
// documented here are the ones the compiler applies (both read DEFAULTS).

import { Type, type Static } from '@sinclair/typebox';
import { DURATION_PATTERN, formatDuration } from '../duration.js';
import { DEFAULT_OUTLIER, DEFAULT_QOS_WEIGHTS, DEFAULT_SELECTION } from '../qos/index.js';
import { SIZE_PATTERN } from '../size.js';
import { SERVICE_NAME_PATTERN, type BalanceStrategy, type ServiceSpec } from '../spec.js';

export { SERVICE_NAME_PATTERN };

export const STACK_NAME_PATTERN = '^[a-z0-9][a-z0-9_-]*$';
export const HTTP_PATH_PATTERN = '^/';
/** Keys starting with `x-` are extension fields, as in docker compose: ignored, handy for YAML anchors. */
export const EXTENSION_KEYS = { '^x-': {} };

/** Signal names a service may be stopped with (POSIX names Node.js knows on every platform). */
export const SIGNALS = [
  'SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP', 'SIGKILL', 'SIGUSR1', 'SIGUSR2', 'SIGABRT', 'SIGALRM',
  'SIGWINCH', 'SIGPIPE', 'SIGCONT', 'SIGSTOP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGTRAP', 'SIGBUS',
  'SIGFPE', 'SIGSEGV', 'SIGILL', 'SIGPROF', 'SIGVTALRM', 'SIGXCPU', 'SIGXFSZ', 'SIGURG', 'SIGIO', 'SIGSYS',
] as const;

export const STRATEGIES = ['qos', 'round-robin', 'least-request', 'random'] as const satisfies readonly BalanceStrategy[];
export const PROTOCOLS = ['http', 'tcp'] as const satisfies readonly NonNullable<ServiceSpec['protocol']>[];
// the lists above name every member of their type, or this fails to compile
const _everyStrategy: BalanceStrategy extends (typeof STRATEGIES)[number] ? true : never = true;
const _everyProtocol: NonNullable<ServiceSpec['protocol']> extends (typeof PROTOCOLS)[number] ? true : never = true;
void _everyStrategy;
void _everyProtocol;

/** Defaults of every optional key; the schema documents them and the compiler applies them. */
export const DEFAULTS = {
  cwd: '.',
  replicas: 1,
  port: 0,
  restart: 'always',
  stop_signal: 'SIGTERM',
  stop_grace: '10s',
  importance: 1,
  ready_timeout: '60s',
  health: { interval: '2s', timeout: '1s', healthy_after: 1, unhealthy_after: 3, start_period: '0s' },
  backoff: { initial: '100ms', factor: 2, max: '30s', reset_after: '30s' },
  logs: { max_size: '10MB', max_files: 5, max_age: '7d' },
  protocol: 'http',
  // selection defaults live in core/qos, where the balancer is tuned; written here as the manifest spells them
  selection: {
    strategy: DEFAULT_SELECTION.strategy,
    weights: DEFAULT_QOS_WEIGHTS,
    outlier: {
      consecutive_failures: DEFAULT_OUTLIER.consecutiveFailures,
      base_ejection: formatDuration(DEFAULT_OUTLIER.baseEjectionMs),
      max_ejection: formatDuration(DEFAULT_OUTLIER.maxEjectionMs),
    },
  },
  dns: { host: '127.0.0.1', port: 0 },
} as const;

export const CONDITIONS = ['started', 'healthy', 'completed'] as const;
/** docker compose's spelling of the same three conditions, accepted as aliases. */
export const COMPOSE_CONDITIONS: Record<string, (typeof CONDITIONS)[number]> = {
  service_started: 'started',
  service_healthy: 'healthy',
  service_completed_successfully: 'completed',
};

function stringEnum<const T extends string>(values: readonly T[], opts: { description: string; default?: string }) {
  return Type.Unsafe<T>({ type: 'string', enum: [...values], ...opts });
}

function duration(description: string, def: string) {
  return Type.Union(
    [
      Type.String({ pattern: DURATION_PATTERN, description: 'e.g. 500ms, 2s, 1m, 1m30s' }),
      Type.Number({ minimum: 0, description: 'milliseconds' }),
    ],
    { description, default: def },
  );
}

function size(description: string, def: string) {
  return Type.Union(
    [
      Type.String({ pattern: SIZE_PATTERN, description: 'e.g. 10MB, 512KiB, 1G' }),
      Type.Integer({ minimum: 1, description: 'bytes' }),
    ],
    { description, default: def },
  );
}

const strict = { additionalProperties: false } as const;

const argv = (description: string) =>
  Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String(), { minItems: 1 })], { description });

export const LogsSchema = Type.Object(
  {
    max_size: Type.Optional(size('Rotate the current log file once it passes this size.', DEFAULTS.logs.max_size)),
    max_files: Type.Optional(Type.Integer({ minimum: 1, default: DEFAULTS.logs.max_files, description: 'Rotated log files kept per instance.' })),
    max_age: Type.Optional(
      duration(
        'Rotated log files older than this are deleted, and so are all the files of an instance that no longer exists once its newest line is this old. Checked at daemon start and hourly.',
        DEFAULTS.logs.max_age,
      ),
    ),
  },
  { ...strict, description: 'Log capture, rotation and retention per instance.' },
);

export const HealthSchema = Type.Object(
  {
    http: Type.Optional(Type.String({ pattern: HTTP_PATH_PATTERN, description: 'HTTP path probed on the instance\'s port; 2xx/3xx = healthy.' })),
    tcp: Type.Optional(Type.Literal(true, { description: 'Healthy when a TCP connection to the instance\'s port succeeds.' })),
    exec: Type.Optional(argv('Command run in the service\'s folder and environment; exit code 0 = healthy.')),
    interval: Type.Optional(duration('Time between two probes.', DEFAULTS.health.interval)),
    timeout: Type.Optional(duration('A probe taking longer than this fails.', DEFAULTS.health.timeout)),
    healthy_after: Type.Optional(Type.Integer({ minimum: 1, default: DEFAULTS.health.healthy_after, description: 'Consecutive successes to become healthy.' })),
    unhealthy_after: Type.Optional(Type.Integer({ minimum: 1, default: DEFAULTS.health.unhealthy_after, description: 'Consecutive failures to become unhealthy.' })),
    start_period: Type.Optional(duration('Failures during this period after start do not count.', DEFAULTS.health.start_period)),
  },
  { ...strict, description: 'Health check: exactly one of http, tcp or exec.' },
);

export const BackoffSchema = Type.Object(
  {
    initial: Type.Optional(duration('Delay before the second restart in a row (the first is immediate).', DEFAULTS.backoff.initial)),
    factor: Type.Optional(Type.Number({ minimum: 1, default: DEFAULTS.backoff.factor, description: 'Each further delay is the previous one times this.' })),
    max: Type.Optional(duration('Longest delay between two restarts.', DEFAULTS.backoff.max)),
    reset_after: Type.Optional(duration('An instance up this long has its crash count reset.', DEFAULTS.backoff.reset_after)),
  },
  { ...strict, description: 'Exponential backoff between restarts of a crashing instance.' },
);

const condition = Type.Unsafe<string>({
  type: 'string',
  enum: [...CONDITIONS, ...Object.keys(COMPOSE_CONDITIONS)],
  description: 'started: once started; healthy: once its health check passes; completed: once it has exited with code 0.',
  default: 'started',
});

export const DependsOnSchema = Type.Union(
  [
    Type.Array(Type.String(), { description: 'Service names; each is waited for until started.' }),
    Type.Record(
      Type.String(),
      Type.Union([condition, Type.Object({ condition: Type.Optional(condition) }, strict)]),
      { description: 'Service name -> condition (or { condition }).' },
    ),
  ],
  { description: 'Services to wait for before this one starts.' },
);

const weight = (description: string) =>
  Type.Optional(Type.Number({ minimum: 0, description: `${description} 0 when left out of a weights map that is given.` }));

export const OutlierSchema = Type.Object(
  {
    consecutive_failures: Type.Optional(
      Type.Integer({
        minimum: 1,
        default: DEFAULTS.selection.outlier.consecutive_failures,
        description: 'Consecutive failures (a connection error, a reset or a 5xx response) that eject an instance.',
      }),
    ),
    base_ejection: Type.Optional(duration('How long an instance\'s first ejection lasts; each further one lasts longer.', DEFAULTS.selection.outlier.base_ejection)),
    max_ejection: Type.Optional(duration('The longest ejection; not shorter than base_ejection.', DEFAULTS.selection.outlier.max_ejection)),
  },
  { ...strict, description: 'Outlier ejection: an instance that keeps failing gets no traffic for a while. The last instance is never ejected.' },
);

export const SelectionSchema = Type.Object(
  {
    strategy: Type.Optional(
      stringEnum(STRATEGIES, {
        description: 'How an instance is picked: qos (the better-scored of two random instances), round-robin, least-request or random.',
        default: DEFAULTS.selection.strategy,
      }),
    ),
    weights: Type.Optional(
      Type.Object(
        {
          latency: weight('Weight of the latency signal.'),
          success: weight('Weight of the success-rate signal.'),
          load: weight('Weight of the in-flight load signal.'),
          health: weight('Weight of the health signal.'),
        },
        {
          ...strict,
          default: { ...DEFAULTS.selection.weights },
          description: 'Weights of the QoS score (strategy qos), normalised to sum 1. A weights map replaces the default weights: a signal left out weighs 0.',
        },
      ),
    ),
    outlier: Type.Optional(OutlierSchema),
  },
  { ...strict, description: 'How a request to the service\'s endpoint picks an instance. A service\'s selection overrides the stack\'s key by key.' },
);

export const EnvEntrySchema = Type.Object(
  {
    value: Type.Optional(Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()], {
      description: 'The value; absent or null passes the variable through from tutti\'s environment.',
    })),
    secret: Type.Optional(Type.Boolean({ default: false, description: 'Print "(secret)" for it in `tutti config validate --json`, and keep it in a Secret on kubernetes.' })),
  },
  { ...strict, description: 'An environment variable with options.' },
);

export const CPU_PATTERN = '^\\s*(\\d+(\\.\\d+)?|\\.\\d+)m?\\s*$';
export const MEMORY_PATTERN = '^\\s*\\d+(\\.\\d+)?\\s*([kKmMgGtT]([iI]?[bB]?)?|[bB])?\\s*$';

const ResourceAmountsSchema = (description: string) => Type.Object(
  {
    cpu: Type.Optional(Type.Union([
      Type.String({ pattern: CPU_PATTERN, description: 'cores, or thousandths of a core: 0.5, 500m, 2' }),
      Type.Number({ exclusiveMinimum: 0, description: 'cores' }),
    ], { description: 'CPU: cores (0.5, 2) or thousandths of a core (250m).' })),
    memory: Type.Optional(Type.Union([
      Type.String({ pattern: MEMORY_PATTERN, description: 'e.g. 256Mi, 512MB, 1G, 1Gi (binary units: M = Mi = MiB)' }),
      Type.Integer({ minimum: 1, description: 'bytes' }),
    ], { description: 'Memory: bytes or a size; K, M, G and T are binary (as docker compose reads them), so 512M = 512Mi.' })),
  },
  { ...strict, description },
);

export const ResourcesSchema = Type.Object(
  {
    requests: Type.Optional(ResourceAmountsSchema('What an instance is guaranteed (kubernetes: scheduling requests).')),
    limits: Type.Optional(ResourceAmountsSchema('What an instance may not pass. memory: the process runtime restarts an instance whose resident memory passes it; kubernetes kills the container (OOMKilled). cpu: throttled on kubernetes, not enforced by the process runtime.')),
  },
  { ...strict, description: 'CPU and memory of each instance, as Kubernetes\' requests and limits.' },
);

export const ServiceSchema = Type.Object(
  {
    command: Type.Optional(argv('What to run (process runtime): a command line, split into words unless it uses shell syntax, or an argv list.')),
    image: Type.Optional(Type.String({ minLength: 1, description: 'Container image (kubernetes runtime).' })),
    cwd: Type.Optional(Type.String({ default: DEFAULTS.cwd, description: 'Working folder, relative to the manifest\'s folder.' })),
    env: Type.Optional(
      Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null(), EnvEntrySchema]), {
        description: 'Environment variables; they override env_file entries. A null value passes the variable through from tutti\'s environment; `{ value, secret: true }` marks a secret.',
        default: {},
      }),
    ),
    env_file: Type.Optional(
      Type.Union([Type.String(), Type.Array(Type.String())], {
        description: 'dotenv files (relative to the manifest\'s folder) read into the environment; later files win. Their values count as secret.',
      }),
    ),
    resources: Type.Optional(ResourcesSchema),
    replicas: Type.Optional(Type.Integer({ minimum: 0, default: DEFAULTS.replicas, description: 'Number of instances.' })),
    port: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 65535, default: DEFAULTS.port, description: 'Port the service listens on, injected as PORT; 0 allocates a free port per instance.' }),
    ),
    health: Type.Optional(HealthSchema),
    depends_on: Type.Optional(DependsOnSchema),
    restart: Type.Optional(
      stringEnum(['always', 'on-failure', 'never'], { description: 'When an exited instance is restarted.', default: DEFAULTS.restart }),
    ),
    backoff: Type.Optional(BackoffSchema),
    stop_signal: Type.Optional(stringEnum(SIGNALS, { description: 'Signal sent to stop an instance.', default: DEFAULTS.stop_signal })),
    stop_grace: Type.Optional(duration('Time between the stop signal and SIGKILL.', DEFAULTS.stop_grace)),
    importance: Type.Optional(Type.Number({ minimum: 0, default: DEFAULTS.importance, description: 'Weight of this service in the stack-health score.' })),
    ready_timeout: Type.Optional(duration('How long an instance may take to become ready before the deployment fails.', DEFAULTS.ready_timeout)),
    logs: Type.Optional(LogsSchema),
    protocol: Type.Optional(
      stringEnum(PROTOCOLS, {
        description: 'How the stable endpoint balances: http, per request (HTTP/1.1), or tcp, per connection.',
        default: DEFAULTS.protocol,
      }),
    ),
    selection: Type.Optional(SelectionSchema),
    metrics: Type.Optional(
      Type.String({ pattern: HTTP_PATH_PATTERN, description: 'HTTP path where instances serve Prometheus metrics on their port, e.g. /metrics; lists them for scraping.' }),
    ),
  },
  { ...strict, patternProperties: EXTENSION_KEYS, description: 'One service: how to run it, how many, how to check it.' },
);

const stringMap = (description: string) =>
  Type.Record(Type.String({ minLength: 1 }), Type.String(), { description });

export const AlertNotifySchema = Type.Object(
  {
    webhook: Type.Optional(Type.String({ minLength: 1, description: 'URL that receives the Alertmanager webhook payload (version 4).' })),
    alertmanager: Type.Optional(Type.String({ minLength: 1, description: 'Base URL of an Alertmanager; alerts are POSTed to /api/v2/alerts.' })),
    repeat_interval: Type.Optional(duration('Webhook: how soon a still-firing alert is sent again.', '4h')),
    send_resolved: Type.Optional(Type.Boolean({ default: true, description: 'Also notify when the alert resolves.' })),
  },
  { ...strict, description: 'One notification target: exactly one of webhook or alertmanager.' },
);

export const AlertRuleSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, description: 'Name of the rule; the alertname label of its alerts.' }),
    when: Type.String({ minLength: 1, description: 'PromQL-subset expression over the built-in series; every sample it returns is an alert.' }),
    for: Type.Optional(duration('How long the condition must hold before the alert fires.', '0s')),
    labels: Type.Optional(stringMap('Labels added to every alert; values may use {{ $labels.x }} and {{ $value }}.')),
    annotations: Type.Optional(stringMap('Annotations of every alert (summary, description, …), templated like labels.')),
    notify: Type.Optional(Type.Array(AlertNotifySchema, { description: 'Where notifications go.', default: [] })),
  },
  { ...strict, description: 'One alert rule.' },
);

export const DnsSchema = Type.Object(
  {
    host: Type.Optional(Type.String({ minLength: 1, default: DEFAULTS.dns.host, description: 'IP address the DNS interface listens on.' })),
    port: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 65535,
        default: DEFAULTS.dns.port,
        description: 'Port of the DNS interface; 0 chooses a free one at the first start and keeps it.',
      }),
    ),
  },
  { ...strict, description: 'The registry\'s DNS interface, which answers with the addresses of healthy instances.' },
);

const services = Type.Unsafe<Record<string, Static<typeof ServiceSchema>>>({
  type: 'object',
  description: 'The services of the stack, by name.',
  propertyNames: { pattern: SERVICE_NAME_PATTERN },
  additionalProperties: ServiceSchema,
});

export const manifestSchema = Type.Object(
  {
    name: Type.String({ pattern: STACK_NAME_PATTERN, description: 'Name of the stack: lowercase letters, digits, - and _.' }),
    services,
    runtime: Type.Optional(stringEnum(['process', 'kubernetes'], { description: 'Where services run.', default: 'process' })),
    selection: Type.Optional(SelectionSchema),
    dns: Type.Optional(DnsSchema),
    workflows: Type.Optional(Type.Array(Type.String(), { description: 'Serverless Workflow DSL 1.0 documents.', default: [] })),
    alerts: Type.Optional(Type.Array(AlertRuleSchema, { description: 'Alert rules, evaluated by the control plane over the built-in series.', default: [] })),
    logs: Type.Optional(Type.Object(LogsSchema.properties, { ...strict, description: 'Log defaults for every service.' })),
  },
  { ...strict, patternProperties: EXTENSION_KEYS, title: 'tutti stack manifest', description: 'A tutti.yaml stack manifest.' },
);

export type ManifestInput = Static<typeof manifestSchema>;
export type ServiceInput = Static<typeof ServiceSchema>;
export type ResourcesInput = Static<typeof ResourcesSchema>;

export const MANIFEST_SCHEMA_ID = 'urn:tutti:schema:manifest';

/** The manifest's JSON Schema as a plain document, for `tutti config schema` and editors. */
export function manifestJsonSchema(): Record<string, unknown> {
  const { title, description, ...rest } = JSON.parse(JSON.stringify(manifestSchema)) as Record<string, unknown>;
  return { $schema: 'http://json-schema.org/draft-07/schema#', $id: MANIFEST_SCHEMA_ID, title, description, ...rest };
}
