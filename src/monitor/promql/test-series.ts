// Helpers for the evaluator's tests: series written as tables in seconds, evaluation at a fixed
// instant, and results flattened to sorted [labels, value] rows that read like the tables.

import type { Series, Value } from './ast.js';
import { evaluate, type EvaluateOptions } from './evaluate.js';
import { formatLabels, memorySeriesSource } from './labels.js';
import { parseExpr } from './parser.js';

/** Evaluation time of every table: t = 600 s. */
export const T = 600_000;

/**
 * A series from `[seconds, value]` pairs. Stale markers must not go through here: V8 turns
 * the NaN in a `[550, STALE]` literal into a plain NaN; write `{ t, v: STALE }` instead.
 */
export function series(labels: Record<string, string>, ...points: Array<[seconds: number, value: number]>): Series {
  return { labels, points: points.map(([s, v]) => ({ t: s * 1000, v })) };
}

export function run(expr: string, data: Series[], opts?: EvaluateOptions & { at?: number }): Value {
  return evaluate(parseExpr(expr), memorySeriesSource(data), opts?.at ?? T, opts);
}

/** A vector result as `[labels, value]` rows sorted by labels; throws on a scalar. */
export function rows(value: Value): Array<[string, number]> {
  if (value.type !== 'vector') throw new Error(`expected a vector, got the scalar ${value.value}`);
  return value.samples
    .map((s): [string, number] => [formatLabels(s.labels), s.value])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

export function scalar(value: Value): number {
  if (value.type !== 'scalar') throw new Error(`expected a scalar, got a vector of ${value.samples.length}`);
  return value.value;
}
