// Pure: a whole stack as the Kubernetes objects tutti would apply, in dependency order (each
// service's Secret, Service, Deployment; or Secret, Service if it serves, and Job for a
// service that runs to completion). `tutti render kubernetes` prints these; the driver
// applies the same objects one service at a time. A stack that cannot run on Kubernetes (a
// service without an image, names Kubernetes does not allow) is refused with every reason.

import type { KubernetesObject } from '@kubernetes/client-node';
import { TuttiError, type StackSpec } from '../../core/index.js';
import { checkDistinctNames, checkLabelValue, objectName } from './names.js';
import { isJobService, renderJob } from './render-job.js';
import { containerPort, renderService, type DependencyEndpoint, type KubernetesServiceSpec } from './render-service.js';

export interface StackRenderOptions {
  namespace: string;
}

const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function checkNamespace(namespace: string): void {
  if (namespace.length > 63 || !NAMESPACE.test(namespace)) {
    throw new TuttiError('TUTTI_E_BAD_REQUEST', `"${namespace}" is not a Kubernetes namespace name (at most 63 lowercase letters, digits and "-")`, {
      hint: 'pass another --namespace',
    });
  }
}

/** Refuses, naming each one, the services a cluster cannot run. */
export function checkRunnable(stack: StackSpec): void {
  const missing = stack.order.filter((name) => !stack.services[name].image);
  if (missing.length > 0) {
    const list = missing.map((n) => `"${n}"`).join(', ');
    throw new TuttiError('TUTTI_E_MANIFEST_INVALID', `service${missing.length > 1 ? 's' : ''} ${list} ${missing.length > 1 ? 'have' : 'has'} no image, which the kubernetes runtime needs (a command alone runs only as a local process)`, {
      hint: `add an \`image:\` to ${missing.map((n) => `services.${n}`).join(', ')} in ${stack.file}`,
      details: { services: missing },
    });
  }
  checkLabelValue('the stack name', stack.name);
  for (const name of stack.order) {
    objectName(name);
    checkLabelValue('the service name', name);
  }
  checkDistinctNames(stack.order);
}

export function dependencyEndpoints(stack: StackSpec): Record<string, DependencyEndpoint> {
  return Object.fromEntries(stack.order.map((name) => {
    const spec = stack.services[name];
    return [name, { port: containerPort(spec), protocol: spec.protocol ?? 'http' }];
  }));
}

export function renderStack(stack: StackSpec, opts: StackRenderOptions): KubernetesObject[] {
  checkNamespace(opts.namespace);
  checkRunnable(stack);
  const dependencies = dependencyEndpoints(stack);
  const objects: KubernetesObject[] = [];
  for (const name of stack.order) {
    const spec = stack.services[name] as KubernetesServiceSpec;
    const input = {
      spec,
      stack: stack.name,
      namespace: opts.namespace,
      replicas: spec.replicas,
      env: { TUTTI_STACK: stack.name },
      dependencies,
    };
    if (isJobService(spec)) {
      const rendered = renderJob(input);
      if (rendered.secret) objects.push(rendered.secret);
      if (rendered.service) objects.push(rendered.service);
      objects.push(rendered.job);
      continue;
    }
    const rendered = renderService(input);
    if (rendered.secret) objects.push(rendered.secret);
    objects.push(rendered.service, rendered.deployment);
  }
  return objects;
}
