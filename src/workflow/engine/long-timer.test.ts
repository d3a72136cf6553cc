import { afterEach, describe, expect, it, vi } from 'vitest';
import { longInterval, longTimeout } from './long-timer.js';

const DAY = 24 * 3600 * 1000;

describe('longTimeout / longInterval', () => {
  afterEach(() => vi.useRealTimers());

  it('waits a delay longer than a Node.js timer holds (30 days), not 1 ms', () => {
    vi.useFakeTimers();
    const fn = vi.fn();
    longTimeout(fn, 30 * DAY);
    vi.advanceTimersByTime(1000);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(25 * DAY);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(5 * DAY);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('cancels, also between chunks', () => {
    vi.useFakeTimers();
    const fn = vi.fn();
    const cancel = longTimeout(fn, 30 * DAY);
    vi.advanceTimersByTime(26 * DAY);
    cancel();
    vi.advanceTimersByTime(10 * DAY);
    expect(fn).not.toHaveBeenCalled();
  });

  it('repeats every 30 days, and short intervals as usual', () => {
    vi.useFakeTimers();
    const long = vi.fn();
    const short = vi.fn();
    const stopLong = longInterval(long, 30 * DAY);
    const stopShort = longInterval(short, 1000);
    vi.advanceTimersByTime(5000);
    expect(short).toHaveBeenCalledTimes(5);
    expect(long).not.toHaveBeenCalled();
    // stopped before the 60 days: five million fake ticks of it would take the test half a minute
    stopShort();
    vi.advanceTimersByTime(1000);
    expect(short).toHaveBeenCalledTimes(5);
    vi.advanceTimersByTime(60 * DAY);
    expect(long).toHaveBeenCalledTimes(2);
    stopLong();
    vi.advanceTimersByTime(60 * DAY);
    expect(long).toHaveBeenCalledTimes(2);
  });
});
