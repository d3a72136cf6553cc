import { describe, expect, it } from 'vitest';
import type { HealthSpec } from '../../core/index.js';
import { HealthTracker } from './health-tracker.js';

const spec = (over: Partial<HealthSpec> = {}): HealthSpec => ({
  http: '/healthz', intervalMs: 1000, timeoutMs: 500, healthyAfter: 2, unhealthyAfter: 3, startPeriodMs: 0, ...over,
});

describe('health tracker', () => {
  it('becomes ready after healthyAfter consecutive successes', () => {
    const t = new HealthTracker(0);
    expect(t.record(true, 10, spec())).toBe(null);
    expect(t.record(false, 20, spec())).toBe(null);   // breaks the run
    expect(t.record(true, 30, spec())).toBe(null);
    expect(t.record(true, 40, spec())).toBe('ready');
    expect(t.ready).toBe(true);
    expect(t.status).toBe('passing');
  });

  it('becomes unready after unhealthyAfter consecutive failures, then ready again', () => {
    const t = new HealthTracker(0, { ready: true, status: 'passing' });
    const s = spec({ healthyAfter: 1 });
    expect(t.record(false, 1000, s)).toBe(null);
    expect(t.record(false, 2000, s)).toBe(null);
    expect(t.record(false, 3000, s)).toBe('unready');
    expect(t.status).toBe('failing');
    expect(t.record(true, 4000, s)).toBe('ready');
  });

  it('does not count failures inside the start period', () => {
    const t = new HealthTracker(0);
    const s = spec({ startPeriodMs: 5000, unhealthyAfter: 1 });
    t.record(false, 4999, s);
    expect(t.status).toBe('unknown');
    t.record(false, 5000, s);
    expect(t.status).toBe('failing');
  });

  it('probes fast until the first pass, counting one failure per interval', () => {
    const t = new HealthTracker(0);
    const s = spec({ unhealthyAfter: 2, intervalMs: 1000 });
    const delays: number[] = [];
    for (const now of [0, 100, 500, 900, 5000, 20_000]) delays.push(t.nextDelayMs(s, now));
    expect(delays).toEqual([25, 25, 50, 90, 500, 1000]);   // a tenth of the start-up time so far
    for (let now = 0; now < 1000; now += 100) t.record(false, now, s);
    expect(t.consecutiveFailures).toBe(1);   // ten quick failures inside one interval count once
    t.record(false, 1000, s);
    expect(t.status).toBe('failing');
  });

  it('probes on the interval once it has passed', () => {
    const t = new HealthTracker(0);
    t.record(true, 0, spec({ healthyAfter: 1 }));
    expect(t.nextDelayMs(spec(), 10)).toBe(1000);
  });
});
