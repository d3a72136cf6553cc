// One instance of a service, for as long as it exists: spawns its process (and spawns it again
// by the restart policy, keeping id and port), probes its health, stops its process group,
// adopts a process a previous daemon started, and persists itself on every change so that a
// later daemon can do the same. Each process run has a generation number; events of an older
// run (a late exit, a late probe) are ignored.

import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { InstanceInfo, InstanceState, LogLine, Prober, ServiceSpec } from '../../core/index.js';
import type { InstanceChange, InstanceEvent, InstanceStore } from '../contract.js';
import { describeExit, type ExitStatus } from './backoff.js';
import { removeFifo } from './fifo.js';
import { HealthMonitor, type HealthResult } from './health-monitor.js';
import { envHash, newInstanceData, toInstanceInfo, type NewInstance, type ProcessInstanceData } from './instance-record.js';
import { applyHealth, markExited, markSettled, markStarted, markStopped, markStoppingForRestart, planAfterExit, processEnv } from './instance-state.js';
import { allocatePort, portIsFree } from './port.js';
import { LogCapture } from './log-capture.js';
import { groupAlive, signalGroup, stopGroup } from './process-group.js';
import { isSameProcess } from './process-identity.js';
import { spawnProcess } from './spawn.js';

/** How long an exit waits for the process's last output to be read before it is reported. */
const EXIT_DRAIN_MS = 200;
/** How often the liveness of an adopted process (not our child: no exit event) is checked. */
const LIVENESS_POLL_MS = 250;
/** how long an instance without a health check must stay up to count as ready */
export const SETTLE_MS = 500;
const REAP_WAIT_MS = 1000;

export interface SupervisorContext {
  prober: Prober;
  store: InstanceStore;
  logger?: Logger;
  emit(event: InstanceEvent): void;
  onLine(line: LogLine): void;
}

export class InstanceSupervisor {
  private child: ChildProcess | undefined;
  private generation = 0;
  private stopping = false;
  private detached = false;
  private removed = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private settleTimer: NodeJS.Timeout | undefined;
  private liveness: NodeJS.Timeout | undefined;
  private health: HealthMonitor | undefined;
  private spawning: Promise<void> | undefined;
  private stopped: Promise<void> | undefined;
  private probeMessage: string | undefined;
  private persisting: Promise<void> = Promise.resolve();
  private readonly watchers = new Set<() => void>();
  readonly capture: LogCapture;

  private constructor(readonly id: string, private d: ProcessInstanceData, private readonly ctx: SupervisorContext) {
    this.capture = new LogCapture({
      service: d.service,
      instance: id,
      file: d.logFile,
      maxBytes: d.spec.logs.maxBytes,
      maxFiles: d.spec.logs.maxFiles,
      logger: ctx.logger,
      onLine: (line) => ctx.onLine(line),
    });
  }

  static create(ctx: SupervisorContext, init: NewInstance): InstanceSupervisor {
    return new InstanceSupervisor(init.id, newInstanceData(init), ctx);
  }

  static restore(ctx: SupervisorContext, id: string, data: ProcessInstanceData): InstanceSupervisor {
    return new InstanceSupervisor(id, data, ctx);
  }

  get service(): string { return this.d.service; }
  get slot(): number { return this.d.slot; }
  get spec(): ServiceSpec { return this.d.spec; }
  get env(): Record<string, string> { return this.d.env; }
  get state(): InstanceState { return this.d.state; }
  get data(): Readonly<ProcessInstanceData> { return this.d; }

  info(): InstanceInfo {
    return toInstanceInfo(this.id, this.d);
  }

  lastProbeMessage(): string | undefined {
    return this.probeMessage;
  }

  watch(fn: () => void): () => void {
    this.watchers.add(fn);
    return () => this.watchers.delete(fn);
  }

  /** Whether this instance runs what the deployment asks for (else a rollout replaces it). */
  matches(spec: ServiceSpec, env: Record<string, string>): boolean {
    return this.d.revision === spec.revision && this.d.envHash === envHash(env);
  }

  /** Takes over settings that do not need a new process (restart policy, health, stop grace…). */
  updateSpec(spec: ServiceSpec): void {
    if (JSON.stringify(spec) === JSON.stringify(this.d.spec)) return;
    this.d.spec = spec;
    this.persist();
  }

  async start(): Promise<void> {
    this.changed('created');
    await this.launch();
  }

  /** Resumes supervising a live process started by an earlier daemon: same pid, no restart. */
  adopt(): void {
    const gen = ++this.generation;
    try {
      this.capture.attach(this.d.fifos);
    } catch (err) {
      this.ctx.logger?.warn({ err, instance: this.id }, 'cannot reopen the output of an adopted instance');
    }
    if (this.d.spec.health) this.startHealth(gen, this.d.startedAt ?? Date.now(), { ready: this.d.ready, status: this.d.health });
    this.liveness = setInterval(() => {
      if (gen !== this.generation || isSameProcess(this.d.pid ?? -1, this.d.startTime)) return;
      clearInterval(this.liveness);
      void this.onExit(gen, { code: null, signal: null });
    }, LIVENESS_POLL_MS);
    this.changed('updated', 'adopted');
  }

  /** A stored instance whose process is gone: apply the restart policy to it now. */
  recover(): void {
    if (this.d.pid !== undefined) {
      void this.onExit(++this.generation, { code: null, signal: null });
    } else if (this.d.state === 'backoff' || this.d.state === 'crash-looping' || this.d.state === 'starting') {
      this.scheduleRestart(0);
    }
  }

  private launch(): Promise<void> {
    const run = this.spawnOnce().finally(() => {
      if (this.spawning === run) this.spawning = undefined;
    });
    this.spawning = run;
    return run;
  }

  private async spawnOnce(): Promise<void> {
    const gen = ++this.generation;
    const result = await spawnProcess({
      argv: this.d.spec.command,
      cwd: this.d.spec.cwd,
      env: this.processEnv(),
      fifos: this.d.fifos,
      capture: this.capture,
      proceed: () => gen === this.generation && !this.stopping && !this.detached,
      onExit: (code, signal) => void this.onExit(gen, { code, signal }),
    });
    if (!result.ok) {
      if (result.cancelled) return;
      // cannot spawn (ENOENT, EACCES, no cwd): retrying would fail the same way, so no restart loop
      Object.assign(this.d, { state: 'failed', ready: false, pid: undefined, startTime: undefined, message: result.message });
      this.changed('updated', result.message);
      return;
    }
    this.child = result.child;
    this.probeMessage = undefined;
    markStarted(this.d, result.pid, result.startTime, Date.now());
    this.changed('started');
    if (!this.d.spec.health) this.settle(gen);
    else this.startHealth(gen, this.d.startedAt!);
  }

  /**
   * Without a health check an instance counts as ready once it has stayed up SETTLE_MS, so a
   * command that dies at once fails `tutti up` instead of being reported ready (PM2's
   * min_uptime plays the same part).
   */
  private settle(gen: number): void {
    clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => {
      if (gen !== this.generation || this.stopping || this.detached || this.child === undefined) return;
      markSettled(this.d);
      this.changed('ready');
    }, SETTLE_MS);
  }

  private startHealth(gen: number, startedAt: number, initial?: { ready: boolean; status: InstanceInfo['health'] }): void {
    this.health?.stop();
    this.health = new HealthMonitor({
      prober: this.ctx.prober,
      spec: () => this.d.spec.health,
      target: () => ({ address: this.d.address, port: this.d.port, cwd: this.d.spec.cwd, env: this.processEnv() }),
      startedAt,
      initial,
      logger: this.ctx.logger,
      onResult: (r) => this.onHealth(gen, r),
    });
    this.health.start();
  }

  private onHealth(gen: number, r: HealthResult): void {
    if (gen !== this.generation || this.stopping || this.d.stopCause !== undefined) return;
    this.probeMessage = r.message;
    const change = applyHealth(this.d, r);
    if (change) this.changed(change, change === 'ready' ? undefined : r.message);
  }

  private async onExit(gen: number, exit: ExitStatus): Promise<void> {
    if (gen !== this.generation || this.detached) return;
    clearTimeout(this.settleTimer);
    this.health?.stop();
    this.health = undefined;
    clearInterval(this.liveness);
    this.child = undefined;
    const pgid = this.d.pid;
    const uptime = markExited(this.d, exit, Date.now());
    // The leader is gone: whatever it left in its group goes too (as systemd's control-group
    // kill mode does), or every restart of a crash loop would leave orphans behind.
    if (pgid !== undefined && groupAlive(pgid)) signalGroup(pgid, 'SIGKILL');
    // Let the last lines it wrote reach the log before the exit is reported.
    await this.capture.drained(EXIT_DRAIN_MS);
    if (gen !== this.generation || this.detached || this.stopping) return;
    const how = this.d.stopCause ?? describeExit(exit);
    const delay = planAfterExit(this.d, exit, uptime);
    this.changed('exited', how);
    if (delay === undefined) return;
    this.changed('restarting', this.d.message);
    this.scheduleRestart(delay);
  }

  private scheduleRestart(delay: number): void {
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping || this.detached) return;
      this.d.restarts += 1;
      void this.reclaimPort()
        .then(() => (this.stopping || this.detached ? undefined : this.launch()))
        .catch((err: unknown) => this.ctx.logger?.error({ err, instance: this.id }, 'restart failed'));
    }, delay);
  }

  /**
   * A restart keeps the instance's port, unless it was allocated and something else took it
   * while the instance was down: then it gets a new one, rather than crash-looping on a port
   * it can never bind again. The stable endpoint follows the instance's new port.
   */
  private async reclaimPort(): Promise<void> {
    if (this.d.spec.port !== 0 || (await portIsFree(this.d.port))) return;
    const before = this.d.port;
    this.d.port = await allocatePort();
    this.ctx.logger?.warn({ instance: this.id, before, after: this.d.port }, 'port taken while the instance was down; allocated another');
  }

  /**
   * The memory watch measured more resident memory than the limit in this process's group:
   * stop it (stop signal, grace, SIGKILL) and let the exit that follows count as a failure,
   * so the restart policy restarts it with backoff, or leaves it failed. `pid` is the process
   * that was measured: a sample of an earlier run is ignored, as is one of an instance being
   * stopped (by a rollout, scale down or remove) or already being restarted.
   */
  restartOverLimit(pid: number, cause: string): void {
    if (this.stopping || this.detached || this.removed || this.d.pid !== pid || this.d.stopCause !== undefined) return;
    clearTimeout(this.settleTimer);
    this.health?.stop();
    this.health = undefined;
    const wasReady = this.d.ready;
    markStoppingForRestart(this.d, cause);
    this.ctx.logger?.warn({ instance: this.id, pid, restart: this.d.spec.restart }, `${this.id}: ${cause}; stopping it`);
    this.changed(wasReady ? 'unready' : 'updated', this.d.message);
    // the exit of the group's leader is handled by onExit (our child's exit event, or the
    // liveness poll of an adopted process), which applies the restart policy
    stopGroup(pid, this.d.spec.stopSignal, this.d.spec.stopGraceMs).catch((err: unknown) =>
      this.ctx.logger?.error({ err, instance: this.id }, 'cannot stop an instance over its memory limit'),
    );
  }

  /** Stops the process group: stop signal, grace, SIGKILL. The instance stays, as 'stopped'. */
  stop(): Promise<void> {
    this.stopped ??= this.stopOnce();
    return this.stopped;
  }

  private async stopOnce(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    clearTimeout(this.settleTimer);
    await this.spawning?.catch(() => undefined);
    this.health?.stop();
    clearInterval(this.liveness);
    this.generation++; // from here on, exits are handled below, not by the restart policy
    const pid = this.d.pid;
    const child = this.child;
    if (pid === undefined) {
      if (this.d.state !== 'failed' && this.d.state !== 'completed') Object.assign(this.d, { state: 'stopped', ready: false });
      this.changed('updated', 'stopped');
      return;
    }
    const wasReady = this.d.ready;
    Object.assign(this.d, { state: 'stopping', ready: false });
    this.changed(wasReady ? 'unready' : 'updated', 'stopping');
    const exited = child && child.exitCode === null && child.signalCode === null ? once(child, 'exit').catch(() => undefined) : undefined;
    const outcome = await stopGroup(pid, this.d.spec.stopSignal, this.d.spec.stopGraceMs);
    if (exited) {
      // the group is gone; give the daemon a moment to reap the leader and read its exit status
      const reaped = new AbortController();
      await Promise.race([exited, sleep(REAP_WAIT_MS, undefined, { signal: reaped.signal }).catch(() => undefined)]);
      reaped.abort();
    }
    const exit: ExitStatus = child
      ? { code: child.exitCode, signal: child.signalCode }
      : { code: null, signal: outcome === 'killed' ? 'SIGKILL' : null };
    this.child = undefined;
    markStopped(this.d, exit, outcome, Date.now());
    await this.capture.drained(EXIT_DRAIN_MS);
    this.changed('exited', 'stopped');
  }

  /** Stops the instance and forgets it: record deleted, FIFOs unlinked (log files stay). */
  async remove(): Promise<void> {
    await this.stop();
    this.removed = true;
    await this.capture.close();
    await Promise.all([removeFifo(this.d.fifos.stdout), removeFifo(this.d.fifos.stderr)]);
    await this.persisting;
    await this.ctx.store.delete(this.id);
    this.ctx.emit({ change: 'removed', instance: this.info() });
    this.notify();
  }

  /** Lets go without stopping: the process keeps running and a later daemon adopts it. */
  async detach(): Promise<void> {
    this.detached = true;
    this.generation++;
    clearTimeout(this.restartTimer);
    clearTimeout(this.settleTimer);
    clearInterval(this.liveness);
    this.health?.stop();
    await this.spawning?.catch(() => undefined);
    this.child?.unref();
    this.child = undefined;
    await this.capture.close();
    this.persist();
    await this.persisting;
  }

  private processEnv(): Record<string, string> {
    return processEnv(this.d, this.id, process.env);
  }

  private changed(change: InstanceChange, detail?: string): void {
    if (this.removed) return;
    this.persist();
    this.ctx.emit(detail === undefined ? { change, instance: this.info() } : { change, instance: this.info(), detail });
    this.notify();
  }

  private notify(): void {
    for (const fn of [...this.watchers]) fn();
  }

  private persist(): void {
    if (this.removed) return;
    const record = { id: this.id, service: this.d.service, data: JSON.parse(JSON.stringify(this.d)) as unknown };
    this.persisting = this.persisting
      .then(() => this.ctx.store.put(record))
      .catch((err: unknown) => this.ctx.logger?.error({ err, instance: this.id }, 'cannot persist instance'));
  }
}
