// The kubernetes driver: each service is a Deployment and a Service (and a Secret for its
// secret values), applied with server-side apply as field manager `tutti` and labelled as
// tutti's and the stack's; the cluster rolls pods out itself, and the driver follows the
// rollout (rollout-wait.ts), rolls a failed one back to the previous pod template so the
// pods that served keep serving, and reports why it failed with the failing pod's last log
// lines. A service that runs to completion (restart: never / on-failure) is a Job instead
// (run-job.ts): replaced when it changes, run again by `restart`; an account that may not
// list Jobs (a Role from before them) runs without them, and only such services fail. Pods are the instances
// (from a watch), logs come from the pods log API, and `prune` deletes what tutti manages in
// the stack but the manifest no longer names.

import type { Logger } from 'pino';
import type { V1Deployment, V1Job, V1Service } from '@kubernetes/client-node';
import { TuttiError } from '../../core/index.js';
import type { Deployment, LogQuery, Progress, Runtime } from '../contract.js';
import { AsyncQueue } from '../async-queue.js';
import { KeyedQueue } from '../keyed-queue.js';
import { applyService, dropProbes } from './apply-service.js';
import { ClusterCache } from './cluster-cache.js';
import { InstanceTracker } from './instance-tracker.js';
import { KubeApi, type ObjectKind, type RequestCounts } from './kube-api.js';
import { loadClusterTarget, type ClusterTargetOptions } from './kube-config.js';
import {
  ANNOTATION_APPLIED, ANNOTATION_RESTARTED_AT, ANNOTATION_REVISION, LABEL_MANAGED_BY, LABEL_NAME, LABEL_PART_OF, MANAGED_BY, RESTART_FIELD_MANAGER,
  checkLabelValue, objectName, secretName, selectorOf,
} from './names.js';
import { podLastLines, podLogs } from './pod-logs.js';
import { PodStatsReader } from './pod-metrics.js';
import { serviceOfPod } from './pod-instance.js';
import { isJobService, renderJob } from './render-job.js';
import { containerPort, dependencyUrl, renderService, type DependencyEndpoint, type KubernetesServiceSpec } from './render-service.js';
import { applyJobService, rerunJobService, type JobRunContext } from './run-job.js';
import { rolloutVerdict, templateKey } from './rollout-status.js';
import { waitForRollout, type RolloutOutcome } from './rollout-wait.js';

export interface KubernetesRuntimeOptions extends ClusterTargetOptions {
  /** the stack's name (the part-of label) when a deployment's env has no TUTTI_STACK */
  stack?: string;
  /** take back fields someone else changed (server-side apply's force); default false: report a conflict */
  forceConflicts?: boolean;
  /** put a failed rollout's previous pod template back (default true) */
  rollback?: boolean;
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
}

export interface KubernetesRuntime extends Runtime {
  readonly namespace: string;
  /** the kubeconfig context in use (the current one when none was asked for) */
  readonly context: string;
  /** API requests made so far, by kind */
  requests(): RequestCounts;
  /** Deletes the stack's objects whose service is not in `keep`; returns `Kind/name` of each. */
  prune(stack: string, keep: string[]): Promise<string[]>;
}

const FAILURE_LOG_LINES = 20;
const REMOVE_MARGIN_MS = 15_000;

export async function createKubernetesRuntime(opts: KubernetesRuntimeOptions = {}): Promise<KubernetesRuntime> {
  const target = await loadClusterTarget(opts);
  const api = await KubeApi.connect(target);
  const logger = opts.logger;
  let cache: ClusterCache;
  try {
    cache = await ClusterCache.start(
      api,
      (kind, err) => logger?.warn({ err, kind }, 'kubernetes watch broke; restarting it'),
      (err) => logger?.warn({ err: err.cause }, `${err.message} (${err.hint})`),
    );
  } catch (err) {
    await api.close();
    throw err;
  }
  const podMetrics = new PodStatsReader(api, `${LABEL_MANAGED_BY}=${MANAGED_BY}`,
    (err) => logger?.warn({ err }, 'cannot read pod metrics (metrics.k8s.io); CPU and memory of pods are not shown'));
  const tracker = new InstanceTracker(cache, (err) => logger?.error({ err }, 'runtime listener failed'));
  const queue = new KeyedQueue();
  const lifetime = new AbortController();
  const knownSpecs = new Map<string, KubernetesServiceSpec>();
  /** the Job each run-to-completion service was last rendered as here (what `restart` runs again) */
  const knownJobs = new Map<string, V1Job>();
  let detached = false;

  const operate = (service: string, work: (push: (p: Progress) => void, signal: AbortSignal) => Promise<void>, signal: AbortSignal): AsyncIterable<Progress> => {
    const out = new AsyncQueue<Progress>();
    if (detached) {
      out.push({ service, phase: 'failed', message: 'the kubernetes runtime has been detached' });
      out.end();
      return out;
    }
    void queue
      .run(service, () => work((p) => out.push(p), AbortSignal.any([signal, lifetime.signal])))
      .catch((err: unknown) => {
        if (!(err instanceof TuttiError)) logger?.error({ err, service }, 'kubernetes operation failed');
        const e = err as TuttiError;
        out.push({ service, phase: 'failed', message: e.hint ? `${e.message} (${e.hint})` : e.message });
      })
      .finally(() => out.end());
    return out;
  };

  const stackOf = (d: Deployment): string => {
    const stack = d.env.TUTTI_STACK ?? opts.stack;
    if (!stack) throw new TuttiError('TUTTI_E_INTERNAL', `no stack name for service ${d.spec.name}`, { hint: 'the orchestrator passes TUTTI_STACK' });
    checkLabelValue('the stack name', stack);
    return stack;
  };

  /** Where a dependency's Service listens: from its spec when applied here, else from the cluster. */
  const endpointOf = (dep: string): DependencyEndpoint | undefined => {
    const spec = knownSpecs.get(dep);
    if (spec) return { port: containerPort(spec), protocol: spec.protocol ?? 'http' };
    const svc = cache.get('Service', objectName(dep)) as V1Service | undefined;
    const port = svc?.spec?.ports?.[0];
    return port ? { port: port.port, protocol: port.name === 'tcp' ? 'tcp' : 'http' } : undefined;
  };

  const podNames = (service: string): Set<string> => new Set(cache.list('Pod').filter((p) => serviceOfPod(p) === service).map((p) => p.metadata!.name!));

  const follow = (service: string, deployment: string, timeoutMs: number, signal: AbortSignal, push: (p: Progress) => void, before?: Set<string>): Promise<RolloutOutcome> =>
    waitForRollout({ cache, service, deployment, timeoutMs, signal, push, before, events: () => api.events() });

  /** Waits until no pod of the service is terminating (bounded by the grace period), as `ps` would show it. */
  const stopped = (service: string, d: V1Deployment | undefined, signal: AbortSignal): Promise<void> => {
    const graceMs = (d?.spec?.template.spec?.terminationGracePeriodSeconds ?? 30) * 1000;
    const stopping = () => cache.list('Pod').some((p) => serviceOfPod(p) === service && p.metadata?.deletionTimestamp);
    return waitUntil(() => !stopping(), cache, graceMs + REMOVE_MARGIN_MS, signal);
  };

  const jobContext = (stack: string, service: string, push: (p: Progress) => void, signal: AbortSignal, timeoutMs: number): JobRunContext => ({
    api, cache, stack, service, force: opts.forceConflicts, push, signal, timeoutMs, stopMarginMs: REMOVE_MARGIN_MS,
    lastLines: (pod) => failureLogs(pod),
  });

  /** Whether the object is tutti's, of that service. */
  const ownedFor = (object: V1Job, service: string): boolean =>
    object.metadata?.labels?.[LABEL_MANAGED_BY] === MANAGED_BY && object.metadata?.labels?.[LABEL_NAME] === service && Boolean(object.metadata?.labels?.[LABEL_PART_OF]);

  const failureLogs = async (pod: string | undefined): Promise<string[]> =>
    pod ? podLastLines(api, cache, pod, FAILURE_LOG_LINES).catch(() => []) : [];

  /** Puts the previous pod template back after a failed rollout, and waits (briefly) for it. */
  const rollBack = async (service: string, previous: V1Deployment, failed: V1Deployment, timeoutMs: number): Promise<boolean> => {
    const body: V1Deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: failed.metadata!.name,
        namespace: failed.metadata!.namespace,
        labels: failed.metadata!.labels,
        annotations: {
          ...Object.fromEntries(Object.entries(failed.metadata?.annotations ?? {}).filter(([k]) => k.startsWith('tutti.dev/'))),
          [ANNOTATION_REVISION]: previous.metadata?.annotations?.[ANNOTATION_REVISION] ?? '',
          [ANNOTATION_APPLIED]: previous.metadata?.annotations?.[ANNOTATION_APPLIED] ?? '',
        },
      },
      spec: { ...failed.spec!, template: structuredClone(previous.spec!.template) },
    };
    await dropProbes(api, failed, body);
    const stored = await api.apply(body, { force: true });
    cache.remember('Deployment', stored);
    const outcome = await follow(service, failed.metadata!.name!, timeoutMs, lifetime.signal, () => {});
    if (!outcome.ok) return false;
    // and the failed pods are gone, so what remains is what served before
    await stopped(service, failed, lifetime.signal);
    return true;
  };

  const runtime: KubernetesRuntime = {
    name: 'kubernetes',
    namespace: target.namespace,
    context: target.context,

    apply(deployment, signal) {
      const spec = deployment.spec as KubernetesServiceSpec;
      const service = spec.name;
      return operate(service, async (push, sig) => {
        if (!spec.image) {
          throw new TuttiError('TUTTI_E_MANIFEST_INVALID', `service ${service} has no image, which the kubernetes runtime needs (a command alone runs only as a local process)`, {
            hint: `add an \`image:\` to services.${service}`,
          });
        }
        const stack = stackOf(deployment);
        checkLabelValue('the service name', service);
        knownSpecs.set(service, spec);
        const dependencies = Object.fromEntries(Object.keys(spec.dependsOn).flatMap((dep) => {
          const e = endpointOf(dep);
          return e ? [[dep, e]] : [];
        }));
        const input = { spec, stack, namespace: target.namespace, replicas: deployment.replicas, env: deployment.env, dependencies };
        if (isJobService(spec)) {
          await cache.ensureJobs();
          const objects = renderJob(input);
          knownJobs.set(service, objects.job);
          return applyJobService(jobContext(stack, service, push, sig, spec.readyTimeoutMs), objects);
        }
        knownJobs.delete(service);
        const objects = renderService(input);
        const name = objects.deployment.metadata!.name!;
        const before = podNames(service);
        const result = await applyService({ api, cache, stack, service, force: opts.forceConflicts }, objects);
        const pods = cache.list('Pod').filter((p) => serviceOfPod(p) === service);
        if (result.written.length === 0 && rolloutVerdict(result.deployment, pods).state === 'done') {
          push({ service, phase: 'unchanged' });
          push({ service, phase: 'done' });
          return;
        }
        const outcome = await follow(service, name, spec.readyTimeoutMs, sig, push, before);
        if (outcome.ok) {
          await stopped(service, result.deployment, sig);
          if (result.written.length === 0) push({ service, phase: 'unchanged' });
          push({ service, phase: 'done' });
          return;
        }
        const logs = await failureLogs(outcome.pod);
        let message = outcome.message;
        const previous = result.previous;
        const failed = cache.get('Deployment', name);
        if (opts.rollback !== false && previous && failed && !sig.aborted
          && templateKey(previous.spec?.template.metadata?.annotations) !== templateKey(failed.spec?.template.metadata?.annotations)) {
          const back = await rollBack(service, previous, failed, spec.readyTimeoutMs).catch((err: unknown) => {
            logger?.warn({ err, service }, 'rollback failed');
            return false;
          });
          message += back ? '; rolled back to the previous revision, which is serving' : '; rolling back to the previous revision did not complete either';
        }
        push({ service, phase: 'failed', message, ...(outcome.pod && { instance: outcome.pod }), logs });
      }, signal);
    },

    restart(service, signal) {
      return operate(service, async (push, sig) => {
        const name = objectName(service);
        // a service that is a Job, on a runtime whose Role cannot see Jobs: say so rather than "unchanged"
        const spec = knownSpecs.get(service);
        if (spec && isJobService(spec) && !cache.watchesJobs()) await cache.ensureJobs();
        const job = cache.get('Job', name);
        if (job && ownedFor(job, service)) {
          // a Job cannot be rolled: run it again
          const stack = job.metadata!.labels![LABEL_PART_OF];
          return rerunJobService(jobContext(stack, service, push, sig, knownSpecs.get(service)?.readyTimeoutMs ?? 60_000), job, knownJobs.get(service));
        }
        const live = cache.get('Deployment', name);
        if (!live) {
          push({ service, phase: 'unchanged' });
          push({ service, phase: 'done' });
          return;
        }
        // as `kubectl rollout restart`: a new annotation on the pod template, owned by a manager of its own
        const body: V1Deployment = {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name, namespace: target.namespace },
          spec: { selector: live.spec!.selector, template: { metadata: { annotations: { [ANNOTATION_RESTARTED_AT]: new Date().toISOString() } } } },
        } as V1Deployment;
        const before = podNames(service);
        const stored = await api.apply(body, { manager: RESTART_FIELD_MANAGER, force: true });
        cache.remember('Deployment', stored);
        const timeoutMs = knownSpecs.get(service)?.readyTimeoutMs ?? 60_000;
        const outcome = await follow(service, name, timeoutMs, sig, push, before);
        if (outcome.ok) {
          await stopped(service, stored, sig);
          push({ service, phase: 'done' });
        } else push({ service, phase: 'failed', message: outcome.message, ...(outcome.pod && { instance: outcome.pod }), logs: await failureLogs(outcome.pod) });
      }, signal);
    },

    async remove(service, signal) {
      await queue.run(service, async () => {
        const name = objectName(service);
        const live = cache.get('Deployment', name) ?? cache.get('Job', name);
        const graceMs = (live?.spec?.template.spec?.terminationGracePeriodSeconds ?? 30) * 1000;
        for (const [kind, objectNameOf] of [['Deployment', name], ['Job', name], ['Service', name], ['Secret', secretName(service)]] as Array<[ObjectKind, string]>) {
          const object = cache.get(kind, objectNameOf) ?? (kind === 'Secret' ? await api.get(kind, objectNameOf) : undefined);
          if (!object || object.metadata?.labels?.[LABEL_MANAGED_BY] !== MANAGED_BY || object.metadata?.labels?.[LABEL_NAME] !== service) continue;
          await api.delete(kind, objectNameOf);
          cache.forget(kind, objectNameOf);
        }
        knownSpecs.delete(service);
        knownJobs.delete(service);
        // the garbage collector deletes the pods; wait until the kubelets have stopped them
        await waitUntil(() => tracker.instances(service).length === 0, cache, graceMs + REMOVE_MARGIN_MS, AbortSignal.any([signal ?? new AbortController().signal, lifetime.signal]));
      });
    },

    instances: (service) => tracker.instances(service),
    observe: (listener) => tracker.observe(listener),
    // a followed log ends when the caller stops, or when the runtime goes away
    logs: (query: LogQuery, signal: AbortSignal) => podLogs(api, cache, query, AbortSignal.any([signal, lifetime.signal])),
    lastLines: (id, n) => podLastLines(api, cache, id, n),
    // the metrics API (metrics-server) is optional in a cluster; without it there is nothing to show
    stats: () => podMetrics.read(),

    requests: () => api.requests(),

    // what the other pods use: the Service's cluster DNS name (none for a Job without a Service)
    serviceUrl(service) {
      const object = cache.get('Service', objectName(service)) as V1Service | undefined;
      const port = object?.spec?.ports?.[0];
      if (!port || object?.metadata?.labels?.[LABEL_MANAGED_BY] !== MANAGED_BY) return undefined;
      return dependencyUrl(service, api.namespace, { port: port.port, protocol: port.name === 'tcp' ? 'tcp' : 'http' });
    },

    async prune(stack, keep) {
      checkLabelValue('the stack name', stack);
      const keepSet = new Set(keep);
      const deleted: string[] = [];
      for (const kind of ['Deployment', 'Job', 'Service', 'Secret'] as ObjectKind[]) {
        // an account that may not list Jobs has created none
        if (kind === 'Job' && !cache.watchesJobs()) continue;
        for (const object of await api.list(kind, selectorOf(stack))) {
          const service = object.metadata?.labels?.[LABEL_NAME];
          if (!service || keepSet.has(service)) continue;
          await api.delete(kind, object.metadata!.name!);
          cache.forget(kind, object.metadata!.name!);
          deleted.push(`${kind}/${object.metadata!.name}`);
        }
      }
      return deleted;
    },

    async detach() {
      if (detached) return;
      detached = true;
      lifetime.abort();
      await queue.idle();
      tracker.close();
      await cache.stop();
      await api.close();
    },
  };
  return runtime;
}

/** Resolves once check() holds (re-checked on every cache change), the deadline passes or the signal aborts. */
function waitUntil(check: () => boolean, cache: ClusterCache, timeoutMs: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (check() || signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      off();
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    const off = cache.onChange(() => {
      if (check()) done();
    });
    signal.addEventListener('abort', done, { once: true });
  });
}
