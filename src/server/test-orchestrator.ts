// An in-memory Orchestrator for tests of the API and its client: operations are driven by
// the test (progress / complete), log lines are pushed by the test, and open log streams are
// counted so a test can prove that a disconnect ends the orchestrator's iterator.

import { TuttiError, type InstanceInfo, type LogLine, type ScoredInstance, type StackSpec } from '../core/index.js';
import type { OperationEvent, OperationInfo, OperationKind, StackStatus } from '../orchestrator/types.js';
import type { LogQuery } from '../runtime/contract.js';
import type { ControlledOrchestrator, InstanceStats } from './plugin-types.js';

interface TrackedOperation {
  info: OperationInfo;
  listeners: Set<(e: OperationEvent) => void>;
}

export class TestOrchestrator implements ControlledOrchestrator {
  stack: StackStatus | null = null;
  readonly calls: Array<{ method: string; args: unknown[] }> = [];
  readonly lines: LogLine[] = [];
  instanceStats: InstanceStats = {};
  /** log iterators currently running (started and not yet finished) */
  openLogStreams = 0;
  private readonly ops = new Map<string, TrackedOperation>();
  private readonly logWaiters = new Set<() => void>();
  private nextOp = 1;

  status(): StackStatus | null {
    return this.stack;
  }

  /** the last applied spec (null after down) */
  applied: StackSpec | null = null;
  spec(): StackSpec | null {
    return this.applied;
  }

  /** scores handed out by scores(service); set by tests */
  instanceScores: Record<string, ScoredInstance[]> = {};
  scores(service: string): ScoredInstance[] {
    return this.instanceScores[service] ?? [];
  }

  async apply(spec: StackSpec): Promise<OperationInfo> {
    this.calls.push({ method: 'apply', args: [spec] });
    if (spec.order.length === 0) throw new TuttiError('TUTTI_E_MANIFEST_INVALID', `stack ${spec.name} has no services`, { hint: 'add a service' });
    this.stack = statusOf(spec);
    this.applied = spec;
    return this.begin('apply');
  }

  restart(service: string) {
    return this.action('restart', service);
  }
  stop(service: string) {
    return this.action('stop', service);
  }
  start(service: string) {
    return this.action('start', service);
  }
  async scale(service: string, replicas: number): Promise<OperationInfo> {
    const op = await this.action('scale', service, replicas);
    const s = this.stack!.services.find((x) => x.name === service)!;
    s.replicas = replicas;
    return op;
  }

  async down(): Promise<OperationInfo> {
    this.calls.push({ method: 'down', args: [] });
    if (!this.stack) throw new TuttiError('TUTTI_E_NO_STACK', 'no stack is applied', { hint: 'run `tutti up` first' });
    this.stack = null;
    this.applied = null;
    return this.begin('down');
  }

  operation(id: string): OperationInfo | undefined {
    const op = this.ops.get(id);
    return op && { ...op.info, events: [...op.info.events] };
  }

  followOperation(id: string, listener: (e: OperationEvent) => void): () => void {
    const op = this.ops.get(id);
    if (!op) return () => {};
    for (const e of op.info.events) listener(e);
    if (op.info.done) return () => {};
    op.listeners.add(listener);
    return () => op.listeners.delete(listener);
  }

  listenerCount(id: string): number {
    return this.ops.get(id)?.listeners.size ?? 0;
  }

  /** Appends a progress event to an operation and tells its followers. */
  progress(id: string, e: Omit<OperationEvent, 'seq' | 'time'>): OperationEvent {
    const op = this.ops.get(id);
    if (!op) throw new Error(`no operation ${id}`);
    const event: OperationEvent = { seq: op.info.events.length + 1, time: Date.now(), ...e };
    op.info.events.push(event);
    if (event.phase === 'complete') {
      op.info.done = true;
      op.info.ok = event.ok;
    }
    for (const l of [...op.listeners]) l(event);
    if (op.info.done) op.listeners.clear();
    return event;
  }

  complete(id: string, ok = true): OperationEvent {
    return this.progress(id, { phase: 'complete', ok });
  }

  /** Adds a log line; running follows receive it. */
  pushLog(line: Omit<LogLine, 'time' | 'stream'> & Partial<Pick<LogLine, 'time' | 'stream'>>): void {
    this.lines.push({ time: Date.now(), stream: 'stdout', ...line });
    for (const wake of [...this.logWaiters]) wake();
  }

  async *logs(query: LogQuery, signal: AbortSignal): AsyncIterable<LogLine> {
    this.calls.push({ method: 'logs', args: [query] });
    if (query.services?.includes('explode')) throw new TuttiError('TUTTI_E_INTERNAL', 'log files are unreadable');
    this.openLogStreams++;
    try {
      const matches = (l: LogLine) =>
        (!query.services?.length || query.services.includes(l.service)) &&
        (!query.instances?.length || query.instances.includes(l.instance)) &&
        (query.sinceMs === undefined || l.time >= query.sinceMs);
      const past = this.lines.filter(matches);
      const initial = query.tail === undefined ? past : past.slice(Math.max(0, past.length - query.tail));
      for (const l of initial) yield l;
      if (!query.follow) return;
      let seen = this.lines.length;
      while (!signal.aborted) {
        while (seen < this.lines.length) {
          const l = this.lines[seen++];
          if (matches(l)) yield l;
        }
        await new Promise<void>((resolve) => {
          const wake = () => {
            this.logWaiters.delete(wake);
            signal.removeEventListener('abort', wake);
            resolve();
          };
          this.logWaiters.add(wake);
          signal.addEventListener('abort', wake, { once: true });
        });
      }
    } finally {
      this.openLogStreams--;
    }
  }

  async stats(): Promise<InstanceStats> {
    return this.instanceStats;
  }

  async close(): Promise<void> {}

  private async action(kind: OperationKind, service: string, ...rest: unknown[]): Promise<OperationInfo> {
    this.calls.push({ method: kind, args: [service, ...rest] });
    if (!this.stack) throw new TuttiError('TUTTI_E_NO_STACK', 'no stack is applied', { hint: 'run `tutti up` first' });
    if (!this.stack.services.some((s) => s.name === service)) {
      throw new TuttiError('TUTTI_E_UNKNOWN_SERVICE', `no service named ${service} in stack ${this.stack.name}`);
    }
    return this.begin(kind);
  }

  private begin(kind: OperationKind): OperationInfo {
    const id = `op-${this.nextOp++}`;
    this.ops.set(id, { info: { id, kind, startedAt: Date.now(), done: false, events: [] }, listeners: new Set() });
    return this.operation(id)!;
  }
}

function statusOf(spec: StackSpec): StackStatus {
  const instances: InstanceInfo[] = spec.order.map((name, i) => ({
    id: `${name}-1`,
    service: name,
    revision: spec.services[name].revision,
    slot: 0,
    address: '127.0.0.1',
    port: 40000 + i,
    pid: 1000 + i,
    state: 'running',
    health: 'passing',
    ready: true,
    restarts: 0,
    createdAt: 1_700_000_000_000,
    startedAt: 1_700_000_000_500,
    lastExit: i === 0 ? { code: null, signal: 'SIGKILL', at: 1_700_000_000_400 } : undefined,
  }));
  return {
    name: spec.name,
    file: spec.file,
    dir: spec.dir,
    appliedAt: Date.now(),
    health: 1,
    services: spec.order.map((name) => ({
      name,
      state: 'running',
      desired: spec.services[name].replicas,
      replicas: spec.services[name].replicas,
      ready: spec.services[name].replicas,
      stopped: false,
      revision: spec.services[name].revision,
      importance: spec.services[name].importance,
      health: 1,
      endpoint: `http://127.0.0.1:${41000 + spec.order.indexOf(name)}`,
      dependsOn: { ...spec.services[name].dependsOn },
    })),
    instances,
  };
}
