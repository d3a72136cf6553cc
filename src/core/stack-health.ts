// Stack health: the weighted sum of each service's health (the fraction of its wanted
// instances that are ready), weights = each service's declared importance (DESIGN.md,
// "The overall score"). A service scaled to zero on purpose carries no weight; a stopped one
// counts as 0, so stopping a service shows in the score.

export interface ServiceHealthInput {
  importance: number;
  /** instances wanted when the service runs (manifest replicas or `scale`) */
  replicas: number;
  ready: number;
  stopped?: boolean;
  /** a one-shot service that finished successfully counts as healthy */
  completed?: boolean;
}

/** Health of one service in [0, 1]; undefined when it carries no weight (scaled to zero). */
export function serviceHealth(s: ServiceHealthInput): number | undefined {
  if (s.completed) return 1;
  if (s.stopped) return 0;
  if (s.replicas <= 0) return undefined;
  return Math.min(1, Math.max(0, s.ready / s.replicas));
}

/** Σ aᵢ·fᵢ / Σ aᵢ over the services that carry weight; 1 for an empty stack. */
export function stackHealth(services: ServiceHealthInput[]): number {
  let weighted = 0;
  let total = 0;
  for (const s of services) {
    const f = serviceHealth(s);
    if (f === undefined || s.importance <= 0) continue;
    weighted += s.importance * f;
    total += s.importance;
  }
  return total === 0 ? 1 : weighted / total;
}
