// The registry's instances in memory, by id and by service, so a lookup costs the size of one
// service rather than of the registry. Instances are immutable snapshots (a change stores a new
// object), which lets each service keep its sorted list and summary until its next change, and
// lets events and answers share the objects without copying.

import { naturalCompare } from '../core/index.js';
import type { RegistryInstance, ServiceSummary } from './types.js';

interface Bucket {
  byId: Map<string, RegistryInstance>;
  /** byId's values ordered by id (web-2 before web-10); rebuilt after a change */
  sorted?: RegistryInstance[];
}

export class InstanceTable {
  private readonly byId = new Map<string, RegistryInstance>();
  private readonly byService = new Map<string, Bucket>();
  private summaries?: ServiceSummary[];

  get size(): number {
    return this.byId.size;
  }

  get(id: string): RegistryInstance | undefined {
    return this.byId.get(id);
  }

  /** Stores (or replaces) an instance, moving it if its service changed. */
  set(instance: RegistryInstance): void {
    const old = this.byId.get(instance.id);
    if (old && old.service !== instance.service) this.delete(old.id);
    this.byId.set(instance.id, instance);
    let bucket = this.byService.get(instance.service);
    if (!bucket) this.byService.set(instance.service, (bucket = { byId: new Map() }));
    bucket.byId.set(instance.id, instance);
    bucket.sorted = undefined;
    this.summaries = undefined;
  }

  delete(id: string): RegistryInstance | undefined {
    const old = this.byId.get(id);
    if (!old) return undefined;
    this.byId.delete(id);
    const bucket = this.byService.get(old.service)!;
    bucket.byId.delete(id);
    bucket.sorted = undefined;
    if (bucket.byId.size === 0) this.byService.delete(old.service);
    this.summaries = undefined;
    return old;
  }

  /** The service's instances ordered by id, or undefined when it has none. Do not mutate. */
  list(service: string): readonly RegistryInstance[] | undefined {
    const bucket = this.byService.get(service);
    if (!bucket) return undefined;
    bucket.sorted ??= [...bucket.byId.values()].sort((a, b) => naturalCompare(a.id, b.id));
    return bucket.sorted;
  }

  all(): IterableIterator<RegistryInstance> {
    return this.byId.values();
  }

  serviceNames(): IterableIterator<string> {
    return this.byService.keys();
  }

  /** Forgets the cached summaries (the declared services changed). */
  invalidateSummaries(): void {
    this.summaries = undefined;
  }

  /** One summary per service with instances or declared, by name. Do not mutate. */
  summarise(declared: ReadonlySet<string>): readonly ServiceSummary[] {
    if (this.summaries) return this.summaries;
    const names = new Set([...declared, ...this.byService.keys()]);
    this.summaries = [...names].sort(naturalCompare).map((name) => {
      const summary: ServiceSummary = { name, instances: 0, passing: 0, warning: 0, critical: 0, tags: [], declared: declared.has(name) };
      const tags = new Set<string>();
      for (const i of this.byService.get(name)?.byId.values() ?? []) {
        summary.instances++;
        summary[i.status]++;
        for (const t of i.tags) tags.add(t);
      }
      summary.tags = [...tags].sort();
      return summary;
    });
    return this.summaries;
  }
}
