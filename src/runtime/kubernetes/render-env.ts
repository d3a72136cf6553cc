// A pod's environment, as the process runtime builds it (the service's env, then what the
// control plane adds, then PORT and tutti's identity variables), split in two: values that
// must not sit in the pod spec go to the service's Secret, the rest into the container's env.
// A secret value is one the manifest took from an env_file or marked secret (spec.secretEnv),
// the control plane's token, or one whose name says it is a secret (…_TOKEN, …_PASSWORD, …).

import type { V1EnvVar } from '@kubernetes/client-node';
import { secretName } from './names.js';

const SECRET_NAME = /(^|_)(TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|API_KEY|PRIVATE_KEY|ACCESS_KEY|CREDENTIALS?)$/;

export function looksSecret(name: string): boolean {
  return SECRET_NAME.test(name);
}

export interface PodEnv {
  env: V1EnvVar[];
  /** the Secret's values (empty: no Secret) */
  secret: Record<string, string>;
}

export function splitEnv(service: string, vars: Record<string, string>, secretKeys: ReadonlySet<string>): PodEnv {
  const env: V1EnvVar[] = [];
  const secret: Record<string, string> = {};
  for (const name of Object.keys(vars).sort()) {
    const value = vars[name];
    if (secretKeys.has(name) || looksSecret(name)) {
      secret[name] = value;
      env.push({ name, valueFrom: { secretKeyRef: { name: secretName(service), key: name } } });
    } else {
      env.push({ name, value });
    }
  }
  return { env, secret };
}

/** `orders` → `ORDERS_URL`, `user-db` → `USER_DB_URL` (as the orchestrator names them). */
export function urlVariable(service: string): string {
  return `${service.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_URL`;
}
