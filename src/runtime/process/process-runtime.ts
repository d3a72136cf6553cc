// The process driver: runs each instance of a service as a supervised local process group.
// State lives in stateDir (run/ for FIFOs and instance counters, logs/ for captured output)
// and in the InstanceStore, so a daemon that restarts adopts what is still running. Captured
// logs are pruned by age when the runtime starts and then hourly. Instances with a memory limit
// are restarted when their process group's resident memory passes it (memory-watch.ts).

import fs from 'node:fs';
import path from 'node:path';
import pidusage from 'pidusage';
import type { Logger } from 'pino';
import { naturalCompare, type InstanceInfo, type LogLine, type Prober } from '../../core/index.js';
import type { Deployment, InstanceEvent, InstanceStore, LogQuery, Progress, Runtime } from '../contract.js';
import { restoreInstances } from './adopt.js';
import { AsyncQueue } from '../async-queue.js';
import { InstanceCounters, instanceNumber, serviceOfInstance } from './counters.js';
import { InstanceSupervisor, type SupervisorContext } from './instance-supervisor.js';
import { KeyedQueue } from '../keyed-queue.js';
import { followLogs } from './log-follow.js';
import { listLogSources, readInstanceLines } from './log-reader.js';
import { DEFAULT_LOG_MAX_AGE_MS, LOG_RETENTION_INTERVAL_MS, pruneLogs, scheduleRetention } from './log-retention.js';
import { groupResidentMemory } from './group-memory.js';
import { DEFAULT_MEMORY_CHECK_MS, MEMORY_CHECK_ENV, memoryCheckIntervalFromEnv, memoryLimitOf, type WatchedInstance } from './memory-limit.js';
import { MemoryWatch } from './memory-watch.js';
import { portFor } from './port.js';
import { rollOut, type RolloutHost, type RolloutMode } from './rollout.js';

export interface ProcessRuntimeOptions {
  stateDir: string;
  prober: Prober;
  store: InstanceStore;
  logger?: Logger;
  /** time between two log retention checks; default 1 hour */
  logRetentionIntervalMs?: number;
  /** time between two samples of the memory of instances with a memory limit; default
   *  $TUTTI_MEMORY_CHECK_MS, else 3 s */
  memoryCheckIntervalMs?: number;
}

export async function createProcessRuntime(opts: ProcessRuntimeOptions): Promise<Runtime> {
  const runDir = path.join(opts.stateDir, 'run');
  const logsDir = path.join(opts.stateDir, 'logs');
  await fs.promises.mkdir(runDir, { recursive: true });
  await fs.promises.mkdir(logsDir, { recursive: true });

  const logger = opts.logger?.child({ runtime: 'process' });
  const counters = await InstanceCounters.load(path.join(runDir, 'counters.json'));
  const supervisors = new Map<string, InstanceSupervisor>();
  const listeners = new Set<(event: InstanceEvent) => void>();
  const lineListeners = new Set<(line: LogLine) => void>();
  const followClosers = new Set<() => void>();
  const queue = new KeyedQueue();
  // aborts operations in flight when the runtime detaches, so detach does not wait out a rollout
  const lifetime = new AbortController();
  let detached = false;

  const ctx: SupervisorContext = {
    prober: opts.prober,
    store: opts.store,
    logger,
    emit: (event) => fanOut(listeners, event),
    onLine: (line) => fanOut(lineListeners, line),
  };

  // a failing listener must not break supervision or log capture
  function fanOut<T>(targets: Set<(value: T) => void>, value: T): void {
    for (const target of [...targets]) {
      try {
        target(value);
      } catch (err) {
        logger?.error({ err }, 'runtime listener failed');
      }
    }
  }

  const instancesOf = (service: string): InstanceSupervisor[] => [...supervisors.values()].filter((s) => s.service === service);

  const lastLines = async (id: string, n: number): Promise<string[]> => {
    const sup = supervisors.get(id);
    await sup?.capture.flushed();
    const service = sup?.service ?? serviceOfInstance(id);
    const lines = await readInstanceLines({ service, instance: id, dir: path.join(logsDir, service) }, { tail: n });
    return lines.map((l) => l.text);
  };

  const host: RolloutHost = {
    instancesOf,
    lastLines,
    async startInstance(deployment, slot) {
      const service = deployment.spec.name;
      const id = `${service}-${await counters.next(service)}`;
      const sup = InstanceSupervisor.create(ctx, {
        id,
        slot,
        port: await portFor(deployment.spec.port),
        spec: deployment.spec,
        env: deployment.env,
        fifos: { stdout: path.join(runDir, `${id}.stdout`), stderr: path.join(runDir, `${id}.stderr`) },
        logFile: path.join(logsDir, service, `${id}.log`),
      });
      supervisors.set(id, sup);
      memory.sync();
      await sup.start();
      return sup;
    },
    async removeInstance(sup) {
      try {
        await sup.remove();
      } finally {
        supervisors.delete(sup.id);
        memory.sync();
      }
    },
  };

  const fromEnv = memoryCheckIntervalFromEnv(process.env[MEMORY_CHECK_ENV]);
  if (fromEnv === 'invalid') logger?.warn({ value: process.env[MEMORY_CHECK_ENV] }, `${MEMORY_CHECK_ENV} is not a positive number of milliseconds; sampling memory every ${DEFAULT_MEMORY_CHECK_MS} ms`);
  const memory = new MemoryWatch({
    intervalMs: opts.memoryCheckIntervalMs ?? (typeof fromEnv === 'number' ? fromEnv : DEFAULT_MEMORY_CHECK_MS),
    active: () => [...supervisors.values()].some((sup) => memoryLimitOf(sup.spec) !== undefined),
    watched: () => {
      const out: WatchedInstance[] = [];
      for (const sup of supervisors.values()) {
        const limitBytes = memoryLimitOf(sup.spec);
        // an instance being stopped (rollout, scale down, remove, or over its limit already) is left alone
        if (limitBytes !== undefined && sup.data.pid !== undefined && sup.state !== 'stopping') out.push({ id: sup.id, pgid: sup.data.pid, limitBytes });
      }
      return out;
    },
    // the whole process group of each instance, not only its leader (see group-memory.ts)
    measure: (pgids) => groupResidentMemory(pgids),
    exceeded: ({ id, pgid, cause }) => supervisors.get(id)?.restartOverLimit(pgid, cause),
    logger,
  });

  // numbers that show up in log files are taken too, even if their records are long gone
  for (const source of await listLogSources(logsDir, {})) counters.atLeast(source.service, instanceNumber(source.instance) ?? 0);
  for (const sup of await restoreInstances(await opts.store.list(), { ctx, counters, logger })) supervisors.set(sup.id, sup);
  memory.sync();

  // max_age of each service's logs as last deployed; the files of services no longer deployed
  // (taken down before this daemon started) get the default
  const maxAges = new Map<string, number>();
  const maxAgeOf = (service: string): number =>
    maxAges.get(service) ?? instancesOf(service)[0]?.spec.logs.maxAgeMs ?? DEFAULT_LOG_MAX_AGE_MS;
  const retention = scheduleRetention(
    async () => {
      const removed = await pruneLogs({
        logsDir,
        maxAgeOf,
        instanceExists: (_service, instance) => supervisors.has(instance),
        serviceHasInstances: (service) => instancesOf(service).length > 0,
      });
      if (removed.length > 0) logger?.info({ removed: removed.length }, 'deleted log files past their max_age');
    },
    { intervalMs: opts.logRetentionIntervalMs ?? LOG_RETENTION_INTERVAL_MS, onError: (err) => logger?.warn({ err }, 'log retention check failed') },
  );
  await retention.first;

  /** Runs a rollout in the service's queue and streams its progress. */
  const operate = (deployment: Deployment | undefined, service: string, mode: RolloutMode, signal: AbortSignal): AsyncIterable<Progress> => {
    const out = new AsyncQueue<Progress>();
    if (detached) {
      out.push({ service, phase: 'failed', message: 'the process runtime has been detached' });
      out.end();
      return out;
    }
    void queue
      .run(service, async () => {
        const target = deployment ?? currentDeployment(instancesOf(service));
        if (!target) {
          // nothing runs, so there is nothing to restart
          out.push({ service, phase: 'unchanged' });
          out.push({ service, phase: 'done' });
          return;
        }
        try {
          await rollOut(host, target, mode, AbortSignal.any([signal, lifetime.signal]), (p) => out.push(p));
        } finally {
          memory.sync(); // a rollout may have changed the spec (and limit) of instances it kept
        }
      })
      .catch((err: unknown) => {
        logger?.error({ err, service }, `${mode} failed`);
        out.push({ service, phase: 'failed', message: err instanceof Error ? err.message : String(err) });
      })
      .finally(() => out.end());
    return out;
  };

  return {
    name: 'process',

    apply(deployment, signal) {
      maxAges.set(deployment.spec.name, deployment.spec.logs.maxAgeMs ?? DEFAULT_LOG_MAX_AGE_MS);
      return operate(deployment, deployment.spec.name, 'apply', signal);
    },

    restart(service, signal) {
      return operate(undefined, service, 'restart', signal);
    },

    async remove(service) {
      await queue.run(service, async () => {
        await Promise.all(instancesOf(service).map((sup) => host.removeInstance(sup)));
      });
    },

    instances(service) {
      const all = [...supervisors.values()].filter((s) => service === undefined || s.service === service);
      return all.map((s) => s.info()).sort(byServiceAndNumber);
    },

    observe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    logs(query: LogQuery, signal: AbortSignal) {
      return followLogs({
        logsDir,
        query,
        signal,
        flushed: () => Promise.all([...supervisors.values()].map((s) => s.capture.flushed())).then(() => undefined),
        subscribe: (fn, onClose) => {
          lineListeners.add(fn);
          followClosers.add(onClose);
          return () => {
            lineListeners.delete(fn);
            followClosers.delete(onClose);
          };
        },
      });
    },

    lastLines,

    async stats() {
      // the group leaders only; a memory limit holds for the whole group (group-memory.ts)
      const byPid = new Map<number, string>();
      for (const sup of supervisors.values()) if (sup.data.pid !== undefined) byPid.set(sup.data.pid, sup.id);
      if (byPid.size === 0) return {};
      let usage: Record<string, { cpu: number; memory: number; ctime?: number } | undefined>;
      try {
        usage = (await pidusage([...byPid.keys()])) as Record<string, { cpu: number; memory: number; ctime?: number } | undefined>;
      } catch {
        return {}; // the only process exited between listing and measuring
      }
      const out: Record<string, { cpu: number; memory: number; cpuSeconds?: number }> = {};
      for (const [pid, id] of byPid) {
        const u = usage[String(pid)];
        // ctime: user + system CPU time in ms, from /proc/<pid>/stat (ps on other systems)
        if (u) out[id] = { cpu: u.cpu, memory: u.memory, ...(typeof u.ctime === 'number' && Number.isFinite(u.ctime) && { cpuSeconds: u.ctime / 1000 }) };
      }
      return out;
    },

    async detach() {
      if (detached) return;
      detached = true;
      lifetime.abort();
      await retention.stop();
      await memory.stop();
      await queue.idle();
      for (const close of [...followClosers]) close();
      await Promise.all([...supervisors.values()].map((s) => s.detach()));
      supervisors.clear();
      listeners.clear();
      lineListeners.clear();
      pidusage.clear();
    },
  };
}

/** The deployment the instances of a service were started from (newest revision wins). */
function currentDeployment(instances: InstanceSupervisor[]): Deployment | undefined {
  if (instances.length === 0) return undefined;
  const newest = [...instances].sort((a, b) => b.data.createdAt - a.data.createdAt)[0];
  const replicas = new Set(instances.map((s) => s.slot)).size;
  return { spec: newest.spec, env: newest.env, replicas };
}

function byServiceAndNumber(a: InstanceInfo, b: InstanceInfo): number {
  return naturalCompare(a.service, b.service) || naturalCompare(a.id, b.id);
}
