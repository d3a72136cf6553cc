import { describe, expect, it } from 'vitest';
import { createSeriesStore, type SeriesSample } from './series-store.js';

// The memory target: an hour of samples at the default 5 s for 100 instances stays
// under 64 MB, and running longer does not grow it. (The timed figure is the benchmark's.)
const MB = 1024 * 1024;
const HOUR = 3_600_000;
const METRICS = Array.from({ length: 20 }, (_, i) => `tutti_metric_${i}`);
const INSTANCES = Array.from({ length: 100 }, (_, i) => ({ service: `svc-${i % 10}`, instance: `svc-${i % 10}-${i}` }));

/** One sampling tick: every metric of every instance (2,000 series). */
function* tick(t: number): Generator<SeriesSample> {
  for (const name of METRICS) {
    for (const labels of INSTANCES) yield { name, labels, t, v: t / 1000 };
  }
}

describe('memory bound', () => {
  it('holds 2,000 series × 1 h under 64 MB and does not grow over a second hour', () => {
    const store = createSeriesStore();
    let t = 0;
    const runFor = (ms: number) => {
      for (const end = t + ms; t < end; t += 5_000) store.appendMany(tick(t));
    };

    runFor(HOUR);
    const first = store.stats();
    expect(first).toMatchObject({ series: 2_000, points: 2_000 * 720, dropped: 0, rejected: 0 });
    expect(first.bytes).toBeLessThan(64 * MB);

    runFor(HOUR);
    const second = store.stats();
    expect(second.series).toBe(2_000);
    // Each ring is full: its capacity, not the run time, sets the count.
    expect(second.points).toBe(2_000 * store.options.pointsPerSeries);
    expect(second.bytes).toBe(first.bytes);

    // And what a reader gets is exactly the last hour.
    const [series] = store.select([
      { name: '__name__', op: '=', value: 'tutti_metric_0' },
      { name: 'instance', op: '=', value: 'svc-3-13' },
    ], 0, t);
    expect(series.points.length).toBe(720);
    expect(series.points[0].t).toBe(t - HOUR);
    expect(series.points[719].t).toBe(t - 5_000);
  });

  it('lets instances come and go without growing past what compaction leaves', () => {
    const store = createSeriesStore({ retentionMs: 60_000, intervalMs: 5_000 });
    let peak = 0;
    // Every minute a fresh generation of 50 instances replaces the last, for 30 minutes.
    for (let minute = 0; minute < 30; minute++) {
      for (let s = 0; s < 60; s += 5) {
        const t = minute * 60_000 + s * 1000;
        for (let i = 0; i < 50; i++) store.append('up', { instance: `gen${minute}-${i}` }, t, 1);
      }
      store.compact(minute * 60_000 + 55_000);
      peak = Math.max(peak, store.stats().series);
    }
    // The current generation and the previous one (idle for less than the retention).
    expect(peak).toBe(100);
    expect(store.labelValues('instance').length).toBe(100);
  });
});
