// Pure: a service that runs to completion as a batch/v1 Job instead of a Deployment, which
// could only restart its pods always. Which services those are: `restart: never`, and
// `restart: on-failure` without a health check (a migration, a seed, a report). A service
// with `on-failure` and a `health` check is a server (compose users write `on-failure` for
// those too): it stays a Deployment, where Kubernetes restarts even a clean exit.
// `replicas` pods run in parallel and each must succeed once (parallelism = completions);
// `never` gives up at the first failure (backoffLimit 0), `on-failure` restarts the container
// in its pod with the kubelet's own back-off, up to JOB_RETRIES_ON_FAILURE times. The pod
// template is the Deployment's (same labels, environment and Secret, resources, revision
// annotation), with only the readiness probe: it says when a run has started, and nothing
// should kill a one-shot run for failing a check. A Job has no Service (dependents of a
// migration wait for it to complete), unless the service declares `health` (only possible
// with `restart: never` here): then it serves on its port while it runs, and its dependents
// reach it through a Service as for a Deployment. Like every object, it carries `tutti.dev/applied`.

import type { V1Job, V1Secret, V1Service } from '@kubernetes/client-node';
import type { ServiceSpec } from '../../core/index.js';
import { ANNOTATION_REVISION } from './names.js';
import { renderPodParts, renderServiceObject, stamp, type ServiceRenderInput } from './render-service.js';

/**
 * Retries of an `on-failure` Job before it fails (backoffLimit). The process runtime retries
 * without end, on the service's `backoff`; a Job needs a limit, and its pods restart on the
 * kubelet's fixed back-off (10s, doubling, at most 5 minutes), which `backoff` cannot set.
 * Six is Kubernetes' own default: about ten minutes of retries.
 */
export const JOB_RETRIES_ON_FAILURE = 6;

export interface JobObjects {
  job: V1Job;
  /** only for a service with `health`, which serves while it runs */
  service?: V1Service;
  secret?: V1Secret;
}

/** Whether a service runs to completion, and so becomes a Job on this runtime. */
export function isJobService(spec: Pick<ServiceSpec, 'restart' | 'health'>): boolean {
  return spec.restart === 'never' || (spec.restart === 'on-failure' && spec.health === undefined);
}

export function renderJob(input: ServiceRenderInput): JobObjects {
  const { spec, namespace } = input;
  const parts = renderPodParts(input);
  const { name, labels, container, templateAnnotations, secret } = parts;
  const { startupProbe: _s, livenessProbe: _l, ...runOnce } = container;
  const replicas = Math.max(0, Math.floor(input.replicas));
  const job = stamp<V1Job>({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace, labels, annotations: { [ANNOTATION_REVISION]: spec.revision } },
    spec: {
      // replicas 0 (`tutti stop`, `scale 0`): a Job that runs no pod, and is not complete either
      parallelism: replicas,
      completions: Math.max(1, replicas),
      backoffLimit: spec.restart === 'never' ? 0 : JOB_RETRIES_ON_FAILURE,
      template: {
        metadata: { labels: { ...labels }, annotations: templateAnnotations },
        spec: {
          restartPolicy: spec.restart === 'never' ? 'Never' : 'OnFailure',
          terminationGracePeriodSeconds: Math.ceil(spec.stopGraceMs / 1000),
          containers: [runOnce],
        },
      },
    },
  });
  return { job, ...(spec.health && { service: renderServiceObject(input, parts) }), ...(secret && { secret }) };
}
