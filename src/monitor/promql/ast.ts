// The syntax tree of tutti's PromQL subset and the values an evaluation yields. Plain data
// (no positions, no compiled regexes) so that a parsed rule can be compared, cached and
// printed back with `formatExpr`.

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
}

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '^';
export type ComparisonOp = '==' | '!=' | '>' | '<' | '>=' | '<=';
export type SetOp = 'and' | 'or' | 'unless';
export type BinaryOp = ArithmeticOp | ComparisonOp | SetOp;

export type AggregateOp = 'sum' | 'avg' | 'max' | 'min' | 'count';

export type FunctionName =
  | 'rate'
  | 'increase'
  | 'avg_over_time'
  | 'max_over_time'
  | 'min_over_time'
  | 'sum_over_time'
  | 'count_over_time'
  | 'histogram_quantile'
  | 'abs'
  | 'clamp_min'
  | 'clamp_max'
  | 'time'
  | 'vector'
  | 'absent';

export interface NumberLiteral {
  type: 'number';
  value: number;
}

/** `name{l="v", …}`; `name` is absent when the selector is written `{__name__="…", …}`. */
export interface VectorSelector {
  type: 'selector';
  name?: string;
  matchers: Matcher[];
}

export interface RangeSelector {
  type: 'range';
  selector: VectorSelector;
  rangeMs: number;
}

export interface Call {
  type: 'call';
  func: FunctionName;
  args: Expr[];
}

export interface Aggregate {
  type: 'aggregate';
  op: AggregateOp;
  expr: Expr;
  /** With `without: false` the labels kept (`by`); an empty list aggregates everything. */
  grouping: string[];
  without: boolean;
}

/** `on(…)` keeps only the listed labels for matching, `ignoring(…)` drops them. */
export interface VectorMatching {
  on: boolean;
  labels: string[];
}

export interface Binary {
  type: 'binary';
  op: BinaryOp;
  lhs: Expr;
  rhs: Expr;
  /** The `bool` modifier: comparisons yield 0/1 instead of filtering. */
  bool: boolean;
  matching?: VectorMatching;
}

export interface Unary {
  type: 'unary';
  op: '-' | '+';
  expr: Expr;
}

export type Expr = NumberLiteral | VectorSelector | RangeSelector | Call | Aggregate | Binary | Unary;

/** The static type of an expression, as PromQL's type checker sees it. */
export type ValueType = 'scalar' | 'vector' | 'matrix';

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export type Value = { type: 'scalar'; value: number } | { type: 'vector'; samples: Sample[] };

export interface Point {
  t: number;
  v: number;
}

export interface Series {
  labels: Record<string, string>;
  /** Sorted by `t` (milliseconds since the epoch). */
  points: Point[];
}

/** Where the evaluator reads series; the store, or a table in tests. */
export interface SeriesSource {
  /**
   * The series matching every matcher (a missing label matches as ""), with their points in
   * [startMs, endMs]. Points outside that window are tolerated: the evaluator filters again.
   */
  select(matchers: Matcher[], startMs: number, endMs: number): Series[];
}

export const COMPARISON_OPS: readonly ComparisonOp[] = ['==', '!=', '>', '<', '>=', '<='];
export const SET_OPS: readonly SetOp[] = ['and', 'or', 'unless'];
export const AGGREGATE_OPS: readonly AggregateOp[] = ['sum', 'avg', 'max', 'min', 'count'];

export function isComparison(op: BinaryOp): op is ComparisonOp {
  return (COMPARISON_OPS as readonly string[]).includes(op);
}

export function isSetOp(op: BinaryOp): op is SetOp {
  return (SET_OPS as readonly string[]).includes(op);
}

/** Binding strength, Prometheus' order: `^` > `* / %` > `+ -` > comparisons > `and unless` > `or`. */
export function precedence(op: BinaryOp): number {
  switch (op) {
    case 'or': return 1;
    case 'and': case 'unless': return 2;
    case '==': case '!=': case '>': case '<': case '>=': case '<=': return 3;
    case '+': case '-': return 4;
    case '*': case '/': case '%': return 5;
    case '^': return 6;
  }
}

/** A unary sign binds like `*`: `-a ^ b` is `-(a ^ b)`, `-a * b` is `(-a) * b`. */
export const UNARY_PRECEDENCE = 5;

export function isRightAssociative(op: BinaryOp): boolean {
  return op === '^';
}
