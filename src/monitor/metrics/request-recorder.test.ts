import { describe, expect, it } from 'vitest';
import { codeClass, DURATION_BUCKETS, isErrorStatus } from './catalog.js';
import { bucketIndex, cumulativeBuckets, RequestRecorder } from './request-recorder.js';

describe('codeClass and isErrorStatus', () => {
  it.each([
    [200, '2xx', false], [204, '2xx', false], [302, '3xx', false], [404, '4xx', false], [429, '4xx', false],
    [500, '5xx', true], [503, '5xx', true], [0, 'error', true], [999, 'error', true], [-1, 'error', true],
  ])('status %d → code %s, error %s', (status, code, error) => {
    expect(codeClass(status)).toBe(code);
    expect(isErrorStatus(status)).toBe(error);
  });
});

describe('bucketIndex', () => {
  it.each([
    [0, 0], [0.0005, 0], [0.00051, 1], [0.001, 1], [0.003, 3], [0.1, 7], [9.99, 13], [10, 13], [10.01, 14], [3600, 14],
  ])('%f s goes to slot %d (le inclusive)', (s, slot) => {
    expect(bucketIndex(s)).toBe(slot);
  });
  it('has one slot per bound plus +Inf', () => {
    expect(bucketIndex(Infinity)).toBe(DURATION_BUCKETS.length);
  });
});

describe('RequestRecorder', () => {
  it('counts requests by code class, errors, and durations into cumulative buckets', () => {
    let t = 1000;
    const r = new RequestRecorder({ now: () => t });
    r.record({ service: 'web', instance: 'web-1', status: 200, durationSeconds: 0.0004 });
    r.record({ service: 'web', instance: 'web-1', status: 201, durationSeconds: 0.02 });
    r.record({ service: 'web', instance: 'web-1', status: 503, durationSeconds: 0.3 });
    t = 2000;
    r.record({ service: 'web', instance: 'web-1', status: 0, durationSeconds: 12 });
    r.record({ service: 'web', instance: 'web-2', status: 404, durationSeconds: 0.001 });
    const [a, b] = [...r.entries()];
    expect([...a.codes]).toEqual([['2xx', 2], ['5xx', 1], ['error', 1]]);
    expect(a).toMatchObject({ service: 'web', instance: 'web-1', errors: 2, count: 4, lastAt: 2000 });
    expect(a.sum).toBeCloseTo(12.3204, 6);
    const cum = cumulativeBuckets(a);
    expect(cum.map((c) => c.le)).toEqual([...DURATION_BUCKETS.map(String), '+Inf']);
    expect(Object.fromEntries(cum.map((c) => [c.le, c.count]))).toMatchObject({ '0.0005': 1, '0.025': 2, '0.25': 2, '0.5': 3, '10': 3, '+Inf': 4 });
    expect(b).toMatchObject({ instance: 'web-2', errors: 0, count: 1 });
  });

  it('forgets instances that are gone and idle, keeps live or recent ones', () => {
    let t = 0;
    const r = new RequestRecorder({ now: () => t });
    for (const instance of ['a-1', 'a-2', 'a-3']) {
      t += 100;
      r.record({ service: 'a', instance, status: 200, durationSeconds: 0.01 });
    }
    // a-1 is live; a-2 is gone and idle since 200; a-3 is gone but had a request at 300
    expect(r.prune((_s, i) => i === 'a-1', 250)).toBe(1);
    expect([...r.entries()].map((e) => e.instance)).toEqual(['a-1', 'a-3']);
  });

  it('refuses new instances beyond maxEntries instead of growing', () => {
    const r = new RequestRecorder({ maxEntries: 2 });
    for (const instance of ['x', 'y', 'z', 'x']) r.record({ service: 's', instance, status: 200, durationSeconds: 0 });
    expect(r.size).toBe(2);
    expect(r.refused).toBe(1);
    expect([...r.entries()][0].count).toBe(2);
  });
});
