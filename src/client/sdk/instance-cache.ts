// The SDK's in-process view of the registry, one watched service at a time. The first resolve of
// a service lists its instances (so an unknown service or an unreachable daemon fails that call
// at once), then a watch from that list's index keeps the copy current: it reconnects by itself
// and, while the control plane is away, the last known instances keep being served.
//
// Resolving is the hot path (≥ 1,000,000/s): each filter's answer is computed once per change and
// kept, with an already-settled promise of it, so a resolve without tags allocates nothing.

import type { Candidate } from '../../core/index.js';
import type { RegistryInstance } from '../api-types.js';
import type { TuttiClient } from '../client.js';

export interface ResolveOptions {
  /** only passing and warning instances; default true */
  healthy?: boolean;
  /** instances carrying every one of these tags */
  tags?: readonly string[];
}

type Instances = readonly RegistryInstance[];

interface View {
  version: number;
  instances: Instances;
  settled: Promise<Instances>;
  /** the healthy ones, as the balancer takes them */
  candidates: readonly Candidate[];
}

interface Entry {
  service: string;
  byId: Map<string, RegistryInstance>;
  /** bumped on every change; views older than this are recomputed when next asked for */
  version: number;
  loaded: Promise<void>;
  ready: boolean;
  all?: View;
  healthy?: View;
  tagged: Map<string, View>;
  abort: AbortController;
}

const isHealthy = (i: RegistryInstance) => i.status !== 'critical';
const byId = (a: RegistryInstance, b: RegistryInstance) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function computeView(entry: Entry, healthy: boolean, tags: readonly string[] | undefined): View {
  const instances = Object.freeze(
    [...entry.byId.values()]
      .filter((i) => (!healthy || isHealthy(i)) && (!tags || tags.every((t) => i.tags.includes(t))))
      .sort(byId),
  );
  const candidates = Object.freeze(
    instances.filter(isHealthy).map((i): Candidate => ({ id: i.id, health: i.status as Candidate['health'] })),
  );
  return { version: entry.version, instances, settled: Promise.resolve(instances), candidates };
}

export class InstanceCache {
  private readonly entries = new Map<string, Entry>();
  private closed = false;

  /** `onGone` hears of instances that left, so their balancer state can be dropped. */
  constructor(
    private readonly api: TuttiClient,
    private readonly watcher: TuttiClient,
    private readonly onGone: (service: string, id: string) => void = () => {},
  ) {}

  /** The instances of a service, watched from the first call on. */
  resolve(service: string, opts?: ResolveOptions): Promise<Instances> {
    const entry = this.entries.get(service);
    if (entry?.ready) return this.view(entry, opts).settled;
    return this.load(service).then((e) => this.view(e, opts).instances);
  }

  /** What is cached now, without waiting: undefined for a service not watched (yet). */
  peek(service: string, opts?: ResolveOptions): Instances | undefined {
    const entry = this.entries.get(service);
    return entry?.ready ? this.view(entry, opts).instances : undefined;
  }

  /** The healthy candidates of a watched service, for the balancer. */
  candidates(service: string): readonly Candidate[] | undefined {
    const entry = this.entries.get(service);
    return entry?.ready ? this.view(entry, undefined).candidates : undefined;
  }

  instance(service: string, id: string): RegistryInstance | undefined {
    return this.entries.get(service)?.byId.get(id);
  }

  /** Starts watching (or joins the start under way); rejects when the list cannot be had. */
  load(service: string): Promise<Entry> {
    const existing = this.entries.get(service);
    if (existing) return existing.loaded.then(() => existing);
    const entry: Entry = {
      service,
      byId: new Map(),
      version: 0,
      ready: false,
      tagged: new Map(),
      abort: new AbortController(),
      loaded: Promise.resolve(),
    };
    entry.loaded = this.start(entry);
    this.entries.set(service, entry);
    entry.loaded.catch(() => {
      if (this.entries.get(service) === entry) this.entries.delete(service);
    });
    return entry.loaded.then(() => entry);
  }

  /** Ends every watch. */
  close(): void {
    this.closed = true;
    for (const e of this.entries.values()) e.abort.abort();
    this.entries.clear();
  }

  private view(entry: Entry, opts: ResolveOptions | undefined): View {
    const healthy = opts?.healthy ?? true;
    const tags = opts?.tags;
    if (!tags || tags.length === 0) {
      const cached = healthy ? entry.healthy : entry.all;
      if (cached && cached.version === entry.version) return cached;
      const fresh = computeView(entry, healthy, undefined);
      if (healthy) entry.healthy = fresh;
      else entry.all = fresh;
      return fresh;
    }
    const key = `${healthy ? 'h' : 'a'}\u0000${tags.join('\u0000')}`;
    const cached = entry.tagged.get(key);
    if (cached && cached.version === entry.version) return cached;
    const fresh = computeView(entry, healthy, tags);
    entry.tagged.set(key, fresh);
    return fresh;
  }

  private async start(entry: Entry): Promise<void> {
    const list = await this.api.registryInstances(entry.service);
    if (this.closed || entry.abort.signal.aborted) return;
    for (const i of list.instances) entry.byId.set(i.id, Object.freeze(i));
    entry.version++;
    entry.ready = true;
    void this.follow(entry, list.index);
  }

  private async follow(entry: Entry, index: number): Promise<void> {
    const { signal } = entry.abort;
    try {
      for await (const item of this.watcher.watchRegistry({ service: entry.service, index, signal })) {
        if (item.type === 'reset') {
          const before = entry.byId;
          entry.byId = new Map(item.instances.map((i) => [i.id, Object.freeze(i)]));
          for (const id of before.keys()) if (!entry.byId.has(id)) this.onGone(entry.service, id);
        } else if (item.event.type === 'deregistered') {
          entry.byId.delete(item.event.instance.id);
          this.onGone(entry.service, item.event.instance.id);
        } else {
          entry.byId.set(item.event.instance.id, Object.freeze(item.event.instance));
        }
        entry.version++;
      }
    } catch {
      // the control plane refused the watch (the service is gone after a restart, the token
      // was revoked): stop serving a copy no one keeps current; the next resolve asks again
    } finally {
      if (this.entries.get(entry.service) === entry && !signal.aborted) this.entries.delete(entry.service);
    }
  }
}
