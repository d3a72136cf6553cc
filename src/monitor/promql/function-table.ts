// The functions and aggregations of the subset, with their argument and result types for the
// parser's type check, and the names Prometheus knows but tutti does not implement, so that a
// rule copied from a Prometheus setup gets "not supported" rather than "unknown".

import type { Expr, FunctionName, ValueType } from './ast.js';

export interface FunctionSignature {
  args: ValueType[];
  returns: ValueType;
}

export const FUNCTIONS: Readonly<Record<FunctionName, FunctionSignature>> = {
  rate: { args: ['matrix'], returns: 'vector' },
  increase: { args: ['matrix'], returns: 'vector' },
  avg_over_time: { args: ['matrix'], returns: 'vector' },
  max_over_time: { args: ['matrix'], returns: 'vector' },
  min_over_time: { args: ['matrix'], returns: 'vector' },
  sum_over_time: { args: ['matrix'], returns: 'vector' },
  count_over_time: { args: ['matrix'], returns: 'vector' },
  histogram_quantile: { args: ['scalar', 'vector'], returns: 'vector' },
  abs: { args: ['vector'], returns: 'vector' },
  clamp_min: { args: ['vector', 'scalar'], returns: 'vector' },
  clamp_max: { args: ['vector', 'scalar'], returns: 'vector' },
  time: { args: [], returns: 'scalar' },
  vector: { args: ['scalar'], returns: 'vector' },
  absent: { args: ['vector'], returns: 'vector' },
};

export function isFunctionName(name: string): name is FunctionName {
  return Object.hasOwn(FUNCTIONS, name);
}

// From Prometheus' promql/parser/functions.go; none of these are implemented here.
const PROMETHEUS_ONLY_FUNCTIONS = new Set([
  'absent_over_time', 'acos', 'acosh', 'asin', 'asinh', 'atan', 'atanh', 'ceil', 'changes',
  'clamp', 'cos', 'cosh', 'day_of_month', 'day_of_week', 'day_of_year', 'days_in_month', 'deg',
  'delta', 'deriv', 'double_exponential_smoothing', 'exp', 'first_over_time', 'floor',
  'histogram_avg', 'histogram_count', 'histogram_fraction', 'histogram_stddev',
  'histogram_stdvar', 'histogram_sum', 'holt_winters', 'hour', 'idelta', 'info', 'irate',
  'label_join', 'label_replace', 'last_over_time', 'ln', 'log10', 'log2', 'mad_over_time',
  'minute', 'month', 'pi', 'predict_linear', 'present_over_time', 'quantile_over_time', 'rad',
  'resets', 'round', 'scalar', 'sgn', 'sin', 'sinh', 'sort', 'sort_by_label',
  'sort_by_label_desc', 'sort_desc', 'sqrt', 'stddev_over_time', 'stdvar_over_time', 'tan',
  'tanh', 'timestamp', 'year',
]);

export function isPrometheusOnlyFunction(name: string): boolean {
  return PROMETHEUS_ONLY_FUNCTIONS.has(name);
}

export const PROMETHEUS_ONLY_AGGREGATIONS = new Set([
  'bottomk', 'count_values', 'group', 'limitk', 'limit_ratio', 'quantile', 'stddev', 'stdvar', 'topk',
]);

/** Words PromQL reserves; they cannot name a metric written bare. */
export const KEYWORDS = new Set([
  'and', 'or', 'unless', 'atan2', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right',
  'bool', 'offset',
]);

/** "a scalar", "an instant vector", "a range vector": for error messages. */
export const TYPE_NAMES: Readonly<Record<ValueType, string>> = {
  scalar: 'a scalar',
  vector: 'an instant vector',
  matrix: 'a range vector',
};

/** The static type of an expression, as Prometheus' type checker computes it. */
export function typeOf(e: Expr): ValueType {
  switch (e.type) {
    case 'number': return 'scalar';
    case 'selector': return 'vector';
    case 'range': return 'matrix';
    case 'call': return FUNCTIONS[e.func].returns;
    case 'aggregate': return 'vector';
    case 'binary': return typeOf(e.lhs) === 'scalar' && typeOf(e.rhs) === 'scalar' ? 'scalar' : 'vector';
    case 'unary': return typeOf(e.expr);
  }
}
