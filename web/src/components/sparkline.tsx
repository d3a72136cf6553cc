// A small line of a score over time (the stack-health trend), drawn as an SVG path: the overview
// shows it without loading the chart library.

export function Sparkline({ points, min = 0, max = 1, width = 240, height = 48, label }: { points: Array<[number, number]>; min?: number; max?: number; width?: number; height?: number; label: string }) {
  if (points.length < 2) {
    return (
      <svg class="sparkline" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${label}: not enough points yet`}>
        <line x1="0" x2={width} y1={height - 1} y2={height - 1} class="spark-base" />
      </svg>
    );
  }
  const t0 = points[0][0];
  const t1 = points[points.length - 1][0];
  const span = Math.max(1, t1 - t0);
  const y = (v: number) => height - 2 - ((Math.min(max, Math.max(min, v)) - min) / (max - min || 1)) * (height - 4);
  const d = points.map(([t, v], i) => `${i ? 'L' : 'M'}${(((t - t0) / span) * width).toFixed(1)},${y(v).toFixed(1)}`).join('');
  const last = points[points.length - 1][1];
  return (
    <svg class="sparkline" viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" role="img" aria-label={`${label}, now ${Math.round(last * 100)}%`}>
      <path d={`${d}L${width},${height}L0,${height}Z`} class="spark-area" />
      <path d={d} class="spark-line" />
    </svg>
  );
}
