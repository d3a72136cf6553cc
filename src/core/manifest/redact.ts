// A compiled stack with its secret values (ServiceSpec.secretEnv) replaced by "(secret)", for
// what prints a spec where others read it: `tutti config validate --json` in a CI log.

import type { StackSpec } from '../spec.js';

export const REDACTED = '(secret)';

export function redactSecrets<T extends Pick<StackSpec, 'services'>>(stack: T): T {
  const services = Object.fromEntries(Object.entries(stack.services).map(([name, spec]) => {
    if (!spec.secretEnv?.length) return [name, spec];
    const env = { ...spec.env };
    for (const key of spec.secretEnv) if (Object.hasOwn(env, key)) env[key] = REDACTED;
    return [name, { ...spec, env }];
  }));
  return { ...stack, services };
}
