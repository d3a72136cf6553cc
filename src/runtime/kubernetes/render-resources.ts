// Pure: the manifest's `resources` as a container's requests and limits, in Kubernetes'
// quantity notation and in the canonical form the API server stores (so a re-apply finds the
// object unchanged and writes nothing): CPU in cores or millicores (`2`, `250m`), memory in the
// largest binary unit that divides it exactly (`512Mi`), else the largest decimal one (`1G`,
// which is how the server stores 1000000000), else bytes.

import type { V1ResourceRequirements } from '@kubernetes/client-node';
import type { ResourceAmounts, ResourcesSpec } from '../../core/index.js';

const BINARY: Array<[string, number]> = [['Ei', 1024 ** 6], ['Pi', 1024 ** 5], ['Ti', 1024 ** 4], ['Gi', 1024 ** 3], ['Mi', 1024 ** 2], ['Ki', 1024]];
const DECIMAL: Array<[string, number]> = [['E', 1e18], ['P', 1e15], ['T', 1e12], ['G', 1e9], ['M', 1e6], ['k', 1e3]];

export function cpuQuantity(millis: number): string {
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

export function memoryQuantity(bytes: number): string {
  for (const [unit, size] of BINARY) if (bytes % size === 0) return `${bytes / size}${unit}`;
  for (const [unit, size] of DECIMAL) if (bytes % size === 0) return `${bytes / size}${unit}`;
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
