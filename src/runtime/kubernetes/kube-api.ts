// The driver's one way to the API server, through @kubernetes/client-node's typed clients,
// watches and log reader. Every request passes one seam (the kubeconfig's authentication
// step, which each of them calls once), where it is counted by verb — the benchmark and the
// "no write when nothing changed" tests read the counts — and handed one shared connection
// pool: client-node would otherwise open a fresh one (a new TLS handshake) per request.

import { Readable, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { fetch } from 'undici';
import type {
  AppsV1Api, BatchV1Api, CoreV1Api, CoreV1Event, CustomObjectsApi, KubeConfig, KubernetesObject, ListWatch, LogOptions, RequestContext, V1Deployment,
  V1Job, V1Pod, V1Secret, V1Service,
} from '@kubernetes/client-node';
import { clientNode } from './client-node.js';
import type { ClusterTarget } from './kube-config.js';
import { isNotFound, kubeError, type ErrorContext } from './kube-errors.js';
import { FIELD_MANAGER } from './names.js';

export type ObjectKind = 'Deployment' | 'Job' | 'Service' | 'Secret';
export type KindObject = V1Deployment | V1Job | V1Service | V1Secret;

/** How a delete treats the object's dependents (pods): `Foreground` keeps the object until they are gone. */
export type Propagation = 'Background' | 'Foreground';

export interface RequestCounts {
  reads: number;    // get and list
  watches: number;  // watch connections opened
  logs: number;     // pod log reads
  writes: number;   // create, patch (apply), update, delete
  byVerb: Record<string, number>;
}

interface Dispatcher {
  close(): Promise<void>;
}

export interface ApplyOptions {
  manager?: string;
  /** take fields other managers own (server-side apply's force) */
  force?: boolean;
}

export class KubeApi {
  readonly namespace: string;
  readonly errorContext: ErrorContext;
  private readonly counts: RequestCounts = { reads: 0, watches: 0, logs: 0, writes: 0, byVerb: {} };
  private shared: Dispatcher | undefined;

  private constructor(
    private readonly k8s: Awaited<ReturnType<typeof clientNode>>,
    private readonly seam: KubeConfig,
    readonly target: ClusterTarget,
    private readonly apps: AppsV1Api,
    private readonly batch: BatchV1Api,
    private readonly core: CoreV1Api,
    private readonly custom: CustomObjectsApi,
  ) {
    this.namespace = target.namespace;
    this.errorContext = { server: target.server, context: target.context, namespace: target.namespace, user: target.user };
  }

  static async connect(target: ClusterTarget): Promise<KubeApi> {
    const k8s = await clientNode();
    const kc = target.kubeConfig;
    let api: KubeApi | undefined;
    // the seam: client-node's kubeconfig with its authentication step wrapped
    const seam = Object.create(kc) as KubeConfig;
    seam.applySecurityAuthentication = async (ctx: RequestContext) => {
      await kc.applySecurityAuthentication.call(seam, ctx);
      api?.onRequest(ctx);
    };
    const cluster = kc.getCurrentCluster();
    const config = k8s.createConfiguration({
      baseServer: new k8s.ServerConfiguration(cluster!.server, {}),
      authMethods: { default: seam },
    });
    api = new KubeApi(k8s, seam, target, new k8s.AppsV1Api(config), new k8s.BatchV1Api(config), new k8s.CoreV1Api(config), new k8s.CustomObjectsApi(config));
    return api;
  }

  private onRequest(ctx: RequestContext): void {
    const method = String(ctx.getHttpMethod()).toUpperCase();
    const url = ctx.getUrl();
    const verb = method === 'GET'
      ? /[?&]watch=true/.test(url) ? 'watch' : /\/log(\?|$)/.test(url) ? 'log' : 'get'
      : method === 'POST' ? 'create' : method === 'PATCH' ? 'patch' : method === 'PUT' ? 'update' : method === 'DELETE' ? 'delete' : method.toLowerCase();
    this.counts.byVerb[verb] = (this.counts.byVerb[verb] ?? 0) + 1;
    if (verb === 'watch') this.counts.watches++;
    else if (verb === 'log') this.counts.logs++;
    else if (verb === 'get') this.counts.reads++;
    else this.counts.writes++;
    const own = ctx.getDispatcher() as Dispatcher | undefined;
    if (!own) return;
    if (!this.shared) this.shared = own;
    else if (own !== this.shared) {
      ctx.setDispatcher(this.shared as never);
      void own.close().catch(() => {});
    }
  }

  requests(): RequestCounts {
    return { ...this.counts, byVerb: { ...this.counts.byVerb } };
  }

  fail(err: unknown, action: string): never {
    throw kubeError(err, action, this.errorContext);
  }

  /** Server-side apply, field manager `tutti` (or opts.manager); returns the object as stored. */
  async apply<T extends KindObject>(object: T, opts: ApplyOptions = {}): Promise<T> {
    const name = object.metadata!.name!;
    const namespace = this.namespace;
    const request = { name, namespace, body: object, fieldManager: opts.manager ?? FIELD_MANAGER, force: opts.force || undefined };
    const ssa = this.k8s.setHeaderOptions('Content-Type', this.k8s.PatchStrategy.ServerSideApply);
    try {
      switch (object.kind as ObjectKind) {
        case 'Deployment': return (await this.apps.patchNamespacedDeployment(request, ssa)) as T;
        case 'Job': return (await this.batch.patchNamespacedJob(request, ssa)) as T;
        case 'Service': return (await this.core.patchNamespacedService(request, ssa)) as T;
        case 'Secret': return (await this.core.patchNamespacedSecret(request, ssa)) as T;
        default: throw new Error(`tutti does not apply ${object.kind} objects`);
      }
    } catch (err) {
      this.fail(err, `apply ${object.kind} ${name}`);
    }
  }

  /** A JSON patch of a Deployment (what server-side apply cannot do on 1.20: drop a probe). */
  async jsonPatchDeployment(name: string, ops: Array<{ op: string; path: string; value?: unknown }>): Promise<V1Deployment> {
    try {
      return await this.apps.patchNamespacedDeployment(
        { name, namespace: this.namespace, body: ops, fieldManager: FIELD_MANAGER },
        this.k8s.setHeaderOptions('Content-Type', this.k8s.PatchStrategy.JsonPatch),
      );
    } catch (err) {
      this.fail(err, `patch Deployment ${name}`);
    }
  }

  /** The object, or undefined when it does not exist. */
  async get(kind: ObjectKind, name: string): Promise<KindObject | undefined> {
    const namespace = this.namespace;
    try {
      switch (kind) {
        case 'Deployment': return await this.apps.readNamespacedDeployment({ name, namespace });
        case 'Job': return await this.batch.readNamespacedJob({ name, namespace });
        case 'Service': return await this.core.readNamespacedService({ name, namespace });
        case 'Secret': return await this.core.readNamespacedSecret({ name, namespace });
      }
    } catch (err) {
      if (isNotFound(err) && !/namespaces? "/.test(JSON.stringify((err as { body?: unknown }).body ?? ''))) return undefined;
      this.fail(err, `read ${kind} ${name}`);
    }
  }

  async list(kind: ObjectKind, labelSelector: string): Promise<KindObject[]> {
    const namespace = this.namespace;
    try {
      switch (kind) {
        case 'Deployment': return (await this.apps.listNamespacedDeployment({ namespace, labelSelector })).items;
        case 'Job': return (await this.batch.listNamespacedJob({ namespace, labelSelector })).items;
        case 'Service': return (await this.core.listNamespacedService({ namespace, labelSelector })).items;
        case 'Secret': return (await this.core.listNamespacedSecret({ namespace, labelSelector })).items;
      }
    } catch (err) {
      this.fail(err, `list ${kind}s`);
    }
  }

  /** Deletes the object; gone already is fine. Dependents (pods) go in the background unless told otherwise. */
  async delete(kind: ObjectKind, name: string, propagation: Propagation = 'Background'): Promise<void> {
    const namespace = this.namespace;
    const body = { propagationPolicy: propagation };
    try {
      switch (kind) {
        case 'Deployment': await this.apps.deleteNamespacedDeployment({ name, namespace, body }); break;
        case 'Job': await this.batch.deleteNamespacedJob({ name, namespace, body }); break;
        case 'Service': await this.core.deleteNamespacedService({ name, namespace, body }); break;
        case 'Secret': await this.core.deleteNamespacedSecret({ name, namespace, body }); break;
      }
    } catch (err) {
      if (isNotFound(err)) return;
      this.fail(err, `delete ${kind} ${name}`);
    }
  }

  async events(): Promise<CoreV1Event[]> {
    try {
      return (await this.core.listNamespacedEvent({ namespace: this.namespace })).items;
    } catch (err) {
      this.fail(err, 'list events');
    }
  }

  /** The metrics API's PodMetrics (metrics.k8s.io/v1beta1, served by metrics-server) of the
   *  pods the selector picks; undefined when the cluster does not serve that API. */
  async podMetrics(labelSelector: string): Promise<unknown[] | undefined> {
    try {
      const list = (await this.custom.listNamespacedCustomObject({
        group: 'metrics.k8s.io', version: 'v1beta1', namespace: this.namespace, plural: 'pods', labelSelector,
      })) as { items?: unknown[] };
      return list.items ?? [];
    } catch (err) {
      if (isNotFound(err) && !/namespaces? "/.test(JSON.stringify((err as { body?: unknown }).body ?? ''))) return undefined;
      this.fail(err, 'list pod metrics');
    }
  }

  /** A list-then-watch cache (an informer) of one kind of object, selected by labels; not started. */
  informer<T extends KubernetesObject>(kind: ObjectKind | 'Pod', labelSelector?: string): ListWatch<T> {
    const namespace = this.namespace;
    const paths: Record<ObjectKind | 'Pod', [string, () => Promise<unknown>]> = {
      Deployment: [`/apis/apps/v1/namespaces/${namespace}/deployments`, () => this.apps.listNamespacedDeployment({ namespace, labelSelector })],
      Job: [`/apis/batch/v1/namespaces/${namespace}/jobs`, () => this.batch.listNamespacedJob({ namespace, labelSelector })],
      Service: [`/api/v1/namespaces/${namespace}/services`, () => this.core.listNamespacedService({ namespace, labelSelector })],
      Secret: [`/api/v1/namespaces/${namespace}/secrets`, () => this.core.listNamespacedSecret({ namespace, labelSelector })],
      Pod: [`/api/v1/namespaces/${namespace}/pods`, () => this.core.listNamespacedPod({ namespace, labelSelector })],
    };
    const [path, list] = paths[kind];
    return new this.k8s.ListWatch<T>(path, new this.k8s.Watch(this.seam), list as never, false, labelSelector);
  }

  async pod(name: string): Promise<V1Pod | undefined> {
    try {
      return await this.core.readNamespacedPod({ name, namespace: this.namespace });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      this.fail(err, `read pod ${name}`);
    }
  }

  /**
   * Streams a container's log (the pods log API) into `out`, until the log ends or `signal`
   * aborts. client-node's Log helper is not used: aborting its followed read leaves an
   * unhandled stream error behind, which would take the daemon down.
   */
  async podLog(pod: string, container: string, out: Writable, options: LogOptions, signal?: AbortSignal): Promise<void> {
    const url = new URL(`${this.target.server}/api/v1/namespaces/${encodeURIComponent(this.namespace)}/pods/${encodeURIComponent(pod)}/log`);
    url.searchParams.set('container', container);
    for (const [key, value] of Object.entries(options)) if (value !== undefined) url.searchParams.set(key, String(value));
    const ctx = new this.k8s.RequestContext(url.toString(), this.k8s.HttpMethod.GET);
    await this.seam.applySecurityAuthentication(ctx);
    const controller = new AbortController();
    const abort = (): void => controller.abort();
    signal?.addEventListener('abort', abort, { once: true });
    try {
      const response = await fetch(url, { headers: ctx.getHeaders(), dispatcher: ctx.getDispatcher() as never, signal: controller.signal });
      if (response.status !== 200) {
        const text = await response.text().catch(() => '');
        let body: unknown = text;
        try { body = JSON.parse(text); } catch { /* plain text */ }
        throw Object.assign(new Error(`HTTP ${response.status}`), { code: response.status, body });
      }
      if (!response.body) return;
      // `out` only ever ends: an aborted read is no error of the reader's
      const source = Readable.fromWeb(response.body as never);
      source.pipe(out, { end: false });
      await finished(source).catch((err: unknown) => {
        if (!controller.signal.aborted) throw err;
      });
    } catch (err) {
      if (controller.signal.aborted) return;
      this.fail(err, `read the log of pod ${pod}`);
    } finally {
      signal?.removeEventListener('abort', abort);
      if (!out.writableEnded) out.end();
    }
  }

  async close(): Promise<void> {
    const shared = this.shared;
    this.shared = undefined;
    await shared?.close().catch(() => {});
  }
}
