// Prometheus HTTP service discovery (`http_sd_configs`): one target group per running instance
// of every service that declares `metrics: <path>`, so a Prometheus pointed at tutti finds the
// whole stack. Pure: the groups follow from the status and the applied spec.

import type { StackSpec } from '../../core/index.js';
import type { StackStatus } from '../../orchestrator/types.js';

/** One entry of the http_sd JSON array. */
export interface TargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

/** States in which an instance serves (a failing health check may still leave its metrics up). */
const SERVING = new Set(['running', 'unhealthy']);

export function scrapeTargets(
  status: Pick<StackStatus, 'name' | 'instances'> | null,
  stack: Pick<StackSpec, 'services'> | null | undefined,
): TargetGroup[] {
  if (!status || !stack) return [];
  const out: TargetGroup[] = [];
  for (const i of status.instances) {
    const path = stack.services[i.service]?.metricsPath;
    if (!path || !SERVING.has(i.state) || !(i.port > 0)) continue;
    const host = i.address.includes(':') ? `[${i.address}]` : i.address;
    out.push({
      targets: [`${host}:${i.port}`],
      labels: {
        __metrics_path__: path,
        stack: status.name,
        service: i.service,
        instance: i.id,
        tutti_revision: i.revision,
      },
    });
  }
  return out;
}
