// A service's `health` as container probes. The check is the same for all three:
// - startup: gives a new container `ready_timeout` (after `start_period`) to pass once; until
//   then the other two wait, and past it the kubelet restarts the container;
// - readiness: `healthy_after` passes in a row put the pod in service, `unhealthy_after`
//   failures take it out (tutti's "unhealthy");
// - liveness: restarts a container that stays unhealthy for three times as long, so a briefly
//   overloaded instance is taken out of traffic first and only restarted when it does not recover.

import type { V1Container, V1Probe } from '@kubernetes/client-node';
import type { HealthSpec } from '../../core/index.js';

const LIVENESS_FACTOR = 3;

const seconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));

function check(health: HealthSpec, port: number): Pick<V1Probe, 'httpGet' | 'tcpSocket' | 'exec'> {
  if (health.http !== undefined) return { httpGet: { path: health.http, port } };
  if (health.exec !== undefined) return { exec: { command: [...health.exec] } };
  return { tcpSocket: { port } };
}

export function probesOf(health: HealthSpec | undefined, port: number, readyTimeoutMs: number): Pick<V1Container, 'startupProbe' | 'readinessProbe' | 'livenessProbe'> {
  if (!health) return {};
  const periodSeconds = seconds(health.intervalMs);
  const timeoutSeconds = seconds(health.timeoutMs);
  // each probe its own objects: nothing shared between them (or with a later edit of one)
  const base = () => ({ ...check(health, port), periodSeconds, timeoutSeconds });
  return {
    startupProbe: {
      ...base(),
      ...(health.startPeriodMs > 0 && { initialDelaySeconds: seconds(health.startPeriodMs) }),
      failureThreshold: Math.max(1, Math.ceil(readyTimeoutMs / (periodSeconds * 1000))),
    },
    readinessProbe: { ...base(), successThreshold: health.healthyAfter, failureThreshold: health.unhealthyAfter },
    livenessProbe: { ...base(), failureThreshold: health.unhealthyAfter * LIVENESS_FACTOR },
  };
}
