// Turning the raw points of /api/v1/series into what charts show (pure, unit-tested): rates of
// counters (surviving a reset, as Prometheus' rate does), sums of series by a label, quantiles
// from cumulative histogram buckets (histogram_quantile's linear interpolation) and the
// aligned columns uPlot draws.

export interface Point {
  t: number;
  v: number;
}

export interface Series {
  labels: Record<string, string>;
  points: Point[];
}

/** Per-second rate between consecutive points; a drop means the counter restarted from 0. */
export function rates(points: readonly Point[]): Point[] {
  const out: Point[] = [];
  for (let i = 1; i < points.length; i++) {
    const dt = (points[i].t - points[i - 1].t) / 1000;
    if (dt <= 0) continue;
    const dv = points[i].v >= points[i - 1].v ? points[i].v - points[i - 1].v : points[i].v;
    out.push({ t: points[i].t, v: dv / dt });
  }
  return out;
}

/** Sums the (optionally transformed) series that share a key, point by point at equal times. */
export function sumBy(series: readonly Series[], key: (labels: Record<string, string>) => string, transform: (p: readonly Point[]) => Point[] = (p) => [...p]): Map<string, Point[]> {
  const sums = new Map<string, Map<number, number>>();
  for (const s of series) {
    const k = key(s.labels);
    let byT = sums.get(k);
    if (!byT) sums.set(k, (byT = new Map()));
    for (const p of transform(s.points)) byT.set(p.t, (byT.get(p.t) ?? 0) + p.v);
  }
  const out = new Map<string, Point[]>();
  for (const [k, byT] of [...sums].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    out.set(k, [...byT].sort(([a], [b]) => a - b).map(([t, v]) => ({ t, v })));
  }
  return out;
}

/**
 * The q-quantile of cumulative buckets (upper bound `le`, count of observations ≤ le, +Inf
 * included), interpolated linearly inside the bucket as Prometheus does; null without
 * observations. The +Inf bucket's quantile is the highest finite bound.
 */
export function histogramQuantile(q: number, buckets: ReadonlyArray<{ le: number; count: number }>): number | null {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  if (sorted.length === 0) return null;
  const total = sorted[sorted.length - 1].count;
  if (!(total > 0)) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of sorted) {
    if (b.count >= rank) {
      if (b.le === Infinity) return prevLe;
      if (b.count === prevCount) return b.le;
      return prevLe + ((b.le - prevLe) * (rank - prevCount)) / (b.count - prevCount);
    }
    prevLe = b.le === Infinity ? prevLe : b.le;
    prevCount = b.count;
  }
  return prevLe;
}

/** A quantile over time from bucket counters (label `le`): rate each bucket, sum by (key, le), then interpolate. */
export function quantileOverTime(q: number, buckets: readonly Series[], key: (labels: Record<string, string>) => string = () => 'all'): Map<string, Point[]> {
  const perBucket = sumBy(buckets, (l) => `${key(l)}\u0000${l.le}`, rates);
  const byKey = new Map<string, Map<number, Array<{ le: number; count: number }>>>();
  for (const [k, points] of perBucket) {
    const [group, le] = k.split('\u0000');
    const bound = le === '+Inf' ? Infinity : Number(le);
    let byT = byKey.get(group);
    if (!byT) byKey.set(group, (byT = new Map()));
    for (const p of points) {
      const list = byT.get(p.t);
      if (list) list.push({ le: bound, count: p.v });
      else byT.set(p.t, [{ le: bound, count: p.v }]);
    }
  }
  const out = new Map<string, Point[]>();
  for (const [group, byT] of byKey) {
    const points: Point[] = [];
    for (const [t, list] of [...byT].sort(([a], [b]) => a - b)) {
      const v = histogramQuantile(q, list);
      if (v !== null) points.push({ t, v });
    }
    out.set(group, points);
  }
  return out;
}

/** uPlot's columns: the sorted union of times (seconds) and one value column per series, null where it has no point. */
export function align(groups: Map<string, Point[]>): { names: string[]; data: [number[], ...Array<Array<number | null>>] } {
  const times = new Set<number>();
  for (const points of groups.values()) for (const p of points) times.add(p.t);
  const xs = [...times].sort((a, b) => a - b);
  const index = new Map(xs.map((t, i) => [t, i]));
  const names = [...groups.keys()];
  const columns = names.map((n) => {
    const col: Array<number | null> = new Array(xs.length).fill(null);
    for (const p of groups.get(n)!) col[index.get(p.t)!] = p.v;
    return col;
  });
  return { names, data: [xs.map((t) => t / 1000), ...columns] };
}
