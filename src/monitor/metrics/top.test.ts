import { describe, expect, it } from 'vitest';
import type { StackStatus } from '../../orchestrator/types.js';
import { createSeriesStore } from '../series/index.js';
import { DURATION_BUCKETS } from './catalog.js';
import { computeTop } from './top.js';

const T0 = 1_000_000_000;
const status = {
  name: 'shop',
  health: 0.5,
  services: [
    { name: 'web', desired: 2, ready: 1 },
    { name: 'db', desired: 1, ready: 1 },
  ],
  instances: [
    { id: 'web-1', service: 'web', state: 'running', ready: true, restarts: 2 },
    { id: 'web-2', service: 'web', state: 'backoff', ready: false, restarts: 5 },
    { id: 'db-1', service: 'db', state: 'running', ready: true, restarts: 0 },
  ],
} as unknown as StackStatus;

/** A minute of samples every 5 s: web-1 uses 0.1 core and 100 MB, serves 10 ok + 1 failed req/s, all within 5-10 ms. */
function store() {
  const s = createSeriesStore();
  const w1 = { service: 'web', instance: 'web-1' };
  for (let k = 0; k <= 12; k++) {
    const t = T0 + k * 5000;
    s.append('tutti_instance_cpu_seconds_total', w1, t, 100 + 0.5 * k);
    s.append('tutti_instance_resident_memory_bytes', w1, t, 100e6);
    s.append('tutti_instance_resident_memory_bytes', { service: 'db', instance: 'db-1' }, t, 20e6);
    s.append('tutti_endpoint_requests_total', { ...w1, code: '2xx' }, t, 1000 + 50 * k);
    s.append('tutti_endpoint_requests_total', { ...w1, code: '5xx' }, t, 100 + 5 * k);
    s.append('tutti_endpoint_request_errors_total', w1, t, 100 + 5 * k);
    for (const le of [...DURATION_BUCKETS.map(String), '+Inf']) {
      s.append('tutti_endpoint_request_duration_seconds_bucket', { ...w1, le }, t, Number(le) < 0.01 ? 0 : 1100 + 55 * k);
    }
  }
  return s;
}

describe('computeTop', () => {
  const view = computeTop({ status, source: store(), t: T0 + 60_000, windowMs: 30_000 });

  it('computes the figures of an instance with traffic over the window', () => {
    const w1 = view.services[0].instances[0];
    expect(w1).toMatchObject({ service: 'web', instance: 'web-1', state: 'running', ready: true, restarts: 2, memoryBytes: 100e6 });
    expect(w1.cpuPercent).toBeCloseTo(10, 6);
    expect(w1.requestsPerSecond).toBeCloseTo(11, 6);
    expect(w1.errorRatio).toBeCloseTo(1 / 11, 6);
    // every request in the (5 ms, 10 ms] bucket: p99 interpolates to 99 % of the way through it
    expect(w1.p99Seconds).toBeCloseTo(0.005 + 0.005 * 0.99, 9);
  });

  it('sums a service over its instances and shows an instance without series as 0 req/s and unknowns', () => {
    const web = view.services[0];
    expect(web).toMatchObject({ service: 'web', ready: 1, desired: 2, restarts: 7, memoryBytes: 100e6 });
    expect(web.requestsPerSecond).toBeCloseTo(11, 6);
    expect(web.p99Seconds).toBeCloseTo(0.00995, 9);
    expect(web.instances[1]).toEqual({
      service: 'web', instance: 'web-2', state: 'backoff', ready: false, restarts: 5,
      cpuPercent: null, memoryBytes: null, requestsPerSecond: 0, p99Seconds: null, errorRatio: null,
    });
  });

  it('leaves request figures empty for a service without a stable endpoint\'s traffic', () => {
    expect(view.services[1]).toMatchObject({ service: 'db', memoryBytes: 20e6, requestsPerSecond: null, p99Seconds: null, errorRatio: null, cpuPercent: null });
    expect(view).toMatchObject({ stack: 'shop', health: 0.5, windowMs: 30_000, time: T0 + 60_000 });
  });

  it('filters services, and works without a series store', () => {
    expect(computeTop({ status, source: store(), t: T0 + 60_000, windowMs: 30_000, services: ['db'] }).services.map((s) => s.service)).toEqual(['db']);
    const bare = computeTop({ status, source: undefined, t: T0, windowMs: 30_000 });
    expect(bare.services[0]).toMatchObject({ ready: 1, desired: 2, cpuPercent: null, requestsPerSecond: null, restarts: 7 });
  });
});
