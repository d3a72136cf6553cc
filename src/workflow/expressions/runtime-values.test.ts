import { describe, expect, it } from 'vitest';
import { compileValue, evaluateValue, expressionsIn, isRuntimeExpression } from './runtime-values.js';

describe('isRuntimeExpression', () => {
  it.each([
    ['${ .a }', true],
    ['${.a}', true],
    ['  ${ .a }\n', true],
    ['${ {a: 1} }', true],
    ['.a', false],
    ['hello ${ .a }', false], // strict mode: the whole string must be the expression
    ['${ .a } tail', false],
    ['$context', false],
    ['', false],
    [42, false],
  ])('%j → %s', (value, expected) => expect(isRuntimeExpression(value)).toBe(expected));
});

describe('compileValue / evaluateValue', () => {
  const input = { order: { id: 'o-7', items: [{ sku: 'a', qty: 2 }] } };

  it('keeps a value without expressions as one literal', () => {
    const value = { a: 1, b: ['x', { c: 'plain .text' }] };
    const compiled = compileValue(value, '/do/0/t/set');
    expect(compiled).toEqual({ kind: 'literal', value });
    expect(evaluateValue(compiled, input)).toBe(value);
  });

  it('evaluates nested expressions member by member and keeps literals', () => {
    const compiled = compileValue(
      { id: '${ .order.id }', lines: ['${ .order.items | length }', 'fixed'], meta: { by: '${ $context.user }', note: 'n' }, n: 3 },
      '/do/0/t/set',
    );
    expect(evaluateValue(compiled, input, { $context: { user: 'ann' } })).toEqual({
      id: 'o-7',
      lines: [1, 'fixed'],
      meta: { by: 'ann', note: 'n' },
      n: 3,
    });
    expect(expressionsIn(compiled).map((e) => e.pointer)).toEqual(['/do/0/t/set/id', '/do/0/t/set/lines/0', '/do/0/t/set/meta/by']);
  });

  it("treats a top-level string as jq in 'always' mode, nested strings only when marked", () => {
    expect(evaluateValue(compileValue('.order.id', '/do/0/t/if', { expression: 'always' }), input)).toBe('o-7');
    expect(evaluateValue(compileValue('.order.id', '/do/0/t/set'), input)).toBe('.order.id');
    const obj = compileValue({ a: '.order.id', b: '${ .order.id }' }, '/do/0/t/output/as', { expression: 'always' });
    expect(evaluateValue(obj, input)).toEqual({ a: '.order.id', b: 'o-7' });
  });

  it('escapes keys in pointers', () => {
    const compiled = compileValue({ 'a/b': { '~c': '${ 1 }' } }, '/x');
    expect(expressionsIn(compiled)[0].pointer).toBe('/x/a~1b/~0c');
  });

  it('passes loop variables through to nested expressions', () => {
    const compiled = compileValue({ c: '${ $color }' }, '/p', { variables: ['color'] });
    expect(evaluateValue(compiled, null, { $color: 'red' })).toEqual({ c: 'red' });
  });
});
