// One tracked operation (apply, restart, scale, …): an ordered list of events that any number
// of followers can replay and then receive live, until the 'complete' event.

import { randomUUID } from 'node:crypto';
import type { OperationEvent, OperationInfo, OperationKind } from './types.js';

const KEEP = 50; // finished operations kept for late followers

export class Operation {
  readonly id = randomUUID();
  readonly startedAt = Date.now();
  readonly events: OperationEvent[] = [];
  done = false;
  ok?: boolean;
  private listeners = new Set<(e: OperationEvent) => void>();

  constructor(readonly kind: OperationKind) {}

  emit(e: Omit<OperationEvent, 'seq' | 'time'>): void {
    if (this.done) return;
    const event: OperationEvent = { seq: this.events.length + 1, time: Date.now(), ...e };
    this.events.push(event);
    if (event.phase === 'complete') {
      this.done = true;
      this.ok = event.ok;
    }
    for (const l of this.listeners) l(event);
    if (this.done) this.listeners.clear();
  }

  complete(ok: boolean, message?: string): void {
    this.emit({ phase: 'complete', ok, message });
  }

  follow(listener: (e: OperationEvent) => void): () => void {
    for (const e of this.events) listener(e);
    if (this.done) return () => {};
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  info(): OperationInfo {
    return { id: this.id, kind: this.kind, startedAt: this.startedAt, done: this.done, ok: this.ok, events: [...this.events] };
  }
}

export class OperationLog {
  private byId = new Map<string, Operation>();

  add(op: Operation): Operation {
    this.byId.set(op.id, op);
    if (this.byId.size > KEEP) {
      for (const [id, o] of this.byId) {
        if (this.byId.size <= KEEP) break;
        if (o.done) this.byId.delete(id);
      }
    }
    return op;
  }

  get(id: string): Operation | undefined {
    return this.byId.get(id);
  }
}
