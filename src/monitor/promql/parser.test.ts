import { describe, expect, it } from 'vitest';
import type { Expr } from './ast.js';
import { formatExpr, selectorsOf } from './format.js';
import { parseExpr } from './parser.js';
import { PromqlError } from './promql-error.js';

const sel = (name: string): Expr => ({ type: 'selector', name, matchers: [] });
const num = (value: number): Expr => ({ type: 'number', value });
const bin = (op: string, lhs: Expr, rhs: Expr, bool = false): Expr =>
  ({ type: 'binary', op, lhs, rhs, bool }) as Expr;

describe('parseExpr / formatExpr round trip', () => {
  it.each([
    ['up', 'up'],
    [`up{job='api'}`, 'up{job="api"}'],
    ['up{job="api",}', 'up{job="api"}'],
    ['{__name__="up", job=~"a|b", env!~"dev", zone!="x"}', '{__name__="up", job=~"a|b", env!~"dev", zone!="x"}'],
    ['tutti:error_ratio:5m', 'tutti:error_ratio:5m'],
    ['m{path="a\\"b\\\\c\\u00e9\\x41"}', 'm{path="a\\"b\\\\céA"}'],
    ['m{path=`raw\\d+`}', 'm{path="raw\\\\d+"}'],
    ['a+b*c', 'a + b * c'],
    ['(a + b) * c', '(a + b) * c'],
    ['a - (b - c)', 'a - (b - c)'],
    ['((a - b)) - c', 'a - b - c'],
    ['2 ^ 3 ^ 2', '2 ^ 3 ^ 2'],
    ['(2 ^ 3) ^ 2', '(2 ^ 3) ^ 2'],
    ['a > bool 1', 'a > bool 1'],
    ['a >bool 1', 'a > bool 1'],
    ['a == 1 AND b or c unless d', 'a == 1 and b or c unless d'],
    ['-a ^ 2', '-a ^ 2'],
    ['(-a) ^ 2', '(-a) ^ 2'],
    ['-(a + b)', '-(a + b)'],
    ['a * -b', 'a * -b'],
    ['sum by (x) (rate(m[5m]))', 'sum by (x) (rate(m[5m]))'],
    ['sum(rate(m[5m])) by (x, y)', 'sum by (x, y) (rate(m[5m]))'],
    ['SUM without (a,b,) (m)', 'sum without (a, b) (m)'],
    ['avg by () (m)', 'avg(m)'],
    ['count without () (m)', 'count without () (m)'],
    ['rate(m[90m])', 'rate(m[1h30m])'],
    ['increase(m[1h30m])', 'increase(m[1h30m])'],
    ['max_over_time(m[14d])', 'max_over_time(m[2w])'],
    ['min_over_time(m[1y])', 'min_over_time(m[1y])'],
    ['avg_over_time(m[500ms])', 'avg_over_time(m[500ms])'],
    ['histogram_quantile(0.99, sum by (le) (rate(m_bucket[5m])))', 'histogram_quantile(0.99, sum by (le) (rate(m_bucket[5m])))'],
    ['m / ignoring(code) n', 'm / ignoring (code) n'],
    ['m / on (job) n', 'm / on (job) n'],
    ['m > bool on(job) n', 'm > bool on (job) n'],
    ['clamp_max(clamp_min(m, 0), 1)', 'clamp_max(clamp_min(m, 0), 1)'],
    ['abs(-m) + time() - vector(1)', 'abs(-m) + time() - vector(1)'],
    ['absent(up{job="api"})', 'absent(up{job="api"})'],
    ['1e3 + 0x10 + .5', '1000 + 16 + 0.5'],
    ['Inf > bool NaN', 'Inf > bool NaN'],
    ['a # the numerator\n  / b', 'a / b'],
  ])('%s → %s', (input, canonical) => {
    const parsed = parseExpr(input);
    expect(formatExpr(parsed)).toBe(canonical);
    expect(parseExpr(canonical)).toEqual(parsed);
  });
});

describe('precedence and associativity', () => {
  it.each<[string, Expr]>([
    ['a + b * c', bin('+', sel('a'), bin('*', sel('b'), sel('c')))],
    ['a * b + c', bin('+', bin('*', sel('a'), sel('b')), sel('c'))],
    ['a - b - c', bin('-', bin('-', sel('a'), sel('b')), sel('c'))],
    ['a / b % c', bin('%', bin('/', sel('a'), sel('b')), sel('c'))],
    ['2 ^ 3 ^ 2', bin('^', num(2), bin('^', num(3), num(2)))],
    ['a + b > 1', bin('>', bin('+', sel('a'), sel('b')), num(1))],
    ['a > bool 1', bin('>', sel('a'), num(1), true)],
    ['a > 1 and b', bin('and', bin('>', sel('a'), num(1)), sel('b'))],
    ['a or b and c', bin('or', sel('a'), bin('and', sel('b'), sel('c')))],
    ['a unless b or c', bin('or', bin('unless', sel('a'), sel('b')), sel('c'))],
    ['-a ^ 2', { type: 'unary', op: '-', expr: bin('^', sel('a'), num(2)) }],
    ['-a * 2', bin('*', { type: 'unary', op: '-', expr: sel('a') }, num(2))],
  ])('%s', (input, ast) => {
    expect(parseExpr(input)).toEqual(ast);
  });

  it('reads the aggregation grouping written before or after the argument the same way', () => {
    const expected: Expr = {
      type: 'aggregate', op: 'sum', grouping: ['x'], without: false,
      expr: { type: 'call', func: 'rate', args: [{ type: 'range', selector: sel('m') as never, rangeMs: 300_000 }] },
    };
    expect(parseExpr('sum by (x) (rate(m[5m]))')).toEqual(expected);
    expect(parseExpr('sum(rate(m[5m])) by (x)')).toEqual(expected);
  });

  it('parses matchers, a compound range and keeps label names that are keywords', () => {
    const call = parseExpr('rate(m{by="1", on=~"a.+"}[1h30m])');
    expect(call.type === 'call' && call.args[0]).toEqual({
      type: 'range',
      rangeMs: 5_400_000,
      selector: { type: 'selector', name: 'm', matchers: [{ name: 'by', op: '=', value: '1' }, { name: 'on', op: '=~', value: 'a.+' }] },
    });
  });
});

describe('parse errors name the column', () => {
  it.each([
    // [expression, column, message]
    ['up{job="api"', 13, 'unexpected end of input at column 13; expected "," or "}"'],
    ['foo_bar(up)', 1, 'unknown function "foo_bar" at column 1'],
    ['rate(up[5x])', 9, 'bad duration "5x" at column 9; expected a duration like 5m or 1h30m'],
    ['rate(up[5m1h])', 9, 'bad duration "5m1h" at column 9; expected a duration like 5m or 1h30m'],
    ['rate(up)', 6, 'argument 1 of rate() must be a range vector, got an instant vector at column 6'],
    ['sum(up)[5m]', 8, 'a range can only follow a metric selector at column 8'],
    ['(up)[5m]', 5, 'a range can only follow a metric selector at column 5'],
    ['up == 1 )', 9, 'unexpected ")" at column 9; expected an operator or the end of the expression'],
    ['up up', 4, 'unexpected identifier "up" at column 4; expected an operator or the end of the expression'],
    ['up{job="api}', 8, 'unterminated string at column 8'],
    ['up{job=~"(api"}', 9, 'invalid regular expression "(api" at column 9; unterminated group'],
    ['up{job=~"[[:alpha:]]+"}', 9, 'invalid regular expression "[[:alpha:]]+" at column 9; named classes such as [:alpha:] are not supported, write the ranges (a-zA-Z)'],
    ['up{job=~"\\\\pL+"}', 9, 'invalid regular expression "\\\\pL+" at column 9; invalid property name'],
    ['sum(rate(m[5m])', 16, 'unexpected end of input at column 16; expected "," or ")"'],
    ['', 1, 'empty expression at column 1; expected an expression'],
    ['up > ', 6, 'unexpected end of input at column 6; expected an expression'],
    ['up > )', 6, 'unexpected ")" at column 6; expected an expression'],
    ['a / on(x) group_left b', 11, 'group_left (many-to-one matching) is not supported at column 11'],
    ['1 > 2', 3, 'comparisons between scalars must use the bool modifier at column 3'],
    ['a + bool b', 5, 'the bool modifier can only be used on comparison operators at column 5'],
    ['up and 1', 4, 'the set operator "and" needs instant vectors on both sides at column 4'],
    ['irate(m[5m])', 1, 'the function "irate" is not supported at column 1'],
    ['topk(3, m)', 1, 'the aggregation "topk" is not supported at column 1'],
    ['m[5m:1m]', 5, 'subqueries are not supported at column 5'],
    ['m offset 5m', 3, 'the offset modifier is not supported at column 3'],
    ['{}', 1, 'a selector needs a metric name or a matcher that does not match the empty string at column 1'],
    ['{job=~".*"}', 1, 'a selector needs a metric name or a matcher that does not match the empty string at column 1'],
    ['m[5m]', 1, 'a range vector cannot be the result of an expression at column 1'],
    ['histogram_quantile(up, m)', 20, 'argument 1 of histogram_quantile() must be a scalar, got an instant vector at column 20'],
    ['rate(m[5m], 1)', 1, 'rate() takes 1 argument, got 2 at column 1'],
    ['rate(m[0s])', 8, 'the range must be longer than zero at column 8'],
    ['up{job="a\\q"}', 10, 'unknown escape sequence "\\q" at column 10'],
    ['foo{__name__="bar"}', 1, 'the metric name is set twice, as "foo" and in {__name__…} at column 1'],
    ['up{job="a",,}', 12, 'unexpected "," at column 12; expected a label name'],
    ['up{job: "a"}', 7, 'unexpected ":" at column 7; expected "=", "!=", "=~" or "!~"'],
    ['up{job=api}', 8, 'unexpected identifier "api" at column 8; expected a quoted string'],
    ['sum by job (m)', 8, 'unexpected identifier "job" at column 8; expected "(" and a list of labels after by'],
    ['rate(m[5m],)', 11, 'trailing comma in rate() at column 11'],
    ['m - rate(m[5m]) $', 17, 'unexpected character "$" at column 17'],
    ['sum(m[5m])', 5, 'sum(…) aggregates an instant vector, got a range vector at column 5'],
    ['by', 1, 'unexpected keyword "by" at column 1; expected an expression'],
    ['"up"', 1, 'unexpected string "up" at column 1; expected an expression'],
    ['up + 5m', 6, 'unexpected duration "5m" at column 6; expected an expression'],
  ])('%j → column %i', (input, column, message) => {
    let error: unknown;
    try {
      parseExpr(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PromqlError);
    expect((error as PromqlError).column).toBe(column);
    expect((error as PromqlError).message).toBe(message);
    expect((error as PromqlError).code).toBe('TUTTI_E_MANIFEST_INVALID');
  });

  it('gives the line as well when the expression spans several lines, counting characters not bytes', () => {
    expect(() => parseExpr('up{job="é"}\n  + )')).toThrow('unexpected ")" at line 2, column 5; expected an expression');
    expect(() => parseExpr('up{job="日本"} }')).toThrow('at column 14');
  });

  it('hints at the fix where one is known', () => {
    const hintOf = (text: string) => {
      try {
        parseExpr(text);
      } catch (e) {
        return (e as PromqlError).hint;
      }
    };
    expect(hintOf('rate(up)')).toBe('add a range to the selector, e.g. rate(…[5m])');
    expect(hintOf('foo_bar(up)')).toContain('supported functions: abs, absent, avg_over_time');
    expect(hintOf('1 > 2')).toBe('write "> bool"');
  });
});

describe('selectorsOf', () => {
  it('lists each metric a rule reads once, in order, including {__name__="…"} selectors', () => {
    const expr = parseExpr(
      'sum by (job) (rate(errors_total{code=~"5.."}[5m])) / sum by (job) (rate(requests_total[5m])) > 0.05 ' +
        'or absent({__name__="up", job="api"}) or errors_total > 1 or {__name__=~"tutti_.+"}',
    );
    expect(selectorsOf(expr)).toEqual(['errors_total', 'requests_total', 'up']);
  });
});
