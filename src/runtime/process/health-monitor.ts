// Probes one running process of an instance for as long as it runs: calls the Prober, feeds
// the result to a HealthTracker, and reports readiness changes. Stopped (aborting any probe in
// flight) when the process exits, the instance is stopped or the daemon detaches.

import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { HealthSpec, HealthStatus, Prober } from '../../core/index.js';
import { HealthTracker, type HealthChange } from './health-tracker.js';

export interface HealthResult {
  change: HealthChange;
  ready: boolean;
  status: HealthStatus;
  /** the failed probe's message; undefined when the probe passed */
  message?: string;
}

export interface HealthMonitorOptions {
  prober: Prober;
  /** read before every probe, so a changed check applies without restarting the instance */
  spec(): HealthSpec | undefined;
  target(): Parameters<Prober['probe']>[1];
  startedAt: number;
  initial?: { ready: boolean; status: HealthStatus };
  onResult(result: HealthResult): void;
  logger?: Logger;
}

export class HealthMonitor {
  private readonly abort = new AbortController();
  private readonly tracker: HealthTracker;

  constructor(private readonly opts: HealthMonitorOptions) {
    this.tracker = new HealthTracker(opts.startedAt, opts.initial);
  }

  start(): void {
    void this.loop().catch((err: unknown) => this.opts.logger?.error({ err }, 'health monitor stopped unexpectedly'));
  }

  stop(): void {
    this.abort.abort();
  }

  private async loop(): Promise<void> {
    const { signal } = this.abort;
    while (!signal.aborted) {
      const spec = this.opts.spec();
      if (!spec) return;
      let result: { ok: boolean; message?: string };
      try {
        result = await this.opts.prober.probe(spec, this.opts.target(), signal);
      } catch (err) {
        result = { ok: false, message: err instanceof Error ? err.message : String(err) };
      }
      if (signal.aborted) return;
      const change = this.tracker.record(result.ok, Date.now(), spec);
      this.opts.onResult({
        change,
        ready: this.tracker.ready,
        status: this.tracker.status,
        message: result.ok ? undefined : (result.message ?? 'health check failed'),
      });
      try {
        await sleep(this.tracker.nextDelayMs(spec, Date.now()), undefined, { signal });
      } catch {
        return; // aborted
      }
    }
  }
}
