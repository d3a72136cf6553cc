import { describe, expect, it } from 'vitest';
import { DEFAULT_QOS_WEIGHTS } from './defaults.js';
import { normaliseWeights, scoreInstance, scoreInstances, type InstanceSignals } from './score.js';

const sig = (s: Partial<InstanceSignals>): InstanceSignals => ({ successEwma: 1, inFlight: 0, health: 'passing', ...s });

describe('scoreInstance', () => {
  // default weights: latency 0.45, success 0.3, load 0.15, health 0.1
  it.each([
    ['fresh instance', sig({}), 10, { latency: 1, success: 1, load: 1, health: 1 }, 1],
    // latency: (10 × 1.2 + 1) / 20 = 0.65 (the tolerance band, LATENCY_TOLERANCE)
    ['twice the lowest latency, one failure, one in flight, warning', sig({ latencyEwmaMs: 20, successEwma: 0.8, inFlight: 1, health: 'warning' }), 10,
      { latency: 0.65, success: 0.8, load: 0.5, health: 0.5 }, 0.2925 + 0.24 + 0.075 + 0.05],
    ['within 20 % + 1 ms of the fastest counts as fastest', sig({ latencyEwmaMs: 4.8 }), 3.2, { latency: 1, success: 1, load: 1, health: 1 }, 1],
    ['the fastest, half failing, three in flight', sig({ latencyEwmaMs: 10, successEwma: 0.5, inFlight: 3 }), 10,
      { latency: 1, success: 0.5, load: 0.25, health: 1 }, 0.45 + 0.15 + 0.0375 + 0.1],
    ['51 ms against 1 ms', sig({ latencyEwmaMs: 51 }), 1, { latency: 2.2 / 51, success: 1, load: 1, health: 1 }, (0.45 * 2.2) / 51 + 0.55],
    ['samples but nobody to compare with', sig({ latencyEwmaMs: 51 }), undefined, { latency: 1, success: 1, load: 1, health: 1 }, 1],
    ['a latency of 0 ms', sig({ latencyEwmaMs: 0 }), 1, { latency: 1, success: 1, load: 1, health: 1 }, 1],
  ])('%s', (_, signals, lowest, terms, score) => {
    const r = scoreInstance(signals, lowest, DEFAULT_QOS_WEIGHTS);
    for (const [k, v] of Object.entries(terms)) expect(r.terms[k as keyof typeof terms]).toBeCloseTo(v, 10);
    expect(r.score).toBeCloseTo(score, 10);
  });

  const terms = sig({ latencyEwmaMs: 20, successEwma: 0.8, inFlight: 1, health: 'warning' }); // 0.65, 0.8, 0.5, 0.5
  it.each([
    ['latency only', { latency: 1, success: 0, load: 0, health: 0 }, 0.65],
    ['all zero → equal weights', { latency: 0, success: 0, load: 0, health: 0 }, (0.65 + 0.8 + 0.5 + 0.5) / 4],
    ['unnormalised 2:2', { latency: 2, success: 2, load: 0, health: 0 }, 0.325 + 0.4],
    ['a negative weight counts as 0', { latency: -1, success: 1, load: 0, health: 0 }, 0.8],
  ])('weights: %s', (_, weights, score) => {
    expect(scoreInstance(terms, 10, weights).score).toBeCloseTo(score, 10);
  });
});

describe('normaliseWeights', () => {
  it('scales to sum 1', () => {
    expect(normaliseWeights({ latency: 3, success: 1, load: 0, health: 0 })).toEqual({ latency: 0.75, success: 0.25, load: 0, health: 0 });
  });
});

describe('scoreInstances', () => {
  it('scores latency relative to the fastest candidate that has samples', () => {
    const r = scoreInstances([
      { id: 'a', ...sig({ latencyEwmaMs: 10 }) },
      { id: 'b', ...sig({ latencyEwmaMs: 30 }) },
      { id: 'c', ...sig({}) },
    ], DEFAULT_QOS_WEIGHTS);
    expect(r.map((x) => x.id)).toEqual(['a', 'b', 'c']);
    expect(r.map((x) => x.score)).toEqual([1, expect.closeTo((0.45 * 13) / 30 + 0.55, 10), 1]); // b: (10 × 1.2 + 1) / 30
  });
});
