// The orchestrator: keeps the stack the user applied, decides what each operation changes,
// and drives a runtime to get there, one operation at a time (later ones queue). It owns the
// services' stable endpoints and records what happens in the store's event history.

import { TuttiError, type ServiceSpec, type StackSpec } from '../core/index.js';
import type { RequestOutcome } from '../proxy/index.js';
import type { Registry } from '../registry/index.js';
import type { Deployment, LogQuery, Progress, Runtime } from '../runtime/index.js';
import type { DesiredService, OrchestratorStore } from './deps.js';
import { EndpointSet } from './endpoints.js';
import { Operation, OperationLog } from './operation.js';
import { dependencyEnv, deploymentRevision, planApply, reverseWaves } from './plan.js';
import { checkCommand, checkPortFree } from './preflight.js';
import { rolloutStack } from './stack-rollout.js';
import { stackStatus } from './status.js';
import type { OperationKind, Orchestrator, StackStatus } from './types.js';

export interface OrchestratorOptions {
  store: OrchestratorStore;
  runtime: Runtime;
  /** where stable endpoints listen */
  host?: string;
  /** the service registry: local instances are registered in it, endpoints balance over its healthy instances */
  registry?: Registry;
  /** every request (or connection) through a stable endpoint, for metrics */
  onOutcome?: (outcome: RequestOutcome) => void;
  /** environment for every instance that does not make it a new revision when it changes
   *  (the control plane's URL and the services' token, for the client SDK) */
  instanceEnv?: Record<string, string>;
  logger?: { info(o: object, m?: string): void; warn(o: object, m?: string): void; error(o: object, m?: string): void };
}

export async function createOrchestrator(opts: OrchestratorOptions): Promise<Orchestrator> {
  const o = new StackOrchestrator(opts);
  await o.load();
  return o;
}

class StackOrchestrator implements Orchestrator {
  private stack: StackSpec | null = null;
  private appliedAt = 0;
  private desired = new Map<string, DesiredService>();
  private readonly endpoints: EndpointSet;
  private failures = new Map<string, string>();
  private ops = new OperationLog();
  private queue: Promise<unknown> = Promise.resolve();
  private abort = new AbortController();
  private unobserve: () => void;
  private readonly host: string;

  constructor(private readonly opts: OrchestratorOptions) {
    this.host = opts.host ?? '127.0.0.1';
    this.endpoints = new EndpointSet({ host: this.host, runtime: opts.runtime, registry: opts.registry, onOutcome: opts.onOutcome });
    for (const i of opts.runtime.instances()) opts.registry?.syncLocal(i);
    this.unobserve = opts.runtime.observe((e) => {
      opts.registry?.syncLocal(e.instance, e.change === 'removed');
      if (e.change === 'updated' || e.change === 'created') return;
      const i = e.instance;
      const message = e.detail ?? `${i.id} ${e.change}${i.lastExit && e.change === 'exited' ? ` (code ${i.lastExit.code ?? '?'}${i.lastExit.signal ? `, ${i.lastExit.signal}` : ''})` : ''}`;
      this.opts.store.events.add({ time: Date.now(), kind: `instance.${e.change}`, service: i.service, instance: i.id, message }).catch(() => {});
    });
  }

  /** Restores the applied stack after a daemon restart and reconciles it (adopted instances stay). */
  async load(): Promise<void> {
    const saved = await this.opts.store.stack.get();
    for (const d of await this.opts.store.services.list()) this.desired.set(d.name, d);
    if (!saved) return;
    this.stack = saved.spec;
    this.appliedAt = saved.appliedAt;
    this.opts.registry?.setDeclaredServices(saved.spec.order);
    await this.ensureEndpoints(saved.spec);
    this.enqueue('apply', (op, signal) => this.rollout(op, signal, saved.spec, saved.spec.order));
  }

  spec(): StackSpec | null {
    return this.stack;
  }

  scores(service: string) {
    return this.endpoints.get(service)?.scores?.() ?? [];
  }

  status(): StackStatus | null {
    if (!this.stack) return null;
    const endpoints = new Map<string, string>();
    const clusterUrls = new Map<string, string>();
    for (const name of this.stack.order) {
      const url = this.endpointUrl(name);
      if (url) endpoints.set(name, url);
      const own = this.opts.runtime.serviceUrl?.(name);
      if (own) clusterUrls.set(name, own);
    }
    return stackStatus({
      stack: this.stack,
      appliedAt: this.appliedAt,
      desired: this.desired,
      instances: this.opts.runtime.instances(),
      endpoints,
      clusterUrls,
      failures: this.failures,
    });
  }

  async apply(next: StackSpec) {
    if (next.runtime && next.runtime !== this.opts.runtime.name) {
      throw new TuttiError('TUTTI_E_BAD_REQUEST', `this control plane runs services on the ${this.opts.runtime.name} runtime, not ${next.runtime}`, {
        hint: `the runtime is chosen when the control plane starts: run \`tutti down\` first (it stops the stack and the control plane), then \`tutti up --runtime ${next.runtime}\``,
      });
    }
    // on a cluster, only the image counts: commands and ports are the pods', not this machine's
    const local = this.opts.runtime.name !== 'kubernetes';
    const previous = this.stack ?? undefined;
    const plan = planApply(previous, next);
    for (const name of [...plan.added, ...plan.changed]) {
      const spec = next.services[name];
      const old = previous?.services[name];
      if (!local || (old && old.revision === spec.revision)) continue; // only replicas changed
      checkCommand(spec);
      if (spec.port !== 0 && old?.port !== spec.port) await checkPortFree(spec);
    }
    return this.enqueue('apply', async (op, signal) => {
      const before = this.stack;
      this.stack = next;
      this.appliedAt = Date.now();
      this.opts.registry?.setDeclaredServices(next.order);
      for (const name of next.order) {
        const prev = this.desired.get(name);
        const replicas = previous?.services[name]?.replicas === next.services[name].replicas && prev ? prev.replicas : next.services[name].replicas;
        await this.saveDesired({ name, replicas, stopped: false, endpointPort: prev?.endpointPort });
      }
      await this.opts.store.stack.put(next);
      for (const wave of reverseWaves(before ?? next, plan.removed)) {
        await Promise.all(wave.map((name) => this.removeService(op, name, signal)));
      }
      await this.ensureEndpoints(next);
      // unchanged services go through the runtime too: it leaves them untouched, but starts a
      // stopped one again and replaces instances that failed, as `docker compose up` does
      const ok = await this.rollout(op, signal, next, next.order, before ?? undefined);
      // what the runtime still holds of services the manifest no longer names (a cluster's objects outlive the daemon)
      if (ok) await this.prune(op, next.name, next.order);
      return ok;
    });
  }

  restart(service: string) {
    this.requireService(service);
    return this.enqueue('restart', (op, signal) => this.drive(op, service, this.opts.runtime.restart(service, signal)));
  }

  scale(service: string, replicas: number) {
    this.requireService(service);
    if (!Number.isInteger(replicas) || replicas < 0) {
      throw new TuttiError('TUTTI_E_BAD_REQUEST', `replicas must be a whole number of 0 or more, got ${replicas}`);
    }
    const spec = this.stack!.services[service];
    if (replicas > 1 && spec.port !== 0) {
      throw new TuttiError('TUTTI_E_BAD_REQUEST', `service ${service} has a fixed port (${spec.port}), so it cannot run ${replicas} instances`, {
        hint: `set services.${service}.port to 0 to allocate a port per instance`,
      });
    }
    return this.enqueue('scale', async (op, signal) => {
      const d = this.desiredOf(service);
      await this.saveDesired({ ...d, replicas });
      return this.drive(op, service, this.opts.runtime.apply(this.deployment(spec), signal));
    });
  }

  stop(service: string) {
    this.requireService(service);
    return this.enqueue('stop', async (op, signal) => {
      await this.saveDesired({ ...this.desiredOf(service), stopped: true });
      return this.drive(op, service, this.opts.runtime.apply(this.deployment(this.stack!.services[service]), signal));
    });
  }

  start(service: string) {
    this.requireService(service);
    return this.enqueue('start', async (op, signal) => {
      await this.saveDesired({ ...this.desiredOf(service), stopped: false });
      return this.drive(op, service, this.opts.runtime.apply(this.deployment(this.stack!.services[service]), signal));
    });
  }

  down() {
    return this.enqueue('down', async (op, signal) => {
      const stack = this.stack;
      if (stack) {
        for (const wave of reverseWaves(stack, [...stack.order])) {
          await Promise.all(wave.map((name) => this.removeService(op, name, signal)));
        }
        await this.prune(op, stack.name, []);
      }
      await this.opts.store.stack.delete();
      this.stack = null;
      this.opts.registry?.setDeclaredServices([]);
      this.failures.clear();
      return true;
    });
  }

  operation(id: string) {
    return this.ops.get(id)?.info();
  }

  followOperation(id: string, listener: Parameters<Orchestrator['followOperation']>[1]) {
    const op = this.ops.get(id);
    if (!op) throw new TuttiError('TUTTI_E_BAD_REQUEST', `no operation ${id}`);
    return op.follow(listener);
  }

  logs(query: LogQuery, signal: AbortSignal) {
    return this.opts.runtime.logs(query, signal);
  }

  stats() {
    return this.opts.runtime.stats();
  }

  async close(): Promise<void> {
    this.abort.abort();
    this.unobserve();
    await this.endpoints.closeAll();
    await this.opts.runtime.detach();
  }

  // ---- internals -------------------------------------------------------------------------

  private enqueue(kind: OperationKind, work: (op: Operation, signal: AbortSignal) => Promise<boolean>) {
    const op = this.ops.add(new Operation(kind));
    const run = async () => {
      try {
        const ok = await work(op, this.abort.signal);
        op.complete(ok, ok ? undefined : 'one or more services failed');
      } catch (err) {
        this.opts.logger?.error({ err }, `${kind} failed`);
        op.complete(false, (err as Error).message);
      }
      this.opts.store.events.add({ time: Date.now(), kind: `operation.${kind}`, message: `${kind} ${op.ok ? 'succeeded' : 'failed'}` }).catch(() => {});
    };
    this.queue = this.queue.then(run, run);
    return Promise.resolve(op.info());
  }

  private async rollout(op: Operation, signal: AbortSignal, stack: StackSpec, services: string[], previous?: StackSpec) {
    for (const s of services) this.failures.delete(s);
    return rolloutStack(stack, services, {
      runtime: this.opts.runtime,
      op,
      signal,
      deployment: (spec) => this.deployment(spec),
      settled: (service, ok, message) => {
        if (ok) return;
        this.failures.set(service, message ?? 'failed');
        // keep what runs: the stored stack goes back to the previous spec of a failed service
        const old = previous?.services[service];
        if (old && this.stack) {
          this.stack = { ...this.stack, services: { ...this.stack.services, [service]: old } };
          this.opts.store.stack.put(this.stack).catch(() => {});
        }
      },
    });
  }

  private async drive(op: Operation, service: string, progress: AsyncIterable<Progress>): Promise<boolean> {
    let ok = true;
    for await (const p of progress) {
      op.emit({ service, phase: p.phase, instance: p.instance, message: p.message, logs: p.logs });
      if (p.phase === 'failed') ok = false;
    }
    if (ok) this.failures.delete(service);
    return ok;
  }

  private deployment(spec: ServiceSpec): Deployment {
    const d = this.desiredOf(spec.name);
    const env = dependencyEnv(spec, this.stack!.name, (dep) => this.endpointUrl(dep));
    return {
      spec: { ...spec, revision: deploymentRevision(spec, env) },
      replicas: d.stopped ? 0 : d.replicas,
      env: { ...this.opts.instanceEnv, ...env },
    };
  }

  private endpointUrl(service: string): string | undefined {
    return this.stack?.services[service] ? this.endpoints.get(service)?.url : undefined;
  }

  private async ensureEndpoints(stack: StackSpec): Promise<void> {
    const ports = await this.endpoints.ensure(stack, (name) => this.desiredOf(name).endpointPort);
    for (const [name, port] of ports) {
      const d = this.desiredOf(name);
      if (port !== d.endpointPort) await this.saveDesired({ ...d, endpointPort: port });
    }
  }

  private async removeService(op: Operation, name: string, signal: AbortSignal): Promise<void> {
    op.emit({ service: name, phase: 'stopping' });
    await this.opts.runtime.remove(name, signal);
    await this.endpoints.remove(name);
    this.failures.delete(name);
    if (!this.stack?.services[name] || op.kind === 'down') {
      this.desired.delete(name);
      await this.opts.store.services.delete(name);
    }
    op.emit({ service: name, phase: 'removed' });
  }

  private async prune(op: Operation, stack: string, keep: string[]): Promise<void> {
    const pruned = (await this.opts.runtime.prune?.(stack, keep)) ?? [];
    for (const what of pruned) {
      op.emit({ service: what, phase: 'removed', message: `pruned ${what}` });
      this.opts.store.events.add({ time: Date.now(), kind: 'stack.pruned', message: `pruned ${what}` }).catch(() => {});
    }
  }

  private desiredOf(name: string): DesiredService {
    return this.desired.get(name) ?? { name, replicas: this.stack?.services[name]?.replicas ?? 1, stopped: false };
  }

  private async saveDesired(d: DesiredService): Promise<void> {
    this.desired.set(d.name, d);
    await this.opts.store.services.put(d);
  }

  private requireService(name: string): void {
    if (!this.stack) throw new TuttiError('TUTTI_E_NO_STACK', 'no stack is applied', { hint: 'run `tutti up` first' });
    if (!this.stack.services[name]) {
      throw new TuttiError('TUTTI_E_UNKNOWN_SERVICE', `no service named ${name} in stack ${this.stack.name}`, {
        hint: `services: ${this.stack.order.join(', ')}`,
      });
    }
  }
}
