// Pure: the status of each service and of the stack, computed from the desired state and the
// instances a runtime reports.

import { serviceHealth, stackHealth, type InstanceInfo, type StackSpec } from '../core/index.js';
import type { DesiredService } from './deps.js';
import type { ServiceState, ServiceStatus, StackStatus } from './types.js';

export interface StatusInput {
  stack: StackSpec;
  appliedAt: number;
  desired: Map<string, DesiredService>;
  instances: InstanceInfo[];
  endpoints: Map<string, string>;
  /** the runtime's own address of each service (kubernetes: the Service's cluster DNS name) */
  clusterUrls?: Map<string, string>;
  failures: Map<string, string>;
}

export function serviceStatus(input: StatusInput, name: string): ServiceStatus {
  const spec = input.stack.services[name];
  const want = input.desired.get(name) ?? { name, replicas: spec.replicas, stopped: false };
  const instances = input.instances.filter((i) => i.service === name);
  const ready = instances.filter((i) => i.ready).length;
  const completed = instances.length > 0 && instances.every((i) => i.state === 'completed');
  const failure = input.failures.get(name);
  const state = stateOf({ replicas: want.replicas, stopped: want.stopped, ready, completed, failure, instances });
  return {
    name,
    state,
    desired: want.stopped ? 0 : want.replicas,
    replicas: want.replicas,
    ready,
    stopped: want.stopped,
    revision: spec.revision,
    importance: spec.importance,
    health: serviceHealth({ importance: spec.importance, replicas: want.replicas, ready, stopped: want.stopped, completed }) ?? 1,
    endpoint: input.endpoints.get(name),
    ...(input.clusterUrls?.has(name) && { clusterUrl: input.clusterUrls.get(name) }),
    dependsOn: spec.dependsOn,
    message: failure ?? instances.find((i) => i.message && !i.ready)?.message,
  };
}

function stateOf(s: {
  replicas: number; stopped: boolean; ready: number; completed: boolean; failure?: string; instances: InstanceInfo[];
}): ServiceState {
  if (s.stopped) return 'stopped';
  if (s.completed) return 'completed';
  if (s.replicas > 0 && s.ready >= s.replicas) return 'running';
  if (s.failure) return 'failed';
  if (s.instances.some((i) => i.state === 'failed' || i.state === 'crash-looping')) return 'failed';
  if (s.ready > 0) return 'degraded';
  if (s.replicas === 0) return 'running';
  return s.instances.length > 0 ? 'starting' : 'pending';
}

export function stackStatus(input: StatusInput): StackStatus {
  const services = input.stack.order.map((name) => serviceStatus(input, name));
  return {
    name: input.stack.name,
    file: input.stack.file,
    dir: input.stack.dir,
    appliedAt: input.appliedAt,
    health: stackHealth(services.map((s) => ({
      importance: s.importance,
      replicas: s.replicas,
      ready: s.ready,
      stopped: s.stopped,
      completed: s.state === 'completed',
    }))),
    services,
    instances: input.instances,
  };
}
