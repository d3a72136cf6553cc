// Pure: one service as Kubernetes objects — a Deployment (replicas, image, command as args,
// environment, container port, probes from `health`, resources, a rolling update that adds
// one pod at a time and never takes a ready one away first), a Service (port → target port,
// protocol written out, as 1.20's server-side apply wants it) and, when the service has
// secret values, a Secret its pods read them from. Every object carries tutti's labels and
// the hash of what was rendered (`tutti.dev/applied`), which lets a re-apply skip objects
// that already say the same.

import type { V1Container, V1Deployment, V1Secret, V1Service } from '@kubernetes/client-node';
import type { ServiceSpec } from '../../core/index.js';
import {
  ANNOTATION_APPLIED, ANNOTATION_ENV_HASH, ANNOTATION_REVISION, DEFAULT_CONTAINER_PORT, LABEL_NAME, LABEL_PART_OF,
  labelsOf, objectName, secretName,
} from './names.js';
import { hashOf } from './object-hash.js';
import { splitEnv, urlVariable } from './render-env.js';
import { probesOf } from './render-probes.js';
import { resourcesOf } from './render-resources.js';

export type KubernetesServiceSpec = ServiceSpec;

export interface DependencyEndpoint {
  port: number;
  protocol: 'http' | 'tcp';
}

export interface ServiceRenderInput {
  spec: KubernetesServiceSpec;
  stack: string;
  namespace: string;
  replicas: number;
  /** added by the control plane (TUTTI_STACK, …); the dependencies' `<DEP>_URL` are replaced */
  env?: Record<string, string>;
  /** the Service port and protocol of each dependency (default: the default port, http) */
  dependencies?: Record<string, DependencyEndpoint>;
}

export interface ServiceObjects {
  deployment: V1Deployment;
  service: V1Service;
  secret?: V1Secret;
}

/** The port a service's pods listen on (PORT) and its Service forwards. */
export function containerPort(spec: Pick<ServiceSpec, 'port'>): number {
  return spec.port === 0 ? DEFAULT_CONTAINER_PORT : spec.port;
}

/** `http://inventory.shop.svc:8080`: the dependency's Service, by its cluster DNS name. */
export function dependencyUrl(dep: string, namespace: string, endpoint: DependencyEndpoint | undefined): string {
  const scheme = endpoint?.protocol === 'tcp' ? 'tcp' : 'http';
  return `${scheme}://${objectName(dep)}.${namespace}.svc:${endpoint?.port ?? DEFAULT_CONTAINER_PORT}`;
}

/** What a service's Deployment and Job share: the container, the pod template's labels and annotations, the Secret. */
export interface PodParts {
  name: string;
  labels: Record<string, string>;
  selector: Record<string, string>;
  port: number;
  protocol: 'http' | 'tcp';
  container: V1Container;
  templateAnnotations: Record<string, string>;
  secret?: V1Secret;
}

export function renderPodParts(input: ServiceRenderInput): PodParts {
  const { spec, stack, namespace } = input;
  if (!spec.image) {
    throw new Error(`service ${spec.name} has no image`); // callers check first, with the manifest's words
  }
  const name = objectName(spec.name);
  const labels = labelsOf(stack, spec.name);
  const selector = { [LABEL_NAME]: spec.name, [LABEL_PART_OF]: stack };
  const port = containerPort(spec);
  const protocol = spec.protocol ?? 'http';

  const vars: Record<string, string> = { ...spec.env, ...input.env };
  for (const dep of Object.keys(spec.dependsOn)) vars[urlVariable(dep)] = dependencyUrl(dep, namespace, input.dependencies?.[dep]);
  vars.PORT = String(port);
  vars.TUTTI_SERVICE = spec.name;
  delete vars.TUTTI_INSTANCE; // the pod's own name, below
  const { env, secret } = splitEnv(spec.name, vars, new Set(['TUTTI_TOKEN', ...(spec.secretEnv ?? [])]));
  env.push({ name: 'TUTTI_INSTANCE', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
  const hasSecret = Object.keys(secret).length > 0;

  const container: V1Container = {
    name,
    image: spec.image,
    ...(spec.command.length > 0 && { args: [...spec.command] }),
    ports: [{ name: protocol, containerPort: port, protocol: 'TCP' }],
    env,
    ...probesOf(spec.health, port, spec.readyTimeoutMs),
    ...(spec.resources && { resources: resourcesOf(spec.resources) }),
  };
  const templateAnnotations: Record<string, string> = { [ANNOTATION_REVISION]: spec.revision };
  if (hasSecret) templateAnnotations[ANNOTATION_ENV_HASH] = hashOf(secret);

  const parts: PodParts = { name, labels, selector, port, protocol, container, templateAnnotations };
  if (hasSecret) {
    const data = Object.fromEntries(Object.entries(secret).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')]));
    parts.secret = stamp<V1Secret>({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: secretName(spec.name), namespace, labels: { ...labels } },
      type: 'Opaque',
      data,
    });
  }
  return parts;
}

export function renderService(input: ServiceRenderInput): ServiceObjects {
  const { spec, namespace } = input;
  const parts = renderPodParts(input);
  const { name, labels, selector, container, templateAnnotations, secret } = parts;

  const deployment = stamp<V1Deployment>({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels, annotations: { [ANNOTATION_REVISION]: spec.revision } },
    spec: {
      replicas: Math.max(0, Math.floor(input.replicas)),
      selector: { matchLabels: selector },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      // a rollout that makes no progress for the service's ready_timeout has failed
      progressDeadlineSeconds: Math.max(10, Math.ceil(spec.readyTimeoutMs / 1000)),
      template: {
        metadata: { labels: { ...labels }, annotations: templateAnnotations },
        spec: {
          terminationGracePeriodSeconds: Math.ceil(spec.stopGraceMs / 1000),
          containers: [container],
        },
      },
    },
  });

  const service = renderServiceObject(input, parts);

  return { deployment, service, ...(secret && { secret }) };
}

/** The Service in front of the pods: port → target port, the protocol written out. */
export function renderServiceObject(input: ServiceRenderInput, parts: PodParts): V1Service {
  const { name, labels, selector, port, protocol } = parts;
  return stamp<V1Service>({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: input.namespace, labels: { ...labels } },
    spec: {
      selector: { ...selector },
      ports: [{ name: protocol, port, targetPort: port, protocol: 'TCP' }],
    },
  });
}

/** Adds the hash of the object as rendered, as its `tutti.dev/applied` annotation. */
export function stamp<T extends { metadata?: { annotations?: Record<string, string> } }>(object: T): T {
  const hash = hashOf(object);
  object.metadata = { ...object.metadata, annotations: { ...object.metadata?.annotations, [ANNOTATION_APPLIED]: hash } };
  return object;
}
