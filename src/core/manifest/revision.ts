// A service's revision: a short hash of everything that needs new instances when it changes
// (what runs, where, with which environment, port, health check, stop signal and resources). Scaling,
// importance, timeouts, restart policy, backoff, logs and dependencies are applied to running
// instances, and protocol, selection and metrics to the service's endpoint and registry
// entries, so they are left out and changing them does not replace anything.

import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json.js';
import type { ServiceSpec } from '../spec.js';

export { canonicalJson };


export type RevisionInput = Pick<ServiceSpec, 'command' | 'image' | 'cwd' | 'env' | 'port' | 'health' | 'stopSignal' | 'resources'>;

export function serviceRevision(spec: RevisionInput): string {
  const { command, image, cwd, env, port, health, stopSignal, resources } = spec;
  // resources absent: left out, so the revisions of services without them stay what they were
  const text = canonicalJson({ command, image, cwd, env, port, health, stopSignal, resources });
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}
