// The checks of external instances, Consul style: a TTL check turns critical when no heartbeat
// came within the TTL; an http check is passing on 2xx/3xx, warning on 429 (the instance is
// up but shedding load) and critical otherwise; a tcp check is passing when a connection opens.
// An instance critical for longer than its deregisterCriticalAfterMs is handed back for removal.
// Timers are unref'd (they never keep the daemon alive) and all cleared by stopAll().

import type { HealthSpec } from '../core/index.js';
import { httpProbe, tcpProbe } from './probes/index.js';
import type { ProbeResult, ProbeTarget } from './probes/index.js';
import { ttlExpiredOutput } from './registration.js';
import type { CheckDefinition, CheckStatus, RegistryInstance } from './types.js';

export interface CheckHost {
  now(): number;
  /** a check's verdict; the registry records a change when status or output differ */
  report(id: string, status: CheckStatus, output: string | undefined): void;
  /** the instance has been critical for longer than its deregisterCriticalAfterMs */
  expire(id: string): void;
}

type Probe = (check: HealthSpec, target: ProbeTarget, signal: AbortSignal) => Promise<ProbeResult>;

interface Slot {
  check: CheckDefinition;
  address: string;
  port: number;
  timer?: NodeJS.Timeout;
  removal?: NodeJS.Timeout;
  removalAt?: number;
  probing?: AbortController;
}

function unrefTimer(fn: () => void, ms: number): NodeJS.Timeout {
  const t = setTimeout(fn, Math.max(0, ms));
  t.unref();
  return t;
}

/** What a probe result means for the instance. */
export function verdict(result: ProbeResult): { status: CheckStatus; output?: string } {
  if (result.ok) return { status: 'passing' };
  const output = result.message ?? 'check failed';
  return { status: / returned 429$/.test(output) ? 'warning' : 'critical', output };
}

export class HealthChecks {
  private readonly slots = new Map<string, Slot>();

  constructor(
    private readonly host: CheckHost,
    private readonly probes: { http: Probe; tcp: Probe } = { http: httpProbe, tcp: tcpProbe },
  ) {}

  /** (Re)starts the checks of an external instance: a full TTL from now, or a probe right away. */
  start(instance: RegistryInstance): void {
    this.stop(instance.id);
    if (!instance.check) return;
    const slot: Slot = { check: instance.check, address: instance.address, port: instance.port };
    this.slots.set(instance.id, slot);
    if (slot.check.ttlMs !== undefined) this.armTtl(instance.id, slot);
    else slot.timer = unrefTimer(() => void this.probe(instance.id, slot), 0);
    this.critical(instance);
  }

  /** A heartbeat came: the TTL starts over. */
  heartbeat(id: string): void {
    const slot = this.slots.get(id);
    if (slot?.check.ttlMs !== undefined) this.armTtl(id, slot);
  }

  /** Arms the removal of an instance that is critical (from its criticalSince), or disarms it. */
  critical(instance: RegistryInstance): void {
    const slot = this.slots.get(instance.id);
    if (!slot) return;
    const at = instance.criticalSince === undefined ? undefined : instance.criticalSince + slot.check.deregisterCriticalAfterMs;
    if (at === slot.removalAt) return;
    clearTimeout(slot.removal);
    slot.removal = undefined;
    slot.removalAt = at;
    if (at !== undefined) slot.removal = unrefTimer(() => this.expireIfCurrent(instance.id, slot), at - this.host.now());
  }

  stop(id: string): void {
    const slot = this.slots.get(id);
    if (!slot) return;
    this.slots.delete(id);
    clearTimeout(slot.timer);
    clearTimeout(slot.removal);
    slot.probing?.abort();
  }

  stopAll(): void {
    for (const id of [...this.slots.keys()]) this.stop(id);
  }

  private armTtl(id: string, slot: Slot): void {
    clearTimeout(slot.timer);
    const ttlMs = slot.check.ttlMs!;
    slot.timer = unrefTimer(() => {
      if (this.slots.get(id) === slot) this.host.report(id, 'critical', ttlExpiredOutput(ttlMs));
    }, ttlMs);
  }

  private expireIfCurrent(id: string, slot: Slot): void {
    if (this.slots.get(id) === slot) this.host.expire(id);
  }

  private async probe(id: string, slot: Slot): Promise<void> {
    const abort = new AbortController();
    slot.probing = abort;
    const { check } = slot;
    const spec: HealthSpec = { intervalMs: check.intervalMs!, timeoutMs: check.timeoutMs!, healthyAfter: 1, unhealthyAfter: 1, startPeriodMs: 0 };
    let result: ProbeResult;
    try {
      if (check.http !== undefined) {
        const url = new URL(check.http);
        const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
        result = await this.probes.http({ ...spec, http: url.pathname + url.search }, { address: host, port: Number(url.port || 80), cwd: '', env: {} }, abort.signal);
      } else {
        result = await this.probes.tcp({ ...spec, tcp: true }, { address: slot.address, port: slot.port, cwd: '', env: {} }, abort.signal);
      }
    } catch (err) {
      result = { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
    // stopped, replaced or deregistered while probing: the answer is about nothing any more
    if (this.slots.get(id) !== slot || abort.signal.aborted) return;
    slot.probing = undefined;
    const v = verdict(result);
    this.host.report(id, v.status, v.output);
    if (this.slots.get(id) === slot) slot.timer = unrefTimer(() => void this.probe(id, slot), check.intervalMs!);
  }
}
