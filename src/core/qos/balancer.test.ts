import { describe, expect, it } from 'vitest';
import type { SelectionSpec } from '../spec.js';
import { createBalancer } from './balancer.js';
import { DEFAULT_SELECTION } from './defaults.js';
import type { Candidate } from './types.js';

const a: Candidate = { id: 'a', health: 'passing' };
const b: Candidate = { id: 'b', health: 'passing' };
const c: Candidate = { id: 'c', health: 'passing' };
const abc = [a, b, c];

/** A random source replaying the given values. */
function replay(values: number[]) {
  let i = 0;
  return () => {
    if (i >= values.length) throw new Error('the test ran out of random numbers');
    return values[i++];
  };
}

function setup(strategy: SelectionSpec['strategy'], randoms: number[] = [], outlier = DEFAULT_SELECTION.outlier) {
  let t = 1000;
  const clock = { now: () => t, set: (v: number) => { t = v; } };
  const balancer = createBalancer({ ...DEFAULT_SELECTION, strategy, outlier }, { now: clock.now, random: replay(randoms) });
  const served = (id: string, latencyMs: number, ok = true) => balancer.begin(id)({ ok, latencyMs });
  return { balancer, clock, served };
}

describe('strategy qos (power of two choices)', () => {
  it('splits evenly between two replicas whose latencies differ only by noise (4.4 ms vs 4.8 ms)', () => {
    const balancer = createBalancer(DEFAULT_SELECTION, { now: () => 1000, random: mulberry32(7) });
    const count: Record<string, number> = { a: 0, b: 0 };
    for (let i = 0; i < 1000; i++) {
      const picked = balancer.pick([a, b])!.id;
      count[picked] += 1;
      balancer.begin(picked)({ ok: true, latencyMs: picked === 'a' ? 4.4 : 4.8 });
    }
    expect(count.a / 1000, JSON.stringify(count)).toBeGreaterThan(0.4);
    expect(count.a / 1000).toBeLessThan(0.6);
  });

  it('picks the better of two distinct random candidates; equal scores → the first drawn', () => {
    const { balancer, served } = setup('qos', [0.5, 0.9, 0.0, 0.5, 0.4, 0.0, 0.4, 0.9, 0.99, 0.99]);
    // fresh: all score 1. draws: i = ⌊0.5·3⌋ = 1 (b), j = ⌊0.9·2⌋ = 1 → skips i → 2 (c); tie → b
    expect(balancer.pick(abc)?.id).toBe('b');
    served('a', 10);
    served('b', 40); // b: latency term (10·1.2 + 1)/40 → score 0.45·0.325 + 0.55 ≈ 0.696; a and c (no samples) 1
    expect(balancer.pick(abc)?.id).toBe('a'); // a vs c (⌊0.5·2⌋ = 1 → 2): tie → a
    expect(balancer.pick(abc)?.id).toBe('a'); // b vs a (⌊0·2⌋ = 0): a is better
    expect(balancer.pick(abc)?.id).toBe('c'); // b vs c: c is better
    expect(balancer.pick(abc)?.id).toBe('c'); // c (⌊0.99·3⌋ = 2) vs b (⌊0.99·2⌋ = 1): c is better
  });

  it('takes the only candidate without drawing, and nothing from nothing', () => {
    const { balancer } = setup('qos', []);
    expect(balancer.pick([a])).toBe(a);
    expect(balancer.pick([])).toBeUndefined();
    expect(balancer.pick([a, b], new Set(['a', 'b']))).toBeUndefined();
    expect(balancer.pick([a, b], new Set(['a']))).toBe(b);
  });

  it('counts requests in flight in the load term', () => {
    const { balancer } = setup('qos', [0.0, 0.0]);
    balancer.begin('a');
    // a: load 1/2 → 1 − 0.15/2; b fresh: 1
    expect(balancer.pick([a, b])).toBe(b);
    expect(balancer.scores([a, b]).map((s) => [s.id, s.inFlight, s.score])).toEqual([['a', 1, expect.closeTo(0.925, 10)], ['b', 0, 1]]);
  });

  it('weighs a warning instance down', () => {
    const { balancer } = setup('qos', [0.0, 0.0]);
    expect(balancer.pick([{ id: 'a', health: 'warning' }, b])).toBe(b);
  });
});

describe('other strategies', () => {
  it('round-robin takes the candidates in turn, skipping excluded ones', () => {
    const { balancer } = setup('round-robin');
    expect([1, 2, 3, 4].map(() => balancer.pick(abc)?.id)).toEqual(['a', 'b', 'c', 'a']);
    // without b the turn goes on over [a, c]: turn 4 → a, turn 5 → c
    expect([1, 2].map(() => balancer.pick(abc, new Set(['b']))?.id)).toEqual(['a', 'c']);
  });

  it('least-request takes the fewest in flight, ties in rotation', () => {
    const { balancer } = setup('least-request');
    expect([1, 2, 3].map(() => balancer.pick(abc)?.id)).toEqual(['a', 'b', 'c']);
    balancer.begin('a'); balancer.begin('a'); balancer.begin('b');
    expect(balancer.pick(abc)?.id).toBe('c');
    balancer.begin('c'); balancer.begin('c');
    expect(balancer.pick(abc)?.id).toBe('b');
  });

  it('random takes ⌊r·n⌋', () => {
    const { balancer } = setup('random', [0.7, 0.1, 0.5]);
    expect([1, 2, 3].map(() => balancer.pick(abc)?.id)).toEqual(['c', 'a', 'b']);
  });

  it('configure swaps the strategy and keeps what was measured', () => {
    const { balancer, served } = setup('round-robin');
    served('a', 5);
    balancer.configure({ ...DEFAULT_SELECTION, strategy: 'random', weights: { latency: 1, success: 0, load: 0, health: 0 } });
    const [sa] = balancer.scores([a]);
    expect(sa).toMatchObject({ id: 'a', latencyEwmaMs: 5, requests: 1, weights: { latency: 1, success: 0, load: 0, health: 0 } });
  });
});

describe('outlier ejection through the balancer', () => {
  const outlier = { consecutiveFailures: 3, baseEjectionMs: 1000, maxEjectionMs: 3000 };

  it('skips an ejected instance until its period is over', () => {
    const { balancer, clock, served } = setup('round-robin', [], outlier);
    balancer.pick([a, b]);
    for (let i = 0; i < 3; i++) served('a', 1, false);
    expect(balancer.scores([a, b])[0].ejectedUntil).toBe(2000);
    clock.set(1999);
    expect([1, 2, 3].map(() => balancer.pick([a, b])?.id)).toEqual(['b', 'b', 'b']);
    clock.set(2000);
    expect(new Set([1, 2].map(() => balancer.pick([a, b])?.id))).toEqual(new Set(['a', 'b']));
    expect(balancer.scores([a, b])[0].ejectedUntil).toBeUndefined();
  });

  it('never ejects the last instance that is not ejected', () => {
    const { balancer, served } = setup('round-robin', [], outlier);
    balancer.pick([a, b]);
    for (let i = 0; i < 3; i++) served('a', 1, false);
    for (let i = 0; i < 5; i++) served('b', 1, false);
    expect(balancer.scores([a, b]).map((s) => s.ejectedUntil)).toEqual([2000, undefined]);
  });

  it('still picks when every candidate is ejected', () => {
    const { balancer, served } = setup('round-robin', [], outlier);
    balancer.pick(abc);
    for (let i = 0; i < 3; i++) served('a', 1, false);
    for (let i = 0; i < 3; i++) served('b', 1, false);
    expect(balancer.pick([a, b])?.id).toMatch(/^[ab]$/);
    expect(balancer.pick([a, b], new Set(['a']))?.id).toBe('b');
  });

  it('forget drops what was measured', () => {
    const { balancer, served } = setup('round-robin', [], outlier);
    balancer.pick([a, b]);
    for (let i = 0; i < 3; i++) served('a', 1, false);
    balancer.forget('a');
    expect(balancer.scores([a])[0]).toMatchObject({ requests: 0, successEwma: 1, inFlight: 0 });
    expect(balancer.scores([a])[0].ejectedUntil).toBeUndefined();
  });

  it('counts an outcome once', () => {
    const { balancer } = setup('round-robin', [], outlier);
    const done = balancer.begin('a');
    done({ ok: false, latencyMs: 1 });
    done({ ok: false, latencyMs: 1 });
    expect(balancer.scores([a])[0]).toMatchObject({ requests: 1, inFlight: 0, successEwma: 0.8 });
  });
});

/** A small seeded generator, so the split above is the same on every run. */
function mulberry32(seed: number): () => number {
  let t = seed;
  return () => {
    t = (t + 0x6d2b79f5) | 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}
