// The registry's recent history: every change gets the next index (one per change, so the
// index of a change also says where it sits in the ring) and the last `capacity` changes are
// kept for watchers that resume. A watcher whose index is older than what is kept, or that
// comes from another daemon's lifetime, is told to re-list (reset) instead of getting a
// partial history.

import type { ChangeBatch, RegistryEvent, RegistryInstance } from './types.js';

export const DEFAULT_HISTORY_SIZE = 10_000;

export class ChangeLog {
  private readonly ring: Array<RegistryEvent | undefined>;
  private last: number;
  /** every change after this index is kept */
  private floor: number;

  /** `start`: the index this log begins at (changes before it are unknown: a resume from
   *  any earlier index is a reset) */
  constructor(private readonly capacity = DEFAULT_HISTORY_SIZE, start = 0) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('historySize must be a positive integer');
    this.ring = new Array<RegistryEvent | undefined>(capacity);
    this.last = start;
    this.floor = start;
  }

  get index(): number {
    return this.last;
  }

  /** Records a change; the instance must already carry modifyIndex = index + 1. */
  append(type: RegistryEvent['type'], instance: RegistryInstance): RegistryEvent {
    const index = ++this.last;
    const event: RegistryEvent = { index, type, service: instance.service, instance };
    this.ring[index % this.capacity] = event;
    if (index - this.floor > this.capacity) this.floor = index - this.capacity;
    return event;
  }

  /** Changes after `since` (only the service's when one is named), oldest first. */
  since(since: number, service?: string): ChangeBatch {
    if (!Number.isInteger(since) || since < this.floor || since > this.last) return { index: this.last, events: [], reset: true };
    const events: RegistryEvent[] = [];
    for (let i = since + 1; i <= this.last; i++) {
      const event = this.ring[i % this.capacity]!;
      if (service === undefined || event.service === service) events.push(event);
    }
    return { index: this.last, events, reset: false };
  }
}
