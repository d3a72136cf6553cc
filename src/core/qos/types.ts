// The QoS selector's contract (DESIGN.md, "The overall score"): per instance, normalised
// signals fᵢ ∈ [0, 1] (latency, success, load, health) combined with the weights aᵢ of the
// service's `selection` into score = Σ aᵢ·fᵢ / Σ aᵢ. The stable endpoints (proxy/) and the
// client SDK's fetch (client/) balance with the same Balancer, so both pick alike.

import type { QosWeights, SelectionSpec } from '../spec.js';

/** An instance the balancer may pick. Critical instances are never candidates. */
export interface Candidate {
  id: string;
  health: 'passing' | 'warning';
}

/** What one request (or TCP connection) to an instance came to. */
export interface Outcome {
  /** false for a connect error, a reset before the response, or a 5xx answer */
  ok: boolean;
  latencyMs: number;
}

/** The normalised signals of one instance, each in [0, 1], 1 = best. */
export interface ScoreTerms {
  latency: number;
  success: number;
  load: number;
  health: number;
}

/** One instance's score with its terms, as `tutti instances SERVICE --scores` shows it. */
export interface ScoredInstance {
  id: string;
  terms: ScoreTerms;
  /** the weights used, normalised to sum 1 */
  weights: QosWeights;
  score: number;
  /** raw signals behind the terms */
  latencyEwmaMs?: number;
  successEwma: number;
  inFlight: number;
  requests: number;
  /** set while the instance is ejected as an outlier (ms since epoch) */
  ejectedUntil?: number;
}

export interface Balancer {
  /** Picks one candidate by the strategy, skipping ejected ones (unless every candidate is
   *  ejected: the last ones are never all refused) and those in `exclude`. */
  pick(candidates: readonly Candidate[], exclude?: ReadonlySet<string>): Candidate | undefined;
  /** Marks a request to `id` as in flight; call the returned function once with its outcome. */
  begin(id: string): (outcome: Outcome) => void;
  /** Scores of these candidates now (for `--scores`, metrics and the dashboard). */
  scores(candidates: readonly Candidate[]): ScoredInstance[];
  /** Drops what is known of an instance that is gone. */
  forget(id: string): void;
  /** New weights, strategy or outlier settings; what was measured is kept. */
  configure(selection: SelectionSpec): void;
}

export interface BalancerOptions {
  /** ms since epoch; injected by tests */
  now?: () => number;
  /** uniform in [0, 1); injected by tests */
  random?: () => number;
}
