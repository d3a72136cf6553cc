import { describe, expect, it } from 'vitest';
import { isTuttiError } from '../../core/index.js';
import { ErrorTypes, isWorkflowError } from '../errors.js';
import { compileExpression, evaluate, stripExpressionMarkers, type ExpressionArguments } from './expression.js';

const args: ExpressionArguments = {
  $context: { orderId: 'o-1', attempts: 2 },
  $input: { raw: true },
  $secret: { apiKey: 's3cr3t' },
  $workflow: { id: 'run-1', definition: { document: { name: 'x' } } },
  $task: { name: 'reserve', reference: '/do/0/reserve' },
  $runtime: { name: 'tutti', version: '0.1.0' },
};

describe('evaluate', () => {
  const cases: Array<[string, unknown, unknown]> = [
    ['.a', { a: 1 }, 1],
    ['${ .a.b }', { a: { b: 'x' } }, 'x'],
    ['  ${.items | length}  ', { items: [1, 2, 3] }, 3],
    ['{total: (.a.b | add), name}', { a: { b: [1, 2, 3] }, name: 'n' }, { total: 6, name: 'n' }],
    ['.missing', {}, null],
    ['.[] | select(. > 1)', [1, 2, 3], [2, 3]], // a stream of several outputs becomes an array
    ['empty', {}, null], // no output is null
    ['[.[] | . * 2]', [1, 2], [2, 4]],
    ['$context.orderId', {}, 'o-1'],
    ['$context.attempts + 1', {}, 3],
    ['$secret.apiKey', {}, 's3cr3t'],
    ['$secrets.apiKey', {}, 's3cr3t'], // the spec's spelling reaches the same map
    ['$workflow.id + ":" + $task.reference', {}, 'run-1:/do/0/reserve'],
    ['$runtime.name', {}, 'tutti'],
    ['$output', {}, null], // an argument not given is null
    ['. as $x | $x.a', { a: 5 }, 5],
    ['"héllo ✓ 😀" | length', {}, 9],
    ['.s', { s: 'héllo ✓ 😀' }, 'héllo ✓ 😀'],
    ['"2015-03-05T23:51:47Z" | fromdate', {}, 1425599507],
    ['1425599507 | todate', {}, '2015-03-05T23:51:47Z'],
    ['"10:15 2020-01-02" | strptime("%H:%M %Y-%m-%d") | mktime', {}, 1577960100],
    ['now | type', {}, 'number'],
    ['$ENV | length', {}, 0], // the daemon's environment is not visible
    ['env | length', {}, 0],
    ['[limit(3; repeat(1))]', {}, [1, 1, 1]],
    ['test("^a.c$")', 'abc', true],
    ['.n', { n: 12345678901234 }, 12345678901234],
    ['@base64', 'hi', 'aGk='],
    ['halt', 1, null],
  ];
  it.each(cases)('%s on %j', (text, input, expected) => {
    expect(evaluate(compileExpression(text, '/do/0/t/set'), input, args)).toEqual(expected);
  });

  it('evaluates a compiled expression many times with different inputs and arguments', () => {
    const expr = compileExpression('.n + $context.k', '/x');
    for (let i = 0; i < 200; i++) expect(evaluate(expr, { n: i }, { $context: { k: i } })).toBe(2 * i);
  });

  it('handles large inputs and outputs', () => {
    const big = { items: Array.from({ length: 20000 }, (_, i) => ({ id: i, name: `item-${i}` })) };
    const expr = compileExpression('[.items[] | select(.id % 2 == 0) | .name]', '/x');
    const out = evaluate(expr, big) as string[];
    expect(out).toHaveLength(10000);
    expect(out[9999]).toBe('item-19998');
  });

  const runtimeErrors: Array<[string, unknown, RegExp]> = [
    ['.a.b', { a: 'str' }, /Cannot index string with string "b"/],
    ['error("boom")', {}, /boom/],
    ['error({code: 7})', {}, /\{"code":7\} \(not a string\)/],
    ['"x" | halt_error', {}, /x/],
    ['{} + 1', {}, /cannot be added/],
  ];
  it.each(runtimeErrors)('a jq runtime error in %s becomes an expression error', (text, input, detail) => {
    const expr = compileExpression(text, '/do/2/charge/output/as');
    let caught: unknown;
    try {
      evaluate(expr, input);
    } catch (e) {
      caught = e;
    }
    expect(isWorkflowError(caught)).toBe(true);
    if (!isWorkflowError(caught)) return;
    expect(caught.error).toMatchObject({ type: ErrorTypes.expression, status: 400, instance: '/do/2/charge/output/as' });
    expect(caught.error.detail).toMatch(detail);
    expect(JSON.parse(JSON.stringify(caught))).toEqual(caught.error);
  });

  it('keeps working after a runtime error', () => {
    const bad = compileExpression('error("x")', '/a');
    const good = compileExpression('.v', '/b');
    expect(() => evaluate(bad, null)).toThrow();
    expect(evaluate(good, { v: 3 })).toBe(3);
  });
});

describe('compileExpression', () => {
  const syntaxErrors: Array<[string, RegExp]> = [
    ['.a |||', /syntax error/],
    ['${ .a | }', /syntax error/],
    ['{a: }', /syntax error/],
    ['$nope', /\$nope is not defined/],
    ['undefined_fn(1)', /undefined_fn\/1 is not defined/],
    ['${ }', /empty/],
    ['.a # comment', /^$/], // not an error: the wrapper survives a trailing comment
  ];
  it.each(syntaxErrors)('%s', (text, reason) => {
    if (reason.source === '^$') {
      expect(evaluate(compileExpression(text, '/p'), { a: 1 }, { $context: {} })).toBe(1);
      expect(evaluate(compileExpression(`${text}\n`, '/p'), { a: 2 })).toBe(2);
      return;
    }
    let caught: unknown;
    try {
      compileExpression(text, '/do/1/pick/switch/0/big/when');
    } catch (e) {
      caught = e;
    }
    expect(isTuttiError(caught)).toBe(true);
    if (!isTuttiError(caught)) return;
    expect(caught.code).toBe('TUTTI_E_BAD_REQUEST');
    expect(caught.message.startsWith('/do/1/pick/switch/0/big/when: ')).toBe(true);
    expect(caught.message).toMatch(reason);
    expect(caught.details).toMatchObject({ pointer: '/do/1/pick/switch/0/big/when' });
  });

  it('binds only the variables an expression mentions, and only those allowed', () => {
    expect(compileExpression('$context.a + $input.b + $context.c', '/p').variables).toEqual(['context', 'input']);
    expect(compileExpression('.a', '/p').variables).toEqual([]);
    expect(evaluate(compileExpression('$color', '/p', { variables: ['color'] }), null, { $color: 'red' })).toBe('red');
    expect(() => compileExpression('$color', '/p')).toThrow(/\$color is not defined/);
  });

  it('names the line of an error in a multi-line expression', () => {
    expect(() => compileExpression('.a\n| .b\n| ]', '/p')).toThrow(/line 3/);
  });

  it.each([
    ['${ .a }', '.a'],
    ['${.a}', '.a'],
    ['  .a  ', '.a'],
    ['${ {a: 1} }', '{a: 1}'],
  ])('strips markers: %s', (text, stripped) => expect(stripExpressionMarkers(text)).toBe(stripped));
});
