// What the balancer remembers of one instance: the smoothed signals (latency, success), the
// requests in flight, and its outlier-ejection record. Pure functions over a plain mutable
// record, so the balancer's hot path allocates nothing and tests drive a clock by hand.
//
// Smoothing (docs/balancing.md, "Signals"): a per-sample EWMA with α = 0.2, i.e. the last ~5
// outcomes carry most of the weight. Per sample rather than per second because the decision
// it feeds is per request: an instance that turns 50 ms slower is 67 % of the way there after 5
// of its requests and 89 % after 10, at any request rate. Only ok outcomes feed the latency:
// a refused connection or a fast 500 must not make a broken instance look like the fastest.
//
// An instance that stops getting traffic stops getting samples, and with power-of-two choices
// a clearly slower (or failing) instance would never be picked again to show it has recovered.
// So what is known of an idle instance fades: as scored, its latency EWMA halves, and its
// distance from full success halves, every IDLE_HALF_LIFE_MS without an outcome. A slow
// instance is probed again after a while (50× slower: every ~11 s; 2× slower: every ~2 s), at
// the cost of one request at its old speed; a failing one is ejected by its failure count.

import type { OutlierSpec } from '../spec.js';

export const LATENCY_ALPHA = 0.2;
export const SUCCESS_ALPHA = 0.2;
export const IDLE_HALF_LIFE_MS = 2000;

export interface InstanceState {
  /** NaN while there is no sample */
  latencyEwmaMs: number;
  /** when the last latency sample came (ms since epoch) */
  lastSampleAt: number;
  successEwma: number;
  /** when the last outcome came (ms since epoch) */
  lastOutcomeAt: number;
  inFlight: number;
  requests: number;
  consecutiveFailures: number;
  /** ejections so far, stepping back by one per baseEjectionMs spent back in service */
  ejections: number;
  /** 0 = not ejected */
  ejectedUntil: number;
  /** when the last ejection ended (0 = never ejected) */
  returnedAt: number;
}

export function newInstanceState(): InstanceState {
  return {
    latencyEwmaMs: NaN, lastSampleAt: 0, successEwma: 1, lastOutcomeAt: 0, inFlight: 0, requests: 0,
    consecutiveFailures: 0, ejections: 0, ejectedUntil: 0, returnedAt: 0,
  };
}

/** The latency EWMA as scored now: decayed while idle; undefined without samples. */
export function effectiveLatency(s: InstanceState, now: number): number | undefined {
  const l = s.latencyEwmaMs;
  if (l !== l) return undefined; // NaN: no sample yet
  const idle = now - s.lastSampleAt;
  return idle > 0 ? l * Math.pow(2, -idle / IDLE_HALF_LIFE_MS) : l;
}

/** The success EWMA as scored now: back toward 1 while idle. */
export function effectiveSuccess(s: InstanceState, now: number): number {
  const idle = now - s.lastOutcomeAt;
  return idle > 0 ? 1 - (1 - s.successEwma) * Math.pow(2, -idle / IDLE_HALF_LIFE_MS) : s.successEwma;
}

/** Ends an ejection whose period is over: the instance gets a fresh start (optimistic signals)
 *  but keeps its failure count, so one failure right after its return ejects it again. */
export function refreshEjection(s: InstanceState, now: number): boolean {
  if (s.ejectedUntil === 0) return false;
  if (now < s.ejectedUntil) return true;
  s.returnedAt = s.ejectedUntil;
  s.ejectedUntil = 0;
  s.successEwma = 1;
  s.latencyEwmaMs = NaN;
  return false;
}

/** Ejects for baseEjectionMs × 2^(ejections − 1), capped at maxEjectionMs. */
export function eject(s: InstanceState, now: number, o: OutlierSpec): void {
  if (s.returnedAt > 0 && o.baseEjectionMs > 0) {
    const stepsBack = Math.floor((now - s.returnedAt) / o.baseEjectionMs);
    s.ejections = Math.max(0, s.ejections - stepsBack);
  }
  s.ejections += 1;
  const period = Math.min(o.maxEjectionMs, o.baseEjectionMs * Math.pow(2, s.ejections - 1));
  s.ejectedUntil = now + Math.max(1, period);
}

/**
 * Records one outcome. `mayEject` says whether ejecting this instance would still leave a
 * candidate that is not ejected; it is asked only when the failure count reaches the limit.
 */
export function recordOutcome(
  s: InstanceState,
  ok: boolean,
  latencyMs: number,
  now: number,
  o: OutlierSpec,
  mayEject: () => boolean,
): void {
  const ejected = refreshEjection(s, now);
  if (s.inFlight > 0) s.inFlight -= 1;
  s.requests += 1;
  s.successEwma += SUCCESS_ALPHA * ((ok ? 1 : 0) - s.successEwma);
  s.lastOutcomeAt = now;
  if (ok) {
    const l = s.latencyEwmaMs;
    s.latencyEwmaMs = l !== l ? latencyMs : l + LATENCY_ALPHA * (latencyMs - l);
    s.lastSampleAt = now;
    s.consecutiveFailures = 0;
    return;
  }
  s.consecutiveFailures += 1;
  if (!ejected && o.consecutiveFailures > 0 && s.consecutiveFailures >= o.consecutiveFailures && mayEject()) {
    eject(s, now, o);
  }
}
