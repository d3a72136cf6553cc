// Calls of the subset's functions. Every function that computes a new value drops the metric
// name from its result, as Prometheus does; `vector` and `absent` build fresh label sets.

import type { Call, Expr, Matcher, RangeSelector, Sample, Series, Value } from './ast.js';
import { dropMetricName, METRIC_NAME } from './labels.js';
import { extrapolatedRate, overTime } from './aggregation.js';
import { histogramQuantile } from './quantile.js';

/** What a function needs from the evaluation it runs in. */
export interface CallContext {
  timeMs: number;
  vector(expr: Expr): Sample[];
  scalar(expr: Expr): number;
  /** The points of each series inside the range, stale markers removed. */
  range(expr: RangeSelector): Series[];
}

export function evalCall(call: Call, ctx: CallContext): Value {
  const vector = (samples: Sample[]): Value => ({ type: 'vector', samples });
  const [arg0, arg1] = call.args;
  switch (call.func) {
    case 'rate':
    case 'increase': {
      const range = arg0 as RangeSelector;
      const end = ctx.timeMs;
      const start = end - range.rangeMs;
      return vector(perSeries(ctx.range(range), (s) => extrapolatedRate(s.points, start, end, call.func === 'rate')));
    }
    case 'avg_over_time':
    case 'max_over_time':
    case 'min_over_time':
    case 'sum_over_time':
    case 'count_over_time': {
      const func = call.func;
      return vector(perSeries(ctx.range(arg0 as RangeSelector), (s) => overTime(func, s.points)));
    }
    case 'histogram_quantile': {
      const q = ctx.scalar(arg0);
      return vector(histogramQuantile(q, ctx.vector(arg1)));
    }
    case 'abs':
      return vector(ctx.vector(arg0).map((s) => ({ labels: dropMetricName(s.labels), value: Math.abs(s.value) })));
    case 'clamp_min':
    case 'clamp_max': {
      const samples = ctx.vector(arg0);
      const bound = ctx.scalar(arg1);
      // Math.max/min return NaN for a NaN operand, like Go's math.Max/Min.
      const clamp = call.func === 'clamp_min' ? (v: number) => Math.max(bound, v) : (v: number) => Math.min(bound, v);
      return vector(samples.map((s) => ({ labels: dropMetricName(s.labels), value: clamp(s.value) })));
    }
    case 'time':
      return { type: 'scalar', value: ctx.timeMs / 1000 };
    case 'vector':
      return vector([{ labels: {}, value: ctx.scalar(arg0) }]);
    case 'absent':
      if (ctx.vector(arg0).length > 0) return vector([]);
      return vector([{ labels: arg0.type === 'selector' ? absentLabels(arg0.matchers) : {}, value: 1 }]);
  }
}

function perSeries(series: Series[], fn: (s: Series) => number | undefined): Sample[] {
  const out: Sample[] = [];
  for (const s of series) {
    const value = fn(s);
    if (value !== undefined) out.push({ labels: dropMetricName(s.labels), value });
  }
  return out;
}

/**
 * The labels `absent(sel)` reports: those the selector pins with `=`. A label pinned twice
 * (`{job="a", job="b"}`) or also matched another way is left out, as Prometheus does.
 */
function absentLabels(matchers: readonly Matcher[]): Record<string, string> {
  const labels: Record<string, string> = {};
  const seen = new Set<string>();
  for (const m of matchers) {
    if (m.name === METRIC_NAME) continue;
    if (m.op === '=' && !seen.has(m.name)) {
      seen.add(m.name);
      // An empty value means "label absent" in Prometheus, so it is not reported.
      if (m.value !== '') labels[m.name] = m.value;
    } else {
      delete labels[m.name];
    }
  }
  return labels;
}
