// Prints an expression back in one canonical spelling (for messages, `tutti alerts` and as a
// cache key) and lists the metrics a rule reads. Parentheses are written only where precedence
// needs them, so `parseExpr(formatExpr(e))` gives back `e`.

import {
  type Binary, type Expr, type Matcher, type VectorSelector,
  UNARY_PRECEDENCE, isRightAssociative, precedence,
} from './ast.js';
import { formatPromDuration } from './duration.js';
import { METRIC_NAME } from './labels.js';

export function formatExpr(expr: Expr): string {
  switch (expr.type) {
    case 'number': return formatNumber(expr.value);
    case 'selector': return formatSelector(expr);
    case 'range': return `${formatSelector(expr.selector)}[${formatPromDuration(expr.rangeMs)}]`;
    case 'call': return `${expr.func}(${expr.args.map(formatExpr).join(', ')})`;
    case 'aggregate': {
      const clause = expr.without
        ? ` without (${expr.grouping.join(', ')})`
        : expr.grouping.length > 0 ? ` by (${expr.grouping.join(', ')})` : '';
      const body = `(${formatExpr(expr.expr)})`;
      return clause === '' ? `${expr.op}${body}` : `${expr.op}${clause} ${body}`;
    }
    case 'binary': return formatBinary(expr);
    case 'unary': {
      const inner = expr.expr;
      // Only `^` binds tighter than a sign; anything looser must keep its parentheses.
      const wrap = inner.type === 'binary' && precedence(inner.op) <= UNARY_PRECEDENCE;
      return `${expr.op}${wrap ? `(${formatExpr(inner)})` : formatExpr(inner)}`;
    }
  }
}

function formatBinary(expr: Binary): string {
  const p = precedence(expr.op);
  const right = isRightAssociative(expr.op);
  const lhs = formatExpr(expr.lhs);
  const rhs = formatExpr(expr.rhs);
  const wrapLeft =
    (expr.lhs.type === 'binary' && (precedence(expr.lhs.op) < p || (right && precedence(expr.lhs.op) === p))) ||
    // `-a ^ b` reads as `-(a ^ b)`, so a negated base needs parentheses.
    (expr.lhs.type === 'unary' && p > UNARY_PRECEDENCE);
  const wrapRight =
    expr.rhs.type === 'binary' && (precedence(expr.rhs.op) < p || (!right && precedence(expr.rhs.op) === p));
  let modifiers = expr.bool ? ' bool' : '';
  if (expr.matching) {
    modifiers += ` ${expr.matching.on ? 'on' : 'ignoring'} (${expr.matching.labels.join(', ')})`;
  }
  return `${wrapLeft ? `(${lhs})` : lhs} ${expr.op}${modifiers} ${wrapRight ? `(${rhs})` : rhs}`;
}

function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function formatSelector(sel: VectorSelector): string {
  const matchers = sel.matchers.map(formatMatcher).join(', ');
  if (sel.name === undefined) return `{${matchers}}`;
  return matchers === '' ? sel.name : `${sel.name}{${matchers}}`;
}

// JSON's escapes (\" \\ \n \uXXXX) are a subset of the Go escapes the lexer reads back.
function formatMatcher(m: Matcher): string {
  return `${m.name}${m.op}${JSON.stringify(m.value)}`;
}

/**
 * The metric names an expression reads, in order of first appearance: each selector's name,
 * or its `__name__="…"` matcher. Selectors that pick metrics by regex have no single name and
 * are left out.
 */
export function selectorsOf(expr: Expr): string[] {
  const names = new Set<string>();
  const visit = (e: Expr): void => {
    switch (e.type) {
      case 'selector': {
        const name = e.name ?? e.matchers.find((m) => m.name === METRIC_NAME && m.op === '=')?.value;
        if (name !== undefined) names.add(name);
        return;
      }
      case 'range': return visit(e.selector);
      case 'call': return e.args.forEach(visit);
      case 'aggregate': return visit(e.expr);
      case 'binary': visit(e.lhs); return visit(e.rhs);
      case 'unary': return visit(e.expr);
      case 'number': return;
    }
  };
  visit(expr);
  return [...names];
}
