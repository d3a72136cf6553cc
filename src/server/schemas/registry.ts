// The registry API's shapes (src/registry/types.ts and ScoredInstance of src/core/qos) as JSON
// Schemas: they validate registrations and heartbeats and document the answers. Kept inline
// (no $id), so the registry routes stay one plugin the app registers only with a registry.

import { Type } from '@sinclair/typebox';
import type { QosWeights, ScoredInstance } from '../../core/index.js';
import type { CheckDefinition, RegisterInput, RegistryEvent, RegistryInstance, ServiceSummary } from '../../registry/index.js';
import { StringEnum, type Same } from './helpers.js';

const Duration = (description: string) =>
  Type.Union([Type.String({ minLength: 1 }), Type.Number({ minimum: 0 })], { description: `${description}: 500ms, 10s, 1m30s… or a number of ms` });

export const CheckStatusSchema = StringEnum(['passing', 'warning', 'critical'] as const);

export const CheckDefinitionSchema = Type.Object(
  {
    ttlMs: Type.Optional(Type.Number({ description: 'ttl check: heartbeats must come at least this often, ms' })),
    http: Type.Optional(Type.String({ description: 'http check: the URL probed (2xx/3xx passing, 429 warning, else critical)' })),
    tcp: Type.Optional(Type.Boolean({ description: 'tcp check: connect to address:port' })),
    intervalMs: Type.Optional(Type.Number({ description: 'http/tcp: time between probes, ms' })),
    timeoutMs: Type.Optional(Type.Number({ description: 'http/tcp: time a probe may take, ms' })),
    deregisterCriticalAfterMs: Type.Number({ description: 'removed after being critical this long, ms' }),
  },
  { description: 'the compiled check: exactly one of ttlMs, http, tcp' },
);

export const RegistryInstanceSchema = Type.Object({
  id: Type.String(),
  service: Type.String(),
  address: Type.String({ description: 'IP address or host name' }),
  port: Type.Integer(),
  tags: Type.Array(Type.String()),
  meta: Type.Record(Type.String(), Type.String()),
  status: CheckStatusSchema,
  output: Type.Optional(Type.String({ description: 'why it has this status' })),
  source: StringEnum(['local', 'external'] as const, { description: 'local: run by tutti; external: registered through the API' }),
  check: Type.Optional(CheckDefinitionSchema),
  registeredAt: Type.Number({ description: 'ms since epoch' }),
  modifyIndex: Type.Integer({ description: 'registry index of its last change' }),
  lastHeartbeatAt: Type.Optional(Type.Number({ description: 'ms since epoch' })),
  criticalSince: Type.Optional(Type.Number({ description: 'ms since epoch' })),
});

export const RegisterInputSchema = Type.Object(
  {
    id: Type.Optional(Type.String({ minLength: 1, description: 'default: <service>-<random>; an existing external id is replaced' })),
    service: Type.String({ minLength: 1, description: 'lowercase letters, digits, - and _, starting with a letter' }),
    address: Type.String({ minLength: 1, description: 'IPv4 or IPv6 address, or host name' }),
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    tags: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    meta: Type.Optional(Type.Record(Type.String(), Type.String())),
    check: Type.Optional(
      Type.Object(
        {
          ttl: Type.Optional(Duration('turn critical without a heartbeat for this long')),
          http: Type.Optional(Type.String({ minLength: 1, description: 'a path probed on address:port (/healthz) or an http URL' })),
          tcp: Type.Optional(Type.Boolean({ description: 'connect to address:port' })),
          interval: Type.Optional(Duration('http/tcp: time between probes, default 10s')),
          timeout: Type.Optional(Duration('http/tcp: time a probe may take, default 2s')),
          deregister_critical_after: Type.Optional(Duration('remove the instance after being critical this long, default 1m')),
        },
        { additionalProperties: false, description: 'at most one of ttl, http, tcp' },
      ),
    ),
  },
  { additionalProperties: false },
);

export const HeartbeatBodySchema = Type.Object(
  {
    status: Type.Optional(StringEnum(['passing', 'warning', 'critical'] as const, { description: "default passing (Consul's pass, warn, fail)" })),
    output: Type.Optional(Type.String({ maxLength: 4096, description: 'shown as the reason of the status' })),
  },
  { additionalProperties: false, description: 'optional: a request without a body means {}' },
);

export const ServiceSummarySchema = Type.Object({
  name: Type.String(),
  instances: Type.Integer(),
  passing: Type.Integer(),
  warning: Type.Integer(),
  critical: Type.Integer(),
  tags: Type.Array(Type.String(), { description: "union of the instances' tags, sorted" }),
  declared: Type.Boolean({ description: 'the applied stack declares it' }),
});

export const RegistryEventSchema = Type.Object({
  index: Type.Integer(),
  type: StringEnum(['registered', 'updated', 'deregistered'] as const),
  service: Type.String(),
  instance: RegistryInstanceSchema,
});

const WeightsSchema = Type.Object({ latency: Type.Number(), success: Type.Number(), load: Type.Number(), health: Type.Number() });

export const ScoredInstanceSchema = Type.Object({
  id: Type.String(),
  terms: WeightsSchema,
  weights: WeightsSchema,
  score: Type.Number({ minimum: 0, maximum: 1 }),
  latencyEwmaMs: Type.Optional(Type.Number()),
  successEwma: Type.Number(),
  inFlight: Type.Integer(),
  requests: Type.Integer(),
  ejectedUntil: Type.Optional(Type.Number({ description: 'ms since epoch, while ejected as an outlier' })),
});

export const ScoresReplySchema = Type.Object({
  service: Type.String(),
  strategy: StringEnum(['qos', 'round-robin', 'least-request', 'random'] as const),
  weights: Type.Object(WeightsSchema.properties, { description: 'the weights of the QoS score, normalised to sum 1' }),
  instances: Type.Array(ScoredInstanceSchema),
});

export const RegistryInstanceListSchema = Type.Object({
  index: Type.Integer({ description: 'the registry index of this answer; pass it as ?index= to wait for the next change' }),
  instances: Type.Array(RegistryInstanceSchema),
});

export const ServiceSummaryListSchema = Type.Object({
  index: Type.Integer(),
  services: Type.Array(ServiceSummarySchema),
  dns: Type.Optional(Type.Object({ host: Type.String(), port: Type.Integer() }, { description: 'where the DNS interface answers <service>.service.tutti' })),
});

export const WatchResetSchema = Type.Object({ index: Type.Integer(), instances: Type.Array(RegistryInstanceSchema) });

const _instance: Same<typeof RegistryInstanceSchema.static, RegistryInstance> = true;
const _check: Same<typeof CheckDefinitionSchema.static, CheckDefinition> = true;
const _summary: Same<typeof ServiceSummarySchema.static, ServiceSummary> = true;
const _event: Same<typeof RegistryEventSchema.static, RegistryEvent> = true;
const _input: Same<typeof RegisterInputSchema.static, RegisterInput> = true;
const _scored: Same<typeof ScoredInstanceSchema.static, ScoredInstance> = true;
const _weights: Same<typeof WeightsSchema.static, QosWeights> = true;
void [_instance, _check, _summary, _event, _input, _scored, _weights];
