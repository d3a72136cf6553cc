// What the driver knows of its namespace without asking: informers (list, then watch) of the
// Deployments, Jobs and Services (all of them, so a name taken by something tutti does not manage
// is noticed before it is touched), and of tutti's Secrets and pods. Applies compare against
// these caches, rollouts wait on their changes, and pods become instances from them — no
// polling. A watch that breaks is restarted with a growing delay. An account that may not
// list Jobs (a control plane whose Role predates them) is not fatal: the cache runs without
// Jobs, says so once, and tries again when a Job is to be applied (ensureJobs).

import type { KubernetesObject, ListWatch, V1Deployment, V1Job, V1Pod, V1Secret, V1Service } from '@kubernetes/client-node';
import { TuttiError } from '../../core/index.js';
import type { KubeApi, KindObject, ObjectKind } from './kube-api.js';
import { statusOf } from './kube-errors.js';
import { MANAGED_SELECTOR } from './names.js';

export type CachedKind = ObjectKind | 'Pod';
export type ChangeType = 'add' | 'update' | 'delete';
export type CacheListener = (kind: CachedKind, type: ChangeType, object: KubernetesObject) => void;

const RESTART_MIN_MS = 500;
const RESTART_MAX_MS = 30_000;

export class ClusterCache {
  private readonly informers = new Map<CachedKind, ListWatch<KubernetesObject>>();
  private readonly listeners = new Set<CacheListener>();
  /** the newest object tutti was answered with, per kind/name, until a watch event is as new */
  private readonly written = new Map<string, KindObject>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  /** the 403 the Job informer got, while the account may not list Jobs */
  private jobsRefused: unknown;
  private jobsRetry: Promise<void> | undefined;

  private constructor(private readonly api: KubeApi, private readonly onError: (kind: CachedKind, err: unknown) => void) {}

  /**
   * Lists everything and starts watching; throws (as a TuttiError) when the first list fails —
   * except when only Jobs are refused (403): then it runs without them and calls onJobsRefused.
   */
  static async start(
    api: KubeApi,
    onError: (kind: CachedKind, err: unknown) => void = () => {},
    onJobsRefused: (err: TuttiError) => void = () => {},
  ): Promise<ClusterCache> {
    const cache = new ClusterCache(api, onError);
    const kinds: Array<[CachedKind, string | undefined]> = [
      ['Deployment', undefined], ['Job', undefined], ['Service', undefined], ['Secret', MANAGED_SELECTOR], ['Pod', MANAGED_SELECTOR],
    ];
    const failures: Array<[CachedKind, unknown]> = [];
    await Promise.all(kinds.map(async ([kind, selector]) => {
      const err = await cache.watch(kind, selector);
      if (err !== undefined) failures.push([kind, err]);
    }));
    const fatal = failures.filter(([kind, err]) => !(kind === 'Job' && statusOf(err) === 403));
    if (fatal.length > 0) {
      await cache.stop();
      const [kind, err] = fatal[0];
      api.fail(err, `list ${kind === 'Pod' ? 'pod' : kind}s`);
    }
    if (failures.length > 0) {
      cache.jobsRefused = failures[0][1];
      onJobsRefused(cache.jobsError());
    }
    return cache;
  }

  /** Starts an informer; resolves once it has listed, with the error of a first list that failed. */
  private async watch(kind: CachedKind, selector: string | undefined): Promise<unknown> {
    const informer = this.api.informer<KubernetesObject>(kind, selector);
    let delay = RESTART_MIN_MS;
    let synced = false;
    let failure: unknown;
    informer.on('add', (o) => this.emit(kind, 'add', o));
    informer.on('update', (o) => this.emit(kind, 'update', o));
    informer.on('delete', (o) => this.emit(kind, 'delete', o));
    informer.on('connect', () => { if (synced) delay = RESTART_MIN_MS; });
    informer.on('error', (err) => {
      if (!synced) {
        failure ??= err;
        return;
      }
      this.onError(kind, err);
      this.later(() => void informer.start(), delay);
      delay = Math.min(delay * 2, RESTART_MAX_MS);
    });
    await informer.start();
    if (failure !== undefined || this.stopped) {
      await informer.stop();
      return failure;
    }
    synced = true;
    this.informers.set(kind, informer);
    return undefined;
  }

  /** Whether Jobs are watched (false while the account may not list them). */
  watchesJobs(): boolean {
    return this.jobsRefused === undefined;
  }

  /**
   * Resolves once Jobs are watched: when they were refused, lists them again (the Role may have
   * been updated since); throws the clear error while they still are refused.
   */
  async ensureJobs(): Promise<void> {
    if (this.jobsRefused === undefined) return;
    this.jobsRetry ??= this.watch('Job', undefined).then((err) => {
      if (err === undefined) this.jobsRefused = undefined;
      else if (statusOf(err) === 403) this.jobsRefused = err;
      else this.api.fail(err, 'list Jobs');
    }).finally(() => { this.jobsRetry = undefined; });
    await this.jobsRetry;
    if (this.jobsRefused !== undefined) throw this.jobsError();
  }

  private jobsError(): TuttiError {
    let refused: TuttiError;
    try {
      this.api.fail(this.jobsRefused, 'list Jobs');
    } catch (err) {
      refused = err as TuttiError;
    }
    return new TuttiError('TUTTI_E_FORBIDDEN', `${refused!.message}; services that run to completion (restart: never / on-failure) are Jobs, and cannot be applied`, {
      hint: 'the Role of tutti\'s account predates Jobs: apply the output of `tutti render control-plane` again (it grants `jobs` get, list, watch, create, patch, delete)',
      cause: this.jobsRefused,
    });
  }

  private later(fn: () => void, ms: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopped) fn();
    }, ms);
    this.timers.add(timer);
  }

  private emit(kind: CachedKind, type: ChangeType, object: KubernetesObject): void {
    const key = `${kind}/${object.metadata?.name}`;
    const written = this.written.get(key);
    if (written && (type === 'delete' || newer(object, written))) this.written.delete(key);
    for (const listener of [...this.listeners]) {
      try {
        listener(kind, type, object);
      } catch {
        // a listener's failure is its own
      }
    }
  }

  onChange(listener: CacheListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Remembers what an apply returned, so a compare made before the watch catches up sees it. */
  remember(kind: ObjectKind, object: KindObject): void {
    this.written.set(`${kind}/${object.metadata?.name}`, object);
  }

  forget(kind: ObjectKind, name: string): void {
    this.written.delete(`${kind}/${name}`);
  }

  get(kind: 'Deployment', name: string): V1Deployment | undefined;
  get(kind: 'Job', name: string): V1Job | undefined;
  get(kind: 'Service', name: string): V1Service | undefined;
  get(kind: 'Secret', name: string): V1Secret | undefined;
  get(kind: ObjectKind, name: string): KindObject | undefined;
  get(kind: ObjectKind, name: string): KindObject | undefined {
    const watched = this.informers.get(kind)?.get(name, this.api.namespace) as KindObject | undefined;
    const written = this.written.get(`${kind}/${name}`);
    if (!written) return watched;
    return watched && !newer(written, watched) ? watched : written;
  }

  /** Whether the cache sees every object of this kind (not only tutti's). */
  seesAll(kind: ObjectKind): boolean {
    return kind !== 'Secret';
  }

  list(kind: 'Deployment'): V1Deployment[];
  list(kind: 'Job'): V1Job[];
  list(kind: 'Pod'): V1Pod[];
  list(kind: CachedKind): KubernetesObject[] {
    return [...(this.informers.get(kind)?.list(this.api.namespace) ?? [])];
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.listeners.clear();
    await Promise.allSettled([...this.informers.values()].map((i) => i.stop()));
  }
}

/** Whether a is a later version than b (etcd resource versions grow; compared as numbers). */
function newer(a: KubernetesObject, b: KubernetesObject): boolean {
  const [ra, rb] = [Number(a.metadata?.resourceVersion), Number(b.metadata?.resourceVersion)];
  if (!Number.isFinite(ra) || !Number.isFinite(rb)) return true;
  return ra > rb;
}
