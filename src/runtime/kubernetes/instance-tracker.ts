// Turns the pod cache's changes into instances and instance events: each pod of a service is
// an instance (slots handed out lowest first, kept while the pod lives), and every change of
// pod that matters (created, ready, unready, restarting, exited, removed) is told to the
// observers — which the orchestrator turns into registry updates.

import type { V1Pod } from '@kubernetes/client-node';
import { naturalCompare, type InstanceInfo } from '../../core/index.js';
import type { InstanceEvent } from '../contract.js';
import type { ClusterCache } from './cluster-cache.js';
import { instanceChange, podInstance, serviceOfPod } from './pod-instance.js';

export class InstanceTracker {
  private readonly current = new Map<string, InstanceInfo>();
  private readonly slots = new Map<string, number>();
  private readonly wasReady = new Set<string>();
  private readonly listeners = new Set<(event: InstanceEvent) => void>();
  private readonly unsubscribe: () => void;

  constructor(cache: ClusterCache, private readonly onListenerError: (err: unknown) => void = () => {}) {
    const pods = cache.list('Pod').sort((a, b) => created(a) - created(b) || naturalCompare(a.metadata!.name!, b.metadata!.name!));
    for (const pod of pods) this.update(pod, false);
    this.unsubscribe = cache.onChange((kind, type, object) => {
      if (kind !== 'Pod') return;
      if (type === 'delete') this.remove(object.metadata!.name!);
      else this.update(object as V1Pod, true);
    });
  }

  private slotFor(pod: V1Pod): number {
    const name = pod.metadata!.name!;
    const known = this.slots.get(name);
    if (known !== undefined) return known;
    const service = serviceOfPod(pod);
    const taken = new Set([...this.current.values()].filter((i) => i.service === service).map((i) => i.slot));
    let slot = 0;
    while (taken.has(slot)) slot++;
    this.slots.set(name, slot);
    return slot;
  }

  private update(pod: V1Pod, tell: boolean): void {
    const name = pod.metadata!.name!;
    const info = podInstance(pod, this.slotFor(pod), this.wasReady.has(name));
    if (!info) return;
    if (info.ready) this.wasReady.add(name);
    const before = this.current.get(name);
    this.current.set(name, info);
    const change = instanceChange(before, info);
    if (tell && change) this.tell({ change, instance: info, ...(info.message && { detail: `${name} ${change}: ${info.message}` }) });
  }

  private remove(name: string): void {
    const before = this.current.get(name);
    this.current.delete(name);
    this.slots.delete(name);
    this.wasReady.delete(name);
    if (before) this.tell({ change: 'removed', instance: { ...before, state: 'stopped', ready: false } });
  }

  private tell(event: InstanceEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }

  instances(service?: string): InstanceInfo[] {
    return [...this.current.values()]
      .filter((i) => service === undefined || i.service === service)
      .sort((a, b) => naturalCompare(a.service, b.service) || a.slot - b.slot || naturalCompare(a.id, b.id));
  }

  get(id: string): InstanceInfo | undefined {
    return this.current.get(id);
  }

  observe(listener: (event: InstanceEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.unsubscribe();
    this.listeners.clear();
  }
}

function created(pod: V1Pod): number {
  return new Date(pod.metadata?.creationTimestamp ?? 0).getTime();
}
