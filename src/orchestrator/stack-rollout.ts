// Rolls a whole stack out: every service is handed to the runtime as soon as its
// dependencies meet their conditions (started / healthy / completed), so independent services
// start in parallel and dependents wait. A service whose dependency fails is not started.

import type { InstanceInfo, ServiceSpec, StackSpec } from '../core/index.js';
import type { Deployment, Progress, Runtime } from '../runtime/index.js';
import type { Operation } from './operation.js';

export interface RolloutHooks {
  runtime: Runtime;
  op: Operation;
  signal: AbortSignal;
  /** the deployment to hand to the runtime for this service */
  deployment(spec: ServiceSpec): Deployment;
  /** called with each service's outcome */
  settled(service: string, ok: boolean, message?: string): void;
}

type Outcome = { ok: boolean; message?: string };

/** Rolls out `services` (a subset of stack.order, others are treated as already satisfied). */
export async function rolloutStack(stack: StackSpec, services: string[], hooks: RolloutHooks): Promise<boolean> {
  const { runtime, op } = hooks;
  const todo = new Set(services);
  const started = new Map<string, Promise<Outcome>>();
  const finished = new Map<string, Promise<Outcome>>();
  const resolvers = new Map<string, (o: Outcome) => void>();

  for (const name of stack.order) {
    if (!todo.has(name)) {
      started.set(name, Promise.resolve({ ok: true }));
      finished.set(name, Promise.resolve({ ok: true }));
      continue;
    }
    let onStarted!: (o: Outcome) => void;
    started.set(name, new Promise<Outcome>((r) => (onStarted = r)));
    resolvers.set(name, onStarted);
  }

  const runService = async (name: string): Promise<Outcome> => {
    const spec = stack.services[name];
    const deps = Object.entries(spec.dependsOn);
    if (deps.length > 0) {
      op.emit({ service: name, phase: 'waiting', message: `waiting for ${deps.map(([d, c]) => `${d} (${c})`).join(', ')}` });
    }
    for (const [dep, condition] of deps) {
      const outcome = await waitCondition(dep, condition);
      if (!outcome.ok) {
        const message = `not started: dependency ${dep} ${outcome.message ?? 'failed'}`;
        resolvers.get(name)?.({ ok: false, message });
        op.emit({ service: name, phase: 'failed', message });
        return { ok: false, message };
      }
    }
    let result: Outcome = { ok: false, message: 'rollout ended without a result' };
    try {
      for await (const p of runtime.apply(hooks.deployment(spec), hooks.signal)) {
        relay(p);
        if (p.phase === 'starting' || p.phase === 'ready' || p.phase === 'unchanged' || p.phase === 'done') {
          resolvers.get(name)?.({ ok: true });
        }
        if (p.phase === 'done') result = { ok: true };
        if (p.phase === 'failed') result = { ok: false, message: p.message };
      }
    } catch (err) {
      result = { ok: false, message: (err as Error).message };
      op.emit({ service: name, phase: 'failed', message: result.message });
    }
    resolvers.get(name)?.(result);
    return result;
  };

  const relay = (p: Progress) => op.emit({ service: p.service, phase: p.phase, instance: p.instance, message: p.message, logs: p.logs });

  const waitCondition = async (dep: string, condition: string): Promise<Outcome> => {
    if (condition === 'started') return started.get(dep)!;
    const outcome = await finished.get(dep)!;
    if (!outcome.ok) return { ok: false, message: outcome.message ? `failed: ${outcome.message}` : 'failed' };
    if (condition === 'completed') return waitCompleted(dep);
    return outcome;
  };

  const waitCompleted = (dep: string): Promise<Outcome> =>
    new Promise((resolve) => {
      const check = (): boolean => {
        const all = runtime.instances(dep);
        const verdict = completion(all);
        if (!verdict) return false;
        stop();
        resolve(verdict);
        return true;
      };
      const stop = runtime.observe((e) => {
        if (e.instance.service === dep) check();
      });
      const onAbort = () => { stop(); resolve({ ok: false, message: 'was cancelled' }); };
      hooks.signal.addEventListener('abort', onAbort, { once: true });
      check();
    });

  for (const name of stack.order) {
    if (todo.has(name)) finished.set(name, runService(name));
  }
  const outcomes = await Promise.all([...todo].map((n) => finished.get(n)!));
  outcomes.forEach((o, i) => hooks.settled([...todo][i], o.ok, o.message));
  return outcomes.every((o) => o.ok);
}

function completion(instances: InstanceInfo[]): Outcome | undefined {
  if (instances.length === 0) return undefined;
  const bad = instances.find((i) => i.state === 'failed' || i.state === 'crash-looping');
  if (bad) return { ok: false, message: `did not complete: ${bad.message ?? `instance ${bad.id} ${bad.state}`}` };
  if (instances.every((i) => i.state === 'completed')) return { ok: true };
  return undefined;
}
