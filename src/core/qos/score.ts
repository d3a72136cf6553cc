// The QoS score of one instance (DESIGN.md, "The overall score"): four signals, each
// normalised to [0, 1] with 1 = best, combined as score = Σ aᵢ·fᵢ / Σ aᵢ. Pure; the balancer
// calls `scoreOf` on its hot path (no allocation), `scoreInstance` builds the terms for display.

import type { QosWeights } from '../spec.js';
import type { ScoreTerms } from './types.js';

/** The raw signals behind an instance's terms. */
export interface InstanceSignals {
  /** EWMA of its latency in ms; undefined while it has no samples (scores 1: optimistic start) */
  latencyEwmaMs?: number;
  /** EWMA of its ok outcomes, 1 = every recent request succeeded */
  successEwma: number;
  inFlight: number;
  health: 'passing' | 'warning';
}

const EQUAL: Readonly<QosWeights> = Object.freeze({ latency: 0.25, success: 0.25, load: 0.25, health: 0.25 });

/** Weights scaled to sum 1; negative ones count as 0, and all-zero weights as equal weights. */
export function normaliseWeights(w: QosWeights): QosWeights {
  const latency = Math.max(0, w.latency || 0);
  const success = Math.max(0, w.success || 0);
  const load = Math.max(0, w.load || 0);
  const health = Math.max(0, w.health || 0);
  const sum = latency + success + load + health;
  if (sum === 0) return { ...EQUAL };
  return { latency: latency / sum, success: success / sum, load: load / sum, health: health / sum };
}

/** Latencies within this band of the fastest count as equally fast: between replicas of one
 *  service, differences this small are noise (a GC pause, a cold cache), and treating them as
 *  real would send nearly all traffic to whichever replica looked faster last. */
export const LATENCY_TOLERANCE = Object.freeze({ ratio: 1.2, ms: 1 });

/** f = (lowest within the tolerance band) / own: the fastest — and any instance within 20 % + 1 ms
 *  of it — scores 1, one far slower about lowest/own; no samples (or no lowest) → 1. */
export function latencyTerm(ewmaMs: number | undefined, lowestMs: number | undefined): number {
  if (ewmaMs === undefined || lowestMs === undefined || !(ewmaMs > 0)) return 1;
  const f = (lowestMs * LATENCY_TOLERANCE.ratio + LATENCY_TOLERANCE.ms) / ewmaMs;
  return f >= 1 ? 1 : f > 0 ? f : 0;
}

export const successTerm = (ewma: number): number => (ewma >= 1 ? 1 : ewma > 0 ? ewma : 0);
export const loadTerm = (inFlight: number): number => 1 / (1 + (inFlight > 0 ? inFlight : 0));
export const healthTerm = (health: 'passing' | 'warning'): number => (health === 'warning' ? 0.5 : 1);

/** The score from raw signals, with weights already normalised (see normaliseWeights). */
export function scoreOf(s: InstanceSignals, lowestLatencyMs: number | undefined, w: QosWeights): number {
  return w.latency * latencyTerm(s.latencyEwmaMs, lowestLatencyMs)
    + w.success * successTerm(s.successEwma)
    + w.load * loadTerm(s.inFlight)
    + w.health * healthTerm(s.health);
}

/** The terms and score of one instance; `lowestLatencyMs` is the lowest EWMA among the candidates. */
export function scoreInstance(
  s: InstanceSignals,
  lowestLatencyMs: number | undefined,
  weights: QosWeights,
): { terms: ScoreTerms; weights: QosWeights; score: number } {
  const w = normaliseWeights(weights);
  const terms: ScoreTerms = {
    latency: latencyTerm(s.latencyEwmaMs, lowestLatencyMs),
    success: successTerm(s.successEwma),
    load: loadTerm(s.inFlight),
    health: healthTerm(s.health),
  };
  const score = w.latency * terms.latency + w.success * terms.success + w.load * terms.load + w.health * terms.health;
  return { terms, weights: w, score };
}

/** The lowest latency EWMA among instances that have one (undefined when none has). */
export function lowestLatency(instances: Iterable<{ latencyEwmaMs?: number }>): number | undefined {
  let lowest: number | undefined;
  for (const i of instances) {
    const l = i.latencyEwmaMs;
    if (l !== undefined && l > 0 && (lowest === undefined || l < lowest)) lowest = l;
  }
  return lowest;
}

/** Scores a set of candidates against each other (the latency term is relative to the fastest). */
export function scoreInstances<T extends InstanceSignals & { id: string }>(
  instances: readonly T[],
  weights: QosWeights,
): Array<{ id: string; terms: ScoreTerms; weights: QosWeights; score: number }> {
  const lowest = lowestLatency(instances);
  return instances.map((i) => ({ id: i.id, ...scoreInstance(i, lowest, weights) }));
}
