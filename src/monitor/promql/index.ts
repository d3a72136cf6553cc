// tutti's PromQL subset: parse an alert rule's `when`, print it back, list the metrics it
// reads, and evaluate it at an instant over any SeriesSource with Prometheus semantics.

export type {
  AggregateOp, Aggregate, ArithmeticOp, Binary, BinaryOp, Call, ComparisonOp, Expr, FunctionName,
  MatchOp, Matcher, NumberLiteral, Point, RangeSelector, Sample, Series, SeriesSource, SetOp, Unary,
  Value, ValueType, VectorMatching, VectorSelector,
} from './ast.js';
export { parseExpr } from './parser.js';
export { formatExpr, selectorsOf } from './format.js';
export { evaluate, DEFAULT_LOOKBACK_MS, type EvaluateOptions } from './evaluate.js';
export { PromqlError } from './promql-error.js';
export { STALE, isStale } from './floats.js';
export { matcherMatches, memorySeriesSource } from './labels.js';
export { bucketQuantile, type Bucket } from './quantile.js';
export { extrapolatedRate } from './aggregation.js';
export { formatPromDuration, parsePromDuration } from './duration.js';
