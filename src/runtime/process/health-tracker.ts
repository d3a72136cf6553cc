// Health thresholds as a pure state machine: consecutive successes make an instance ready,
// consecutive failures (outside the start period) make it unhealthy. Until an instance has
// passed once it is probed again after a tenth of the time it has been starting (at least
// 25 ms, at most the interval), so it is found ready within ~10% of its own start-up time
// instead of up to a full interval later, while a slow starter is not probed in a tight loop.
// During that phase at most one failure per interval counts, so `unhealthyAfter` still means
// "that many intervals of failing".

import type { HealthSpec, HealthStatus } from '../../core/index.js';

export type HealthChange = 'ready' | 'unready' | null;

const MIN_DELAY_MS = 25;

export class HealthTracker {
  private successes = 0;
  private failures = 0;
  private lastCountedFailureAt: number | undefined;
  private everPassed: boolean;
  ready: boolean;
  status: HealthStatus;

  constructor(private readonly startedAt: number, initial: { ready: boolean; status: HealthStatus } = { ready: false, status: 'unknown' }) {
    this.ready = initial.ready;
    this.status = initial.status;
    this.everPassed = initial.ready;
  }

  record(ok: boolean, now: number, spec: HealthSpec): HealthChange {
    if (ok) {
      this.successes++;
      this.failures = 0;
      this.lastCountedFailureAt = undefined;
      if (this.successes >= Math.max(1, spec.healthyAfter)) {
        this.everPassed = true;
        this.status = 'passing';
        if (!this.ready) {
          this.ready = true;
          return 'ready';
        }
      }
      return null;
    }
    this.successes = 0;
    if (now - this.startedAt < spec.startPeriodMs) return null;
    const fastPhase = !this.everPassed;
    if (fastPhase && this.lastCountedFailureAt !== undefined && now - this.lastCountedFailureAt < spec.intervalMs) return null;
    this.failures++;
    this.lastCountedFailureAt = now;
    if (this.failures >= Math.max(1, spec.unhealthyAfter)) {
      this.status = 'failing';
      if (this.ready) {
        this.ready = false;
        return 'unready';
      }
    }
    return null;
  }

  /** Delay before the next probe. */
  nextDelayMs(spec: HealthSpec, now: number): number {
    if (this.everPassed) return spec.intervalMs;
    const starting = Math.max(0, now - this.startedAt);
    return Math.min(spec.intervalMs, Math.max(MIN_DELAY_MS, Math.round(starting / 10)));
  }

  /** Failures counted towards `unhealthyAfter` right now. */
  get consecutiveFailures(): number {
    return this.failures;
  }
}
