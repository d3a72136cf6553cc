// What `GET /api/v1/stack`, `/services` and `/instances` answer (src/orchestrator/types.ts and
// InstanceInfo of src/core/spec.ts), as JSON Schemas for the OpenAPI document and serialisation.

import { Type } from '@sinclair/typebox';
import type { InstanceInfo } from '../../core/index.js';
import type { ServiceStatus, StackStatus } from '../../orchestrator/types.js';
import { Ref, StringEnum, type Same } from './helpers.js';

export const InstanceInfoSchema = Type.Object(
  {
    id: Type.String(),
    service: Type.String(),
    revision: Type.String(),
    slot: Type.Integer({ description: 'replica index 0..replicas-1' }),
    address: Type.String(),
    port: Type.Integer(),
    pid: Type.Optional(Type.Integer()),
    state: StringEnum(['starting', 'running', 'unhealthy', 'stopping', 'stopped', 'backoff', 'crash-looping', 'completed', 'failed'] as const),
    health: StringEnum(['none', 'unknown', 'passing', 'failing'] as const),
    ready: Type.Boolean(),
    restarts: Type.Integer(),
    createdAt: Type.Number({ description: 'ms since epoch' }),
    startedAt: Type.Optional(Type.Number()),
    lastExit: Type.Optional(
      Type.Object({
        code: Type.Union([Type.Integer(), Type.Null()]),
        signal: Type.Union([Type.String(), Type.Null()]),
        at: Type.Number(),
        reason: Type.Optional(Type.String({ description: 'why, where known beyond the code: a memory limit passed, OOMKilled, …' })),
      }),
    ),
    message: Type.Optional(Type.String()),
    cpu: Type.Optional(Type.Number({ description: 'percent of one core; with ?stats=true' })),
    memory: Type.Optional(Type.Integer({ description: 'resident memory in bytes; with ?stats=true' })),
  },
  { $id: 'InstanceInfo' },
);

export const ServiceStatusSchema = Type.Object(
  {
    name: Type.String(),
    state: StringEnum(['pending', 'starting', 'running', 'degraded', 'stopped', 'completed', 'failed'] as const),
    desired: Type.Integer({ description: 'instances wanted now (0 when stopped)' }),
    replicas: Type.Integer({ description: 'instances wanted when started' }),
    ready: Type.Integer(),
    stopped: Type.Boolean(),
    revision: Type.String(),
    importance: Type.Number(),
    health: Type.Number({ minimum: 0, maximum: 1 }),
    endpoint: Type.Optional(Type.String({ description: 'the stable endpoint on the control plane\'s machine (local processes use it as <DEP>_URL; workflows call it)' })),
    clusterUrl: Type.Optional(Type.String({ description: 'kubernetes: the Service\'s cluster DNS name, which the other pods use as <DEP>_URL' })),
    dependsOn: Type.Record(Type.String(), Type.String()),
    message: Type.Optional(Type.String()),
  },
  { $id: 'ServiceStatus' },
);

export const StackStatusSchema = Type.Object(
  {
    name: Type.String(),
    file: Type.String(),
    dir: Type.String(),
    appliedAt: Type.Number(),
    health: Type.Number({ minimum: 0, maximum: 1, description: 'weighted stack-health score' }),
    services: Type.Array(Ref(ServiceStatusSchema)),
    instances: Type.Array(Ref(InstanceInfoSchema)),
  },
  { $id: 'StackStatus' },
);

export const ServiceListSchema = Type.Object({ services: Type.Array(Ref(ServiceStatusSchema)) });
export const InstanceListSchema = Type.Object({ instances: Type.Array(Ref(InstanceInfoSchema)) });

const _instance: Same<Omit<typeof InstanceInfoSchema.static, 'cpu' | 'memory'>, InstanceInfo> = true;
const _service: Same<typeof ServiceStatusSchema.static, ServiceStatus> = true;
const _stack: Same<typeof StackStatusSchema.static, StackStatus> = true;
void [_instance, _service, _stack];
