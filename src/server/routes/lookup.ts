// Lookups the route plugins share: the applied stack (404 when there is none), one of its
// services (404 naming the known ones), and instances with CPU and memory added.

import { TuttiError, type InstanceInfo } from '../../core/index.js';
import type { ServiceStatus, StackStatus } from '../../orchestrator/types.js';
import type { ControlledOrchestrator } from '../plugin-types.js';

export type InstanceView = InstanceInfo & { cpu?: number; memory?: number };

export function requireStack(orchestrator: ControlledOrchestrator): StackStatus {
  const status = orchestrator.status();
  if (!status) throw new TuttiError('TUTTI_E_NO_STACK', 'no stack is applied to this control plane', { hint: 'run `tutti up` first' });
  return status;
}

export function requireService(status: StackStatus, name: string): ServiceStatus {
  const service = status.services.find((s) => s.name === name);
  if (!service) {
    throw new TuttiError('TUTTI_E_UNKNOWN_SERVICE', `no service named ${name} in stack ${status.name}`, {
      hint: `services: ${status.services.map((s) => s.name).join(', ') || '(none)'}`,
    });
  }
  return service;
}

/** Adds CPU and memory when the orchestrator can measure them; a failed measurement leaves them out. */
export async function withStats(orchestrator: ControlledOrchestrator, instances: InstanceInfo[]): Promise<InstanceView[]> {
  if (!orchestrator.stats) return instances;
  const stats: Record<string, { cpu: number; memory: number } | undefined> = await orchestrator.stats().catch(() => ({}));
  return instances.map((i) => {
    const s = stats[i.id];
    return s ? { ...i, cpu: s.cpu, memory: s.memory } : i;
  });
}
