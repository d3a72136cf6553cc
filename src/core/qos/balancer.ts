// The Balancer (types.ts): picks an instance per request by the service's strategy, learns
// from each outcome, and ejects outliers. Pure (clock and randomness injected) and lean: a
// pick allocates nothing, it scans the candidates once into a reused scratch array.

import type { OutlierSpec, QosWeights, SelectionSpec, BalanceStrategy } from '../spec.js';
import { DEFAULT_SELECTION } from './defaults.js';
import {
  effectiveLatency, effectiveSuccess, newInstanceState, recordOutcome, refreshEjection, type InstanceState,
} from './instance-state.js';
import { latencyTerm, loadTerm, normaliseWeights, scoreInstance, successTerm, healthTerm } from './score.js';
import type { Balancer, BalancerOptions, Candidate, Outcome, ScoredInstance } from './types.js';

export function createBalancer(selection: SelectionSpec = DEFAULT_SELECTION, opts: BalancerOptions = {}): Balancer {
  const now = opts.now ?? Date.now;
  const random = opts.random ?? Math.random;
  const states = new Map<string, InstanceState>();
  let strategy: BalanceStrategy = selection.strategy;
  let weights: QosWeights = normaliseWeights(selection.weights);
  let outlier: OutlierSpec = selection.outlier;
  let turn = 0; // round-robin position, and where least-request starts looking among ties
  let last: readonly Candidate[] = []; // the candidates of the latest pick, for "never eject the last one"
  const scratch: Candidate[] = [];

  const stateOf = (id: string): InstanceState => {
    let s = states.get(id);
    if (!s) states.set(id, (s = newInstanceState()));
    return s;
  };
  const isEjected = (id: string, t: number): boolean => {
    const s = states.get(id);
    return s !== undefined && refreshEjection(s, t);
  };

  /** Fills scratch with the pickable candidates; returns how many, and the lowest latency among them. */
  let lowest: number | undefined;
  const gather = (candidates: readonly Candidate[], exclude: ReadonlySet<string> | undefined, t: number, withEjected: boolean): number => {
    let n = 0;
    lowest = undefined;
    for (let k = 0; k < candidates.length; k++) {
      const c = candidates[k];
      if (exclude !== undefined && exclude.has(c.id)) continue;
      const s = states.get(c.id);
      if (s !== undefined) {
        if (!withEjected && refreshEjection(s, t)) continue;
        const l = effectiveLatency(s, t);
        if (l !== undefined && l > 0 && (lowest === undefined || l < lowest)) lowest = l;
      }
      scratch[n++] = c;
    }
    return n;
  };

  const scoreNow = (c: Candidate, t: number): number => {
    const s = states.get(c.id);
    const h = healthTerm(c.health);
    if (s === undefined) return weights.latency + weights.success + weights.load + weights.health * h;
    return weights.latency * latencyTerm(effectiveLatency(s, t), lowest)
      + weights.success * successTerm(effectiveSuccess(s, t))
      + weights.load * loadTerm(s.inFlight)
      + weights.health * h;
  };

  const choose = (n: number, t: number): Candidate => {
    if (n === 1) return scratch[0];
    switch (strategy) {
      case 'round-robin': {
        const c = scratch[turn % n];
        turn = turn >= 0x3fffffff ? 0 : turn + 1;
        return c;
      }
      case 'random':
        return scratch[Math.floor(random() * n) % n];
      case 'least-request': {
        // fewest in flight; among equals, the next one in rotation, so ties spread evenly
        const start = turn % n;
        turn = turn >= 0x3fffffff ? 0 : turn + 1;
        let best = scratch[start];
        let fewest = states.get(best.id)?.inFlight ?? 0;
        for (let k = 1; k < n && fewest > 0; k++) {
          const c = scratch[(start + k) % n];
          const f = states.get(c.id)?.inFlight ?? 0;
          if (f < fewest) { best = c; fewest = f; }
        }
        return best;
      }
      default: {
        // power of two choices: the better of two distinct random candidates; ties → the first drawn
        const i = Math.floor(random() * n) % n;
        let j = Math.floor(random() * (n - 1)) % (n - 1);
        if (j >= i) j += 1;
        const a = scratch[i];
        const b = scratch[j];
        return scoreNow(b, t) > scoreNow(a, t) ? b : a;
      }
    }
  };

  return {
    pick(candidates, exclude) {
      const t = now();
      last = candidates;
      let n = gather(candidates, exclude, t, false);
      // every candidate ejected: refuse none, or the service would be down for nothing
      if (n === 0) n = gather(candidates, exclude, t, true);
      if (n === 0) return undefined;
      return choose(n, t);
    },

    begin(id) {
      const s = stateOf(id);
      s.inFlight += 1;
      const started = s;
      let done = false;
      return (outcome: Outcome) => {
        if (done) return;
        done = true;
        const t = now();
        recordOutcome(started, outcome.ok, outcome.latencyMs, t, outlier, () => {
          for (const c of last) if (c.id !== id && !isEjected(c.id, t)) return true;
          return false;
        });
      };
    },

    scores(candidates) {
      const t = now();
      let n = gather(candidates, undefined, t, false);
      if (n === 0) gather(candidates, undefined, t, true);
      return candidates.map((c): ScoredInstance => {
        const s = states.get(c.id);
        const latencyEwmaMs = s ? effectiveLatency(s, t) : undefined;
        const signals = { latencyEwmaMs, successEwma: s ? effectiveSuccess(s, t) : 1, inFlight: s?.inFlight ?? 0, health: c.health };
        const { terms, weights: w, score } = scoreInstance(signals, lowest, weights);
        const scored: ScoredInstance = {
          id: c.id, terms, weights: w, score,
          successEwma: signals.successEwma, inFlight: signals.inFlight, requests: s?.requests ?? 0,
        };
        if (latencyEwmaMs !== undefined) scored.latencyEwmaMs = latencyEwmaMs;
        if (s && s.ejectedUntil > t) scored.ejectedUntil = s.ejectedUntil;
        return scored;
      });
    },

    forget(id) {
      states.delete(id);
    },

    configure(next) {
      strategy = next.strategy;
      weights = normaliseWeights(next.weights);
      outlier = next.outlier;
    },
  };
}
