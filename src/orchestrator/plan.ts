// Pure planning: what an apply changes (added, changed, unchanged, removed services), the
// environment a service's instances receive from its dependencies, and the revision the
// runtime sees (the service's own revision plus that environment, so a dependency whose URL
// changes rolls its dependents).

import { createHash } from 'node:crypto';
import type { ServiceSpec, StackSpec } from '../core/index.js';

export interface ApplyPlan {
  added: string[];
  changed: string[];
  unchanged: string[];
  removed: string[];
}

export function planApply(previous: StackSpec | undefined, next: StackSpec): ApplyPlan {
  const plan: ApplyPlan = { added: [], changed: [], unchanged: [], removed: [] };
  for (const name of next.order) {
    const old = previous?.services[name];
    if (!old) plan.added.push(name);
    else if (serviceChanged(old, next.services[name])) plan.changed.push(name);
    else plan.unchanged.push(name);
  }
  if (previous) {
    // removed services go in reverse dependency order: dependents first
    for (const name of [...previous.order].reverse()) if (!next.services[name]) plan.removed.push(name);
  }
  return plan;
}

/** Anything that changes the instances (revision) or how many there are. */
function serviceChanged(a: ServiceSpec, b: ServiceSpec): boolean {
  return a.revision !== b.revision || a.replicas !== b.replicas;
}

/** `inventory` -> `INVENTORY_URL`, `user-db` -> `USER_DB_URL`. */
export function urlVariable(service: string): string {
  return `${service.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_URL`;
}

export function dependencyEnv(
  spec: ServiceSpec,
  stack: string,
  endpointUrl: (service: string) => string | undefined,
): Record<string, string> {
  const env: Record<string, string> = { TUTTI_STACK: stack };
  for (const dep of Object.keys(spec.dependsOn)) {
    const url = endpointUrl(dep);
    if (url) env[urlVariable(dep)] = url;
  }
  return env;
}

/** The revision a runtime sees: the spec's own, combined with the injected environment. */
export function deploymentRevision(spec: ServiceSpec, env: Record<string, string>): string {
  const keys = Object.keys(env).sort();
  const canonical = JSON.stringify([spec.revision, keys.map((k) => [k, env[k]])]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 12);
}

/** Services in reverse dependency order, grouped in waves that may stop in parallel. */
export function reverseWaves(stack: StackSpec, names: string[]): string[][] {
  const pending = new Set(names);
  const waves: string[][] = [];
  while (pending.size > 0) {
    // a service may stop once no pending service depends on it
    const wave = [...pending].filter((n) =>
      ![...pending].some((other) => other !== n && n in (stack.services[other]?.dependsOn ?? {})),
    );
    const step = wave.length > 0 ? wave : [...pending]; // a cycle cannot pass validation; never spin
    for (const n of step) pending.delete(n);
    waves.push(step);
  }
  return waves;
}
