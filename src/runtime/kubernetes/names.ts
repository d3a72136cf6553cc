// What tutti calls things in a cluster: the labels it selects its objects by, its annotations,
// and the object names a service maps to. Kubernetes names are stricter than tutti's service
// names (no `_`, at most 63 characters, no trailing `-`), so a name is mapped (`_` → `-`) and
// refused, with the reason, when it cannot be.

import { TuttiError } from '../../core/index.js';

export const FIELD_MANAGER = 'tutti';
/** the manager of `restart`'s annotation, so an apply by `tutti` neither owns nor drops it */
export const RESTART_FIELD_MANAGER = 'tutti-restart';

export const LABEL_NAME = 'app.kubernetes.io/name';
export const LABEL_PART_OF = 'app.kubernetes.io/part-of';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'tutti';
export const MANAGED_SELECTOR = `${LABEL_MANAGED_BY}=${MANAGED_BY}`;

/** the revision of the deployment a pod template was rendered from (pods carry it) */
export const ANNOTATION_REVISION = 'tutti.dev/revision';
/** hash of the object as tutti rendered it: equal hashes mean tutti has nothing new to say */
export const ANNOTATION_APPLIED = 'tutti.dev/applied';
/** hash of the Secret's values, in the pod template, so a changed secret rolls the pods */
export const ANNOTATION_ENV_HASH = 'tutti.dev/env-hash';
export const ANNOTATION_RESTARTED_AT = 'tutti.dev/restarted-at';

/** the container port of a service whose `port` is 0 (every pod has an address of its own) */
export const DEFAULT_CONTAINER_PORT = 8080;

const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** The Deployment and Service name of a service: its name with `_` turned into `-`. */
export function objectName(service: string): string {
  const name = service.replace(/_/g, '-');
  if (name.length > 63 || !DNS_LABEL.test(name)) {
    throw new TuttiError('TUTTI_E_MANIFEST_INVALID', `service "${service}" cannot be named "${name}" in Kubernetes: a Service name is at most 63 lowercase letters, digits and "-", starting with a letter and not ending with "-"`, {
      hint: `rename services.${service} in the manifest`,
    });
  }
  return name;
}

export function secretName(service: string): string {
  return `${objectName(service)}-env`;
}

/** Refuses a stack or service name that cannot be a label value. */
export function checkLabelValue(what: string, value: string): void {
  if (value.length > 63 || !LABEL_VALUE.test(value)) {
    throw new TuttiError('TUTTI_E_MANIFEST_INVALID', `${what} "${value}" cannot be a Kubernetes label value (at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit)`, {
      hint: `shorten or rename it in the manifest`,
    });
  }
}

export function labelsOf(stack: string, service: string): Record<string, string> {
  return { [LABEL_NAME]: service, [LABEL_PART_OF]: stack, [LABEL_MANAGED_BY]: MANAGED_BY };
}

/** Selects a stack's objects (and one service's, when given). */
export function selectorOf(stack: string, service?: string): string {
  const parts = [MANAGED_SELECTOR, `${LABEL_PART_OF}=${stack}`];
  if (service !== undefined) parts.push(`${LABEL_NAME}=${service}`);
  return parts.join(',');
}

/** Two services whose names map to one Kubernetes name (`a_b` and `a-b`) cannot both deploy. */
export function checkDistinctNames(services: string[]): void {
  const seen = new Map<string, string>();
  for (const service of services) {
    const name = objectName(service);
    const other = seen.get(name);
    if (other !== undefined) {
      throw new TuttiError('TUTTI_E_MANIFEST_INVALID', `services "${other}" and "${service}" would both be named "${name}" in Kubernetes`, {
        hint: `rename one of them in the manifest`,
      });
    }
    seen.set(name, service);
  }
}
