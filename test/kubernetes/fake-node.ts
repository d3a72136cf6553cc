// The test harness plays the node: the API server under test (a real kube-apiserver 1.20)
// runs no scheduler, no kubelet and no deployment controller, so nothing would ever run a
// pod. FakeNode stands in for them, through the same API a real cluster's components use:
// - as the deployment controller: creates pods for each Deployment's template (one surge pod
//   at a time, old pods stopped as new ones get ready, as maxSurge/maxUnavailable say) and
//   writes the Deployment's status through the status subresource;
// - as the job controller: through FakeJobController (fake-job-controller.ts), which creates
//   each Job's pods and writes the Job's status and its Complete or Failed condition;
// - as the kubelet: binds those pods to a Node object of its own, writes their status
//   (running and ready, or waiting with a reason, restarts and last exit) as a script decides,
//   writes the Warning events a kubelet would, finalises deleted pods, and serves their logs
//   over HTTPS, where the API server's pods/log endpoint fetches them, as from a kubelet; a
//   container whose script says `exit` stops with that code after a while: its pod Succeeded
//   or Failed (restartPolicy Never), or restarted in place with CrashLoopBackOff (OnFailure).
// Tests say what a pod does with `behaviour(pod, env)`.

import { createHash, randomBytes } from 'node:crypto';
import type { AppsV1Api, CoreV1Api, KubeConfig, KubernetesObject, ListWatch, V1Deployment, V1Job, V1Pod } from '@kubernetes/client-node';
import { clientNode } from '../../src/runtime/kubernetes/client-node.js';
import { waitFor } from '../fixtures/wait.js';
import { FakeJobController } from './fake-job-controller.js';
import { KubeletLogs } from './kubelet-logs.js';

export interface PodScript {
  /** the container runs and becomes ready (default), or runs without ever being ready */
  ready?: boolean;
  /** instead of running, the container waits with this reason (ImagePullBackOff, CrashLoopBackOff, …) */
  waiting?: { reason: string; message?: string };
  restarts?: number;
  lastExit?: { exitCode: number; reason?: string };
  /** Warning events about the pod, as the kubelet writes them (Unhealthy, BackOff, Failed, …) */
  events?: Array<{ reason: string; message: string }>;
  /** what the container wrote */
  logs?: string[];
  /** more lines every tickMs, `tick <n>` (a follow test's live output) */
  tickMs?: number;
  /** the container exits with this code afterMs (default 50) after it started (a Job's run) */
  exit?: { code: number; afterMs?: number };
}

export type Behaviour = (pod: V1Pod, env: Record<string, string>) => PodScript;

const READY_ALL: Behaviour = () => ({});

export interface FakeNodeOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  behaviour?: Behaviour;
}

export class FakeNode {
  behaviour: Behaviour;
  /** replaces the status the controller computed for a Deployment (e.g. a progress deadline) */
  statusOverride: ((d: V1Deployment, computed: NonNullable<V1Deployment['status']>) => V1Deployment['status']) | undefined;
  readonly nodeName: string;
  private apps!: AppsV1Api;
  private core!: CoreV1Api;
  private k8s!: Awaited<ReturnType<typeof clientNode>>;
  private deployments!: ListWatch<V1Deployment>;
  private jobs!: ListWatch<V1Job>;
  private pods!: ListWatch<V1Pod>;
  private jobController!: FakeJobController;
  private readonly logs: KubeletLogs;
  private readonly handled = new Set<string>();
  private readonly queues = new Map<string, Promise<void>>();
  private readonly dirty = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** why pods of a Deployment could not be created (quota, admission), as the controller reports it */
  private readonly createFailures = new Map<string, string>();
  private ipCounter = 1;
  private stopped = false;
  /** errors of the harness itself (a test can assert there were none) */
  readonly errors: unknown[] = [];

  private constructor(private readonly opts: FakeNodeOptions) {
    this.behaviour = opts.behaviour ?? READY_ALL;
    this.nodeName = `fake-node-${opts.namespace}`;
    this.logs = new KubeletLogs(opts.namespace);
  }

  static async start(opts: FakeNodeOptions): Promise<FakeNode> {
    const node = new FakeNode(opts);
    await node.init();
    return node;
  }

  get namespace(): string {
    return this.opts.namespace;
  }

  private async init(): Promise<void> {
    const k8s = (this.k8s = await clientNode());
    const kc = this.opts.kubeConfig;
    this.apps = kc.makeApiClient(k8s.AppsV1Api);
    const batch = kc.makeApiClient(k8s.BatchV1Api);
    this.core = kc.makeApiClient(k8s.CoreV1Api);
    const port = await this.logs.listen();
    await this.core.deleteNode({ name: this.nodeName }).catch(() => {});
    await this.core.createNode({ body: { metadata: { name: this.nodeName } } });
    await this.core.patchNodeStatus(
      { name: this.nodeName, body: { status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: port } } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    // pods pass ServiceAccount admission once the namespace's default account exists
    await waitFor(async () => (await this.core.readNamespacedServiceAccount({ name: 'default', namespace: this.namespace }).catch(() => undefined)) !== undefined, {
      timeout: 30_000, interval: 100, message: `the default ServiceAccount of ${this.namespace}`,
    });
    const ns = this.namespace;
    this.deployments = new k8s.ListWatch<V1Deployment>(`/apis/apps/v1/namespaces/${ns}/deployments`, new k8s.Watch(kc), () => this.apps.listNamespacedDeployment({ namespace: ns }), false);
    this.jobs = new k8s.ListWatch<V1Job>(`/apis/batch/v1/namespaces/${ns}/jobs`, new k8s.Watch(kc), () => batch.listNamespacedJob({ namespace: ns }), false);
    this.pods = new k8s.ListWatch<V1Pod>(`/api/v1/namespaces/${ns}/pods`, new k8s.Watch(kc), () => this.core.listNamespacedPod({ namespace: ns }), false);
    this.jobController = new FakeJobController({
      namespace: ns, nodeName: this.nodeName, k8s, batch, core: this.core, jobs: this.jobs, pods: this.pods,
      serial: (key, work) => this.serial(key, work),
      deletePod: (p) => this.deletePod(p),
      stopped: () => this.stopped,
    });
    for (const verb of ['add', 'update'] as const) {
      this.deployments.on(verb, (d) => this.schedule(d.metadata!.name!));
      this.jobs.on(verb, (j) => this.jobController.schedule(j.metadata!.name!));
      this.pods.on(verb, (p) => this.onPod(p));
    }
    this.pods.on('delete', (p) => {
      this.ownerOf(p, (name) => this.schedule(name), (name) => this.jobController.schedule(name));
      this.logs.end(p.metadata!.name!);
    });
    for (const informer of [this.deployments, this.jobs, this.pods] as ListWatch<KubernetesObject>[]) {
      informer.on('error', (err) => {
        if (this.stopped) return;
        this.errors.push(err);
        this.later(() => void informer.start(), 500);
      });
    }
    await Promise.all([this.deployments.start(), this.jobs.start(), this.pods.start()]);
  }

  // ---- the deployment controller -----------------------------------------------------

  private schedule(deployment: string): void {
    if (this.stopped) return;
    this.dirty.add(deployment);
    this.serial(`deployment/${deployment}`, async () => {
      if (!this.dirty.delete(deployment)) return;
      await this.reconcile(deployment);
    });
  }

  private serial(key: string, work: () => Promise<void>): void {
    const next = (this.queues.get(key) ?? Promise.resolve()).then(work).catch((err: unknown) => {
      if (!this.stopped && !isGone(err)) this.errors.push(err);
    });
    this.queues.set(key, next);
  }

  private async reconcile(name: string): Promise<void> {
    const d = this.deployments.get(name, this.namespace);
    if (!d || d.metadata?.deletionTimestamp) return;
    const hash = templateHash(d);
    const owned = this.pods.list(this.namespace).filter((p) => p.metadata?.ownerReferences?.some((o) => o.uid === d.metadata?.uid));
    const live = owned.filter((p) => !p.metadata?.deletionTimestamp);
    const current = live.filter((p) => p.metadata?.labels?.['pod-template-hash'] === hash);
    const old = live.filter((p) => p.metadata?.labels?.['pod-template-hash'] !== hash);
    const want = d.spec?.replicas ?? 1;
    const { surge, unavailable } = rollingLimits(d, want);

    const byReadiness = (a: V1Pod, b: V1Pod) => Number(isReady(a)) - Number(isReady(b));
    if (current.length > want) {
      for (const p of [...current].sort(byReadiness).slice(0, current.length - want)) await this.deletePod(p);
    } else if (current.length < want && live.length < want + surge) {
      const n = Math.min(want - current.length, want + surge - live.length);
      try {
        for (let i = 0; i < n; i++) await this.createPod(d, hash);
        this.createFailures.delete(name);
      } catch (err) {
        // the API server refused the pod (quota, admission): the controller says so in a condition
        const status = (err as { code?: number }).code;
        if (status !== 403 && status !== 422) throw err;
        this.createFailures.set(name, bodyMessage(err));
      }
    }
    let ready = live.filter(isReady).length;
    for (const p of [...old].sort(byReadiness)) {
      if (!isReady(p)) await this.deletePod(p);
      else if (ready - 1 >= want - unavailable) {
        await this.deletePod(p);
        ready--;
      }
    }

    const now = this.pods.list(this.namespace).filter((p) => !p.metadata?.deletionTimestamp && p.metadata?.ownerReferences?.some((o) => o.uid === d.metadata?.uid));
    const updated = now.filter((p) => p.metadata?.labels?.['pod-template-hash'] === hash);
    const readyNow = now.filter(isReady).length;
    const complete = updated.length === want && now.length === want && updated.filter(isReady).length === want;
    const computed: NonNullable<V1Deployment['status']> = {
      observedGeneration: d.metadata?.generation,
      replicas: now.length,
      updatedReplicas: updated.length,
      readyReplicas: readyNow,
      availableReplicas: readyNow,
      unavailableReplicas: Math.max(0, want - readyNow),
      conditions: [
        { type: 'Available', status: readyNow >= want - unavailable ? 'True' : 'False', reason: readyNow >= want - unavailable ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable', message: 'set by the test harness' },
        { type: 'Progressing', status: 'True', reason: complete ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated', message: `pods of template ${hash}` },
      ],
    };
    const refused = this.createFailures.get(name);
    if (refused) computed.conditions!.push({ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: refused });
    const status = this.statusOverride?.(d, computed) ?? computed;
    if (JSON.stringify(comparable(d.status)) === JSON.stringify(comparable(status))) return;
    await this.apps.patchNamespacedDeploymentStatus(
      { name, namespace: this.namespace, body: { status } },
      this.k8s.setHeaderOptions('Content-Type', this.k8s.PatchStrategy.MergePatch),
    );
  }

  private async createPod(d: V1Deployment, hash: string): Promise<void> {
    const template = d.spec!.template;
    const name = `${d.metadata!.name}-${hash}-${randomBytes(3).toString('hex').slice(0, 5)}`;
    await this.core.createNamespacedPod({
      namespace: this.namespace,
      body: {
        metadata: {
          name,
          labels: { ...template.metadata?.labels, 'pod-template-hash': hash },
          annotations: template.metadata?.annotations,
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata!.name!, uid: d.metadata!.uid!, controller: true, blockOwnerDeletion: true }],
        },
        spec: { ...template.spec!, nodeName: this.nodeName, automountServiceAccountToken: false },
      },
    });
  }

  private async deletePod(p: V1Pod): Promise<void> {
    await this.core.deleteNamespacedPod({ name: p.metadata!.name!, namespace: this.namespace }).catch((err: unknown) => {
      if (!isGone(err)) throw err;
    });
  }

  private ownerOf(p: V1Pod, deployment: (name: string) => void, job: (name: string) => void = () => {}): void {
    for (const o of p.metadata?.ownerReferences ?? []) {
      if (o.kind === 'Deployment') deployment(o.name);
      else if (o.kind === 'Job') job(o.name);
    }
  }

  // ---- the kubelet -------------------------------------------------------------------

  private onPod(p: V1Pod): void {
    const name = p.metadata!.name!;
    this.ownerOf(p, (d) => this.schedule(d), (j) => this.jobController.schedule(j));
    if (p.spec?.nodeName !== this.nodeName) return;
    if (p.metadata?.deletionTimestamp) {
      // the kubelet confirms a graceful delete once the containers stopped
      this.serial(`pod/${name}`, () => this.core.deleteNamespacedPod({ name, namespace: this.namespace, gracePeriodSeconds: 0 }).then(() => undefined));
      return;
    }
    const key = p.metadata!.uid!;
    if (this.handled.has(key)) return;
    this.handled.add(key);
    this.serial(`pod/${name}`, () => this.runPod(p));
  }

  /** Runs the behaviour for a pod again (a test changed it), e.g. to make a ready pod unready.
   *  Queued behind the pod's first run, so the status it writes is the last one: run beside it,
   *  the first run's status (from the old behaviour) could land after it and win. */
  async rerun(podName: string): Promise<void> {
    this.serial(`pod/${podName}`, async () => {
      const p = this.pods.get(podName, this.namespace);
      if (p) await this.runPod(p);
    });
    await this.queues.get(`pod/${podName}`);
  }

  private async runPod(p: V1Pod): Promise<void> {
    const name = p.metadata!.name!;
    const container = p.spec!.containers[0];
    const script = this.behaviour(p, await this.envOf(p));
    const now = new Date();
    const ready = !script.waiting && script.ready !== false;
    const containerStatus = {
      name: container.name,
      image: container.image ?? '',
      imageID: '',
      ready,
      started: !script.waiting,
      restartCount: script.restarts ?? 0,
      state: script.waiting ? { waiting: script.waiting } : { running: { startedAt: now } },
      ...(script.lastExit && { lastState: { terminated: { exitCode: script.lastExit.exitCode, reason: script.lastExit.reason ?? 'Error', finishedAt: now, startedAt: now } } }),
    };
    const ip = this.ip(p);
    const status = {
      phase: script.waiting && script.waiting.reason !== 'CrashLoopBackOff' ? 'Pending' : 'Running',
      hostIP: '127.0.0.1',
      podIP: ip,
      podIPs: [{ ip }],
      startTime: now,
      conditions: [
        { type: 'Initialized', status: 'True', lastTransitionTime: now },
        { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now, ...(!ready && { reason: 'ContainersNotReady' }) },
        { type: 'ContainersReady', status: ready ? 'True' : 'False', lastTransitionTime: now },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
      ],
      containerStatuses: [containerStatus],
    };
    for (const text of script.logs ?? []) this.appendLog(name, text);
    if (script.tickMs) {
      let n = 0;
      const tick = () => {
        if (this.stopped || !this.logs.has(name)) return;
        this.appendLog(name, `tick ${++n}`);
        this.later(tick, script.tickMs!);
      };
      this.later(tick, script.tickMs);
    }
    for (const e of script.events ?? []) await this.event(p, e.reason, e.message);
    await this.core.patchNamespacedPodStatus(
      { name, namespace: this.namespace, body: { status } },
      this.k8s.setHeaderOptions('Content-Type', this.k8s.PatchStrategy.MergePatch),
    );
    if (script.exit && !script.waiting) {
      const exit = script.exit;
      this.later(() => this.serial(`pod/${name}`, () => this.exitContainer(name, exit.code, exit.afterMs ?? 50, containerStatus.restartCount)), exit.afterMs ?? 50);
    }
  }

  /** The container of a pod exits: the pod is done (Succeeded, or Failed under Never), or it restarts in place (OnFailure). */
  private async exitContainer(name: string, code: number, againMs: number, restarts: number): Promise<void> {
    const p = this.pods.get(name, this.namespace);
    if (!p || p.metadata?.deletionTimestamp || this.stopped) return;
    const container = p.spec!.containers[0];
    const now = new Date();
    const startedAt = p.status?.containerStatuses?.[0]?.state?.running?.startedAt ?? now;
    const terminated = { exitCode: code, reason: code === 0 ? 'Completed' : 'Error', startedAt, finishedAt: now };
    const restart = code !== 0 && p.spec?.restartPolicy === 'OnFailure';
    const base = { name: container.name, image: container.image ?? '', imageID: '', ready: false, started: false };
    const containerStatus = restart
      ? { ...base, restartCount: restarts + 1, state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off 10s restarting failed container=${container.name} pod=${name}` } }, lastState: { terminated } }
      : { ...base, restartCount: restarts, state: { terminated } };
    const notReady = { type: 'Ready', status: 'False', lastTransitionTime: now, reason: restart ? 'ContainersNotReady' : 'PodCompleted' };
    const status = {
      phase: restart ? 'Running' : code === 0 ? 'Succeeded' : 'Failed',
      conditions: (p.status?.conditions ?? []).map((c) => (c.type === 'Ready' || c.type === 'ContainersReady' ? { ...notReady, type: c.type } : c)),
      containerStatuses: [containerStatus],
    };
    await this.core.patchNamespacedPodStatus(
      { name, namespace: this.namespace, body: { status } },
      this.k8s.setHeaderOptions('Content-Type', this.k8s.PatchStrategy.MergePatch),
    );
    if (restart) {
      // the kubelet starts the container again (after its back-off), and it exits the same way
      this.later(() => this.serial(`pod/${name}`, async () => {
        const live = this.pods.get(name, this.namespace);
        if (!live || live.metadata?.deletionTimestamp) return;
        await this.core.patchNamespacedPodStatus(
          { name, namespace: this.namespace, body: { status: { phase: 'Running', containerStatuses: [{ ...base, ready: true, started: true, restartCount: restarts + 1, state: { running: { startedAt: new Date() } }, lastState: { terminated } }] } } },
          this.k8s.setHeaderOptions('Content-Type', this.k8s.PatchStrategy.MergePatch),
        );
        this.later(() => this.serial(`pod/${name}`, () => this.exitContainer(name, code, againMs, restarts + 1)), againMs);
      }), againMs);
    }
  }

  private ip(p: V1Pod): string {
    if (p.status?.podIP) return p.status.podIP;
    const n = this.ipCounter++;
    return `10.244.${(n >> 8) & 255}.${n & 255}`;
  }

  /** The container's environment, with values from Secrets looked up as the kubelet would. */
  private async envOf(p: V1Pod): Promise<Record<string, string>> {
    const env: Record<string, string> = {};
    for (const e of p.spec?.containers[0].env ?? []) {
      if (e.value !== undefined) env[e.name] = e.value;
      else if (e.valueFrom?.secretKeyRef) {
        const ref = e.valueFrom.secretKeyRef;
        const secret = await this.core.readNamespacedSecret({ name: ref.name!, namespace: this.namespace }).catch(() => undefined);
        const data = secret?.data?.[ref.key];
        if (data !== undefined) env[e.name] = Buffer.from(data, 'base64').toString('utf8');
      } else if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.name') env[e.name] = p.metadata!.name!;
    }
    return env;
  }

  async event(p: V1Pod, reason: string, message: string): Promise<void> {
    const now = new Date();
    await this.core.createNamespacedEvent({
      namespace: this.namespace,
      body: {
        metadata: { name: `${p.metadata!.name}.${randomBytes(6).toString('hex')}`, namespace: this.namespace },
        involvedObject: { kind: 'Pod', name: p.metadata!.name, namespace: this.namespace, uid: p.metadata!.uid, apiVersion: 'v1' },
        reason,
        message,
        type: 'Warning',
        source: { component: 'kubelet', host: this.nodeName },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      },
    });
  }

  appendLog(pod: string, text: string): void {
    this.logs.append(pod, text);
  }

  private later(fn: () => void, ms: number): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    await Promise.allSettled([this.deployments?.stop(), this.jobs?.stop(), this.pods?.stop()]);
    await Promise.allSettled([...this.queues.values()]);
    // the node's last act: delete its pods for good, or their namespace could never go
    const left = await this.core?.listNamespacedPod({ namespace: this.namespace, fieldSelector: `spec.nodeName=${this.nodeName}` }).catch(() => undefined);
    for (const p of left?.items ?? []) {
      await this.core.deleteNamespacedPod({ name: p.metadata!.name!, namespace: this.namespace, gracePeriodSeconds: 0 }).catch(() => {});
    }
    await this.logs.close();
    await this.core?.deleteNode({ name: this.nodeName }).catch(() => {});
  }
}

function bodyMessage(err: unknown): string {
  const body = (err as { body?: unknown }).body;
  const parsed = typeof body === 'string' ? (() => { try { return JSON.parse(body) as { message?: string }; } catch { return { message: body }; } })() : (body as { message?: string } | undefined);
  return parsed?.message ?? String(err);
}

function isReady(p: V1Pod): boolean {
  return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

function isGone(err: unknown): boolean {
  return (err as { code?: number }).code === 404;
}

function templateHash(d: V1Deployment): string {
  return createHash('sha256').update(JSON.stringify(d.spec?.template ?? {})).digest('hex').slice(0, 10);
}

function rollingLimits(d: V1Deployment, want: number): { surge: number; unavailable: number } {
  const ru = d.spec?.strategy?.rollingUpdate;
  const resolve = (v: number | string | undefined, fallback: number, round: (x: number) => number) =>
    v === undefined ? fallback : typeof v === 'number' ? v : round((Number.parseInt(v, 10) / 100) * want);
  let surge = resolve(ru?.maxSurge as number | string | undefined, Math.ceil(want / 4), Math.ceil);
  const unavailable = resolve(ru?.maxUnavailable as number | string | undefined, Math.floor(want / 4), Math.floor);
  if (surge === 0 && unavailable === 0) surge = 1;
  return { surge, unavailable };
}

/** Status without the condition times, which change on every write. */
function comparable(status: V1Deployment['status']): unknown {
  if (!status) return undefined;
  return { ...status, conditions: status.conditions?.map(({ type, status: s, reason, message }) => ({ type, status: s, reason, message })) };
}
