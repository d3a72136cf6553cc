// Evaluates a parsed expression at one instant against a SeriesSource, with Prometheus'
// instant-query semantics: an instant selector takes each series' latest point within the
// lookback window (left-open, as in Prometheus 3), a range selector the points in
// (t - range, t], and a stale marker ends a series.

import type { Expr, Matcher, RangeSelector, Sample, Series, SeriesSource, Value, VectorSelector } from './ast.js';
import { aggregate } from './aggregation.js';
import { evalBinary } from './binary.js';
import { isStale } from './floats.js';
import { evalCall } from './functions.js';
import { dropMetricName, formatLabels, labelsKey, labelsMatch, METRIC_NAME } from './labels.js';
import { PromqlError } from './promql-error.js';

export interface EvaluateOptions {
  /**
   * How far back an instant selector looks for a series' latest point.
   * @default 300000 (5 minutes, as Prometheus' --query.lookback-delta)
   */
  lookbackMs?: number;
}

export const DEFAULT_LOOKBACK_MS = 5 * 60_000;

export function evaluate(expr: Expr, source: SeriesSource, timeMs: number, opts: EvaluateOptions = {}): Value {
  const lookbackMs = opts.lookbackMs ?? DEFAULT_LOOKBACK_MS;
  if (!(lookbackMs > 0)) throw new RangeError(`lookbackMs must be positive, got ${lookbackMs}`);
  return new Evaluation(source, timeMs, lookbackMs).eval(expr);
}

class Evaluation {
  constructor(
    private readonly source: SeriesSource,
    readonly timeMs: number,
    private readonly lookbackMs: number,
  ) {}

  eval(expr: Expr): Value {
    switch (expr.type) {
      case 'number':
        return { type: 'scalar', value: expr.value };
      case 'selector':
        return { type: 'vector', samples: this.instant(expr) };
      case 'range':
        throw new PromqlError('a range vector cannot be the result of an expression', undefined, {
          hint: 'apply a function to it, such as rate(…) or avg_over_time(…)',
        });
      case 'call':
        return unique(evalCall(expr, this));
      case 'aggregate':
        return { type: 'vector', samples: aggregate(expr.op, this.vector(expr.expr), expr.grouping, expr.without) };
      case 'binary':
        return unique(evalBinary(expr, this.eval(expr.lhs), this.eval(expr.rhs)));
      case 'unary': {
        const v = this.eval(expr.expr);
        if (expr.op === '+') return v;
        if (v.type === 'scalar') return { type: 'scalar', value: -v.value };
        return unique({ type: 'vector', samples: v.samples.map((s) => ({ labels: dropMetricName(s.labels), value: -s.value })) });
      }
    }
  }

  vector(expr: Expr): Sample[] {
    const v = this.eval(expr);
    if (v.type !== 'vector') throw new PromqlError('expected an instant vector, got a scalar', undefined);
    return v.samples;
  }

  scalar(expr: Expr): number {
    const v = this.eval(expr);
    if (v.type !== 'scalar') throw new PromqlError('expected a scalar, got an instant vector', undefined);
    return v.value;
  }

  private instant(sel: VectorSelector): Sample[] {
    const start = this.timeMs - this.lookbackMs;
    const out: Sample[] = [];
    for (const series of this.select(sel, start)) {
      const last = latestPoint(series, start, this.timeMs);
      if (last === undefined || isStale(last)) continue;
      out.push({ labels: { ...series.labels }, value: last });
    }
    return out;
  }

  range(expr: RangeSelector): Series[] {
    const start = this.timeMs - expr.rangeMs;
    const out: Series[] = [];
    for (const series of this.select(expr.selector, start)) {
      const points = series.points.filter((p) => p.t > start && p.t <= this.timeMs && !isStale(p.v));
      if (points.length > 0) out.push({ labels: series.labels, points });
    }
    return out;
  }

  /** Matching series in label order; the source may return more, it is filtered again here. */
  private select(sel: VectorSelector, startMs: number): Series[] {
    const matchers: Matcher[] = sel.name === undefined
      ? sel.matchers
      : [{ name: METRIC_NAME, op: '=', value: sel.name }, ...sel.matchers];
    return this.source
      .select(matchers, startMs, this.timeMs)
      .filter((s) => labelsMatch(matchers, s.labels))
      .map((s) => ({ series: s, key: labelsKey(s.labels) }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .map((s) => s.series);
  }
}

/** The value of the latest point in (start, end], or undefined when there is none. */
function latestPoint(series: Series, start: number, end: number): number | undefined {
  const points = series.points;
  for (let i = points.length - 1; i >= 0; i--) {
    const p = points[i];
    if (p.t > end) continue;
    return p.t > start ? p.v : undefined;
  }
  return undefined;
}

/**
 * Once functions and operators drop metric names, two series can end up with the same labels
 * (`rate({__name__=~"a|b"}[5m])`); Prometheus refuses such a result rather than merge them.
 */
function unique(value: Value): Value {
  if (value.type !== 'vector') return value;
  const seen = new Set<string>();
  for (const s of value.samples) {
    const key = labelsKey(s.labels);
    if (seen.has(key)) {
      throw new PromqlError(`the result has two series with the same labels ${formatLabels(s.labels)}`, undefined, {
        hint: 'the series differed only by metric name; aggregate them, e.g. sum by (…) (…)',
      });
    }
    seen.add(key);
  }
  return value;
}
