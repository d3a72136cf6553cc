import { describe, expect, it } from 'vitest';
import { effectiveLatency, effectiveSuccess, newInstanceState, recordOutcome, refreshEjection } from './instance-state.js';

const outlier = { consecutiveFailures: 3, baseEjectionMs: 1000, maxEjectionMs: 3000 };
const yes = () => true;

describe('instance signals', () => {
  it('smooths latency of ok outcomes and success of all outcomes with α = 0.2', () => {
    const s = newInstanceState();
    const steps: Array<[boolean, number, number | undefined, number]> = [
      // ok, latency, latency EWMA after, success EWMA after
      [true, 10, 10, 1],          // the first sample is taken as it is
      [true, 20, 12, 1],          // 10 + 0.2 × (20 − 10)
      [false, 0.1, 12, 0.8],      // a failure's latency is not a latency sample
      [true, 20, 13.6, 0.84],     // 12 + 0.2 × 8; 0.8 + 0.2 × 0.2
    ];
    for (const [ok, latency, l, success] of steps) {
      s.inFlight += 1;
      recordOutcome(s, ok, latency, 0, outlier, yes);
      expect(effectiveLatency(s, 0)).toBeCloseTo(l!, 10);
      expect(s.successEwma).toBeCloseTo(success, 10);
      expect(s.inFlight).toBe(0);
    }
    expect(s.requests).toBe(4);
  });

  it.each([[0, 10], [2000, 5], [4000, 2.5], [6000, 1.25]])('an idle latency halves every 2 s: after %i ms → %f', (idle, l) => {
    const s = newInstanceState();
    recordOutcome(s, true, 10, 1000, outlier, yes);
    expect(effectiveLatency(s, 1000 + idle)).toBeCloseTo(l, 10);
  });

  it.each([[0, 0.8], [2000, 0.9], [4000, 0.95]])('an idle success EWMA halves its distance to 1 every 2 s: after %i ms → %f', (idle, v) => {
    const s = newInstanceState();
    recordOutcome(s, false, 1, 1000, outlier, yes);
    expect(effectiveSuccess(s, 1000 + idle)).toBeCloseTo(v, 10);
  });

  it('has no latency before the first sample', () => {
    expect(effectiveLatency(newInstanceState(), 5)).toBeUndefined();
  });
});

describe('outlier ejection', () => {
  // base 1 s, max 3 s, 3 consecutive failures
  it('follows the timeline: eject, return, re-eject longer, cap, step back after healthy time', () => {
    const s = newInstanceState();
    const fail = (t: number) => recordOutcome(s, false, 1, t, outlier, yes);
    const ok = (t: number) => recordOutcome(s, true, 1, t, outlier, yes);
    fail(0); fail(10);
    expect(s.ejectedUntil).toBe(0);
    fail(20);
    expect(s.ejectedUntil).toBe(1020); // 1st ejection: 1 s
    expect(refreshEjection(s, 1019)).toBe(true);
    expect(refreshEjection(s, 1020)).toBe(false); // back, with optimistic signals
    expect(s.successEwma).toBe(1);
    expect(effectiveLatency(s, 1020)).toBeUndefined();
    fail(1100);
    expect(s.ejectedUntil).toBe(3100); // one failure right after return: 2nd ejection, 2 s
    refreshEjection(s, 3100);
    fail(3200);
    expect(s.ejectedUntil).toBe(6200); // 3rd: 4 s capped at 3 s
    refreshEjection(s, 6200);
    ok(6300);
    expect(s.consecutiveFailures).toBe(0); // one success resets the count
    fail(8700); fail(8701);
    expect(s.ejectedUntil).toBe(0);
    fail(8702);
    // 2.5 s back in service steps the count back by 2 (3 → 1), so this is the 2nd again: 2 s
    expect(s.ejectedUntil).toBe(10702);
  });

  it('does not eject when that would leave no candidate, and ejects on a later failure once it may', () => {
    const s = newInstanceState();
    for (let t = 0; t < 5; t++) recordOutcome(s, false, 1, t, outlier, () => false);
    expect(s.ejectedUntil).toBe(0);
    recordOutcome(s, false, 1, 5, outlier, yes);
    expect(s.ejectedUntil).toBe(1005);
  });

  it('does not extend an ejection with the failures of requests still in flight', () => {
    const s = newInstanceState();
    for (let t = 0; t < 5; t++) recordOutcome(s, false, 1, t, outlier, yes);
    expect(s.ejectedUntil).toBe(1002);
    expect(s.ejections).toBe(1);
  });

  it('never ejects with consecutiveFailures 0', () => {
    const s = newInstanceState();
    for (let t = 0; t < 10; t++) recordOutcome(s, false, 1, t, { ...outlier, consecutiveFailures: 0 }, yes);
    expect(s.ejectedUntil).toBe(0);
  });
});
