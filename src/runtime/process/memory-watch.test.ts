import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../core/test-wait.js';
import type { MemoryExcess, WatchedInstance } from './memory-limit.js';
import { MemoryWatch } from './memory-watch.js';

const MiB = 1024 * 1024;
const watches: MemoryWatch[] = [];
afterEach(async () => {
  for (const w of watches.splice(0)) await w.stop();
});

function setup(initial: WatchedInstance[], rss: Map<number, number>) {
  let watched = initial;
  let limited = initial.length > 0;
  const measured: number[][] = [];
  const exceeded: MemoryExcess[] = [];
  const watch = new MemoryWatch({
    intervalMs: 20,
    active: () => limited,
    watched: () => watched,
    measure: async (pgids) => {
      measured.push(pgids);
      return rss;
    },
    exceeded: (e) => exceeded.push(e),
  });
  watches.push(watch);
  return {
    watch, measured, exceeded,
    set: (w: WatchedInstance[], hasLimits = w.length > 0) => {
      watched = w;
      limited = hasLimits;
    },
  };
}

describe('memory watch', () => {
  it('has no timer while no instance has a limit, and one once some instance has', async () => {
    const t = setup([], new Map());
    t.watch.sync();
    expect(t.watch.armed).toBe(false);
    await t.watch.sample();
    expect(t.measured).toEqual([]); // nothing to measure: no /proc scan at all
    t.set([{ id: 'web-1', pgid: 10, limitBytes: 96 * MiB }]);
    t.watch.sync();
    expect(t.watch.armed).toBe(true);
    await waitFor(() => t.measured.length >= 2, { message: 'two samples on the timer' });
    expect(t.measured[0]).toEqual([10]);
    // down between two runs (no pid to measure), it still has a limit: the timer stays
    t.set([], true);
    t.watch.sync();
    expect(t.watch.armed).toBe(true);
    t.set([], false);
    t.watch.sync();
    expect(t.watch.armed).toBe(false);
  });

  it('hands over the instances above their limit, with why', async () => {
    const t = setup(
      [{ id: 'web-1', pgid: 10, limitBytes: 96 * MiB }, { id: 'web-2', pgid: 11, limitBytes: 96 * MiB }],
      new Map([[10, 40 * MiB], [11, 120 * MiB]]),
    );
    await t.watch.sample();
    expect(t.exceeded.map((e) => [e.id, e.cause])).toEqual([['web-2', 'resident memory 120 MiB passed the limit 96 MiB']]);
  });

  it('stops for good: no sample and no timer after stop', async () => {
    const t = setup([{ id: 'web-1', pgid: 10, limitBytes: 96 * MiB }], new Map([[10, 200 * MiB]]));
    t.watch.sync();
    await t.watch.stop();
    t.watch.sync();
    expect(t.watch.armed).toBe(false);
    await t.watch.sample();
    expect(t.exceeded).toEqual([]);
  });
});
