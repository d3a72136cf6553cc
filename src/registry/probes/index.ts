// Health probes (http, tcp, exec) behind the Prober contract of src/core/spec.ts. Runtimes get
// a Prober handed in, so they never know how a check is carried out.

import type { HealthSpec, Prober } from '../../core/index.js';
import { execProbe } from './exec-probe.js';
import { httpProbe } from './http-probe.js';
import { tcpProbe } from './tcp-probe.js';
import type { ProbeResult, ProbeTarget } from './probe-types.js';

export type { ProbeResult, ProbeTarget } from './probe-types.js';
export { httpProbe } from './http-probe.js';
export { tcpProbe } from './tcp-probe.js';
export { execProbe } from './exec-probe.js';

export function createProber(): Prober {
  return {
    probe(check: HealthSpec, target: ProbeTarget, signal: AbortSignal): Promise<ProbeResult> {
      if (check.http !== undefined) return httpProbe(check, target, signal);
      if (check.tcp) return tcpProbe(check, target, signal);
      if (check.exec) return execProbe(check, target, signal);
      return Promise.resolve({ ok: false, message: 'health check has none of http, tcp or exec' });
    },
  };
}
