// The compiled manifest (StackSpec, src/core/spec.ts) as a JSON Schema: validates the body of
// `PUT /api/v1/stack` and documents it. The CLI sends what the manifest loader produced, so
// this checks shape and ranges; the manifest's own rules (cycles, names) ran before.

import { Type } from '@sinclair/typebox';
import type { ServiceSpec, StackSpec } from '../../core/index.js';
import { Ref, StringEnum, type Same } from './helpers.js';

const Millis = (description: string) => Type.Number({ minimum: 0, description: `${description}, ms` });
const StringMap = Type.Record(Type.String(), Type.String());

export const HealthSpecSchema = Type.Object(
  {
    http: Type.Optional(Type.String({ description: 'path probed on the instance port, e.g. /healthz' })),
    tcp: Type.Optional(Type.Boolean()),
    exec: Type.Optional(Type.Array(Type.String(), { minItems: 1 })),
    intervalMs: Millis('time between probes'),
    timeoutMs: Millis('time a probe may take'),
    healthyAfter: Type.Integer({ minimum: 1 }),
    unhealthyAfter: Type.Integer({ minimum: 1 }),
    startPeriodMs: Millis('failures during this period after start do not count'),
  },
  { $id: 'HealthSpec', description: 'exactly one of http, tcp, exec is set' },
);

// Inlined where used (no $id): the schema index registers the shared schemas, and this one is small.
const SelectionSpecSchema = Type.Object(
  {
    strategy: StringEnum(['qos', 'round-robin', 'least-request', 'random'] as const),
    weights: Type.Object(
      {
        latency: Type.Number({ minimum: 0 }),
        success: Type.Number({ minimum: 0 }),
        load: Type.Number({ minimum: 0 }),
        health: Type.Number({ minimum: 0 }),
      },
      { description: 'weights of the QoS score, normalised to sum 1 where used' },
    ),
    outlier: Type.Object({
      consecutiveFailures: Type.Integer({ minimum: 1 }),
      baseEjectionMs: Millis('first ejection'),
      maxEjectionMs: Millis('longest ejection'),
    }),
  },
  { description: 'how the stable endpoint picks an instance' },
);

const ResourceAmountsSchema = Type.Object({
  cpuMillis: Type.Optional(Type.Integer({ minimum: 1, description: 'thousandths of a core' })),
  memoryBytes: Type.Optional(Type.Integer({ minimum: 1, description: 'bytes' })),
});

export const ServiceSpecSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    command: Type.Array(Type.String(), { description: 'argv' }),
    image: Type.Optional(Type.String()),
    cwd: Type.String({ description: 'absolute path' }),
    env: StringMap,
    secretEnv: Type.Optional(Type.Array(Type.String(), { description: 'names of env entries whose values are secret (shown as "(secret)" by the API)' })),
    resources: Type.Optional(Type.Object(
      {
        requests: Type.Optional(ResourceAmountsSchema),
        limits: Type.Optional(ResourceAmountsSchema),
      },
      { description: 'what an instance is guaranteed (requests) and may not pass (limits)' },
    )),
    replicas: Type.Integer({ minimum: 0 }),
    port: Type.Integer({ minimum: 0, maximum: 65535, description: '0 = allocate one per instance' }),
    health: Type.Optional(Ref(HealthSpecSchema)),
    dependsOn: Type.Record(Type.String(), StringEnum(['started', 'healthy', 'completed'] as const)),
    restart: StringEnum(['always', 'on-failure', 'never'] as const),
    backoff: Type.Object({
      initialMs: Millis('delay before the 2nd restart in a row'),
      factor: Type.Number({ minimum: 1 }),
      maxMs: Millis('longest delay'),
      resetAfterMs: Millis('an instance up this long has its crash count reset'),
    }),
    stopSignal: Type.String({ minLength: 1 }),
    stopGraceMs: Millis('time between the stop signal and SIGKILL'),
    importance: Type.Number({ minimum: 0 }),
    readyTimeoutMs: Millis('time an instance may take to become ready'),
    logs: Type.Object({
      maxBytes: Type.Integer({ minimum: 1 }),
      maxFiles: Type.Integer({ minimum: 0 }),
      maxAgeMs: Type.Optional(Millis('rotated files, and files of instances gone, older than this are deleted (default 7 days)')),
    }),
    protocol: Type.Optional(StringEnum(['http', 'tcp'] as const, { description: 'how the stable endpoint balances: per request or per connection' })),
    selection: Type.Optional(SelectionSpecSchema),
    metricsPath: Type.Optional(Type.String({ description: 'path where instances serve Prometheus metrics' })),
    revision: Type.String({ description: 'hash of what requires new instances when it changes' }),
  },
  { $id: 'ServiceSpec' },
);

export const AlertRuleSpecSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    when: Type.String({ minLength: 1, description: 'PromQL-subset expression' }),
    forMs: Type.Number({ minimum: 0 }),
    labels: Type.Record(Type.String(), Type.String()),
    annotations: Type.Record(Type.String(), Type.String()),
    notify: Type.Array(
      Type.Object({
        kind: StringEnum(['webhook', 'alertmanager']),
        url: Type.String({ minLength: 1 }),
        repeatIntervalMs: Type.Optional(Type.Number({ minimum: 0 })),
        sendResolved: Type.Boolean(),
      }),
    ),
  },
  { $id: 'AlertRuleSpec', description: 'a compiled alert rule' },
);

export const StackSpecSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    file: Type.String({ description: 'absolute path of the manifest' }),
    dir: Type.String({ description: 'folder holding the manifest' }),
    services: Type.Record(Type.String(), Ref(ServiceSpecSchema)),
    order: Type.Array(Type.String(), { description: 'services in dependency order' }),
    runtime: Type.Optional(StringEnum(['process', 'kubernetes'] as const)),
    selection: Type.Optional(SelectionSpecSchema),
    dns: Type.Optional(
      Type.Object(
        { host: Type.String({ minLength: 1 }), port: Type.Integer({ minimum: 0, maximum: 65535, description: '0 = chosen at first start and kept' }) },
        { description: 'the registry\'s DNS interface' },
      ),
    ),
    workflows: Type.Optional(Type.Array(Type.String())),
    alerts: Type.Optional(Type.Array(Ref(AlertRuleSpecSchema))),
  },
  { $id: 'StackSpec', description: 'a compiled manifest (tutti.yaml)' },
);

const _stackSpec: Same<typeof StackSpecSchema.static, StackSpec> = true;
// Same<> lets an optional key be missing on one side; comparing the key sets catches that
const _stackKeys: Same<keyof typeof StackSpecSchema.static, keyof StackSpec> = true;
const _serviceKeys: Same<keyof typeof ServiceSpecSchema.static, keyof ServiceSpec> = true;
void _stackSpec;
void _stackKeys;
void _serviceKeys;
