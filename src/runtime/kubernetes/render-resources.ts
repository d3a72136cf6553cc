// Pure: the manifest's `resources` as a container's requests and limits, in Kubernetes'
// quantity notation — CPU in millicores (`250m`), memory in the largest binary unit that
// divides it exactly (`512Mi`), else bytes — so what `render` prints reads as a user writes it.

import type { V1ResourceRequirements } from '@kubernetes/client-node';
import type { ResourceAmounts, ResourcesSpec } from '../../core/index.js';

const BINARY: Array<[string, number]> = [['Ti', 1024 ** 4], ['Gi', 1024 ** 3], ['Mi', 1024 ** 2], ['Ki', 1024]];

export function cpuQuantity(millis: number): string {
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

export function memoryQuantity(bytes: number): string {
  for (const [unit, size] of BINARY) if (bytes % size === 0) return `${bytes / size}${unit}`;
  return String(bytes);
}

function amounts(a: ResourceAmounts | undefined): Record<string, string> | undefined {
  if (!a) return undefined;
  const out: Record<string, string> = {};
  if (a.cpuMillis !== undefined) out.cpu = cpuQuantity(a.cpuMillis);
  if (a.memoryBytes !== undefined) out.memory = memoryQuantity(a.memoryBytes);
  return Object.keys(out).length > 0 ? out : undefined;
}

export function resourcesOf(spec: ResourcesSpec): V1ResourceRequirements {
  const requests = amounts(spec.requests);
  const limits = amounts(spec.limits);
  return { ...(requests && { requests }), ...(limits && { limits }) };
}
